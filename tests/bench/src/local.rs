//! Local costs (scenarios 5 and 6).
use crate::BenchError;
use crate::report::Report;
use std::path::Path;
pub async fn writes(_quick: bool, _work: &Path, _report: &mut Report) -> Result<(), BenchError> {
    Ok(())
}
pub async fn store(_quick: bool, _work: &Path, _report: &mut Report) -> Result<(), BenchError> {
    Ok(())
}
