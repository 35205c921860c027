//! Load (scenario 7).
use crate::BenchError;
use crate::report::Report;
use std::path::Path;
pub async fn run(_quick: bool, _work: &Path, _report: &mut Report) -> Result<(), BenchError> {
    Ok(())
}
