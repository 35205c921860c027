//! Tables the office downloads: as CSV (UTF-8) and as `.xlsx` (one sheet, the headings bold,
//! whole numbers as numbers and everything else, phone numbers included, as text).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use crate::error::RelayError;

/// A table: its headings and rows.
pub(super) struct Table {
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV text, without a byte-order mark.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(&self.headings).chain(&self.rows) {
            let fields: Vec<String> = row
                .iter()
                .map(|f| linli_core::report::render::csv_field(f))
                .collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// The table read back from CSV text (the day-end report's own CSV).
    pub fn from_csv(text: &str) -> Result<Table, RelayError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows: Vec<Vec<String>> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(RelayError::internal)?;
            rows.push(record.iter().map(str::to_owned).collect());
        }
        if rows.is_empty() {
            return Ok(Table {
                headings: Vec::new(),
                rows,
            });
        }
        let headings = rows.remove(0);
        Ok(Table { headings, rows })
    }

    /// The table as an `.xlsx` workbook named `sheet`.
    pub fn xlsx(&self, sheet: &str) -> Result<Vec<u8>, RelayError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(sheet).map_err(RelayError::internal)?;
        let bold = Format::new().set_bold();
        for (c, h) in self.headings.iter().enumerate() {
            ws.write_string_with_format(0, col(c), h, &bold)
                .map_err(RelayError::internal)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(RelayError::internal)?;
            for (c, cell) in row.iter().enumerate() {
                // Whole numbers of up to 9 digits as numbers (counts, years, ages); longer
                // ones (phone numbers) and everything else as text.
                let number = (cell.len() <= 9 && !cell.starts_with('0') || cell == "0")
                    .then(|| cell.parse::<i64>().ok())
                    .flatten();
                match number {
                    Some(n) => ws.write_number(r, col(c), n as f64),
                    None => ws.write_string(r, col(c), cell),
                }
                .map_err(RelayError::internal)?;
            }
        }
        ws.autofit();
        book.save_to_buffer().map_err(RelayError::internal)
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A download of `body` named `file`, of `content_type`.
pub(super) fn download(content_type: &'static str, file: &str, body: Vec<u8>) -> Response {
    let mut response =
        (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The `.xlsx` media type.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The CSV media type.
pub(super) const CSV: &str = "text/csv; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_from_its_csv_and_makes_a_workbook() {
        let table = Table {
            headings: vec!["姓名".into(), "年龄".into(), "电话".into()],
            rows: vec![vec!["周桂英".into(), "96".into(), "13800000001".into()]],
        };
        let csv = table.csv();
        assert_eq!(csv, "姓名,年龄,电话\n周桂英,96,13800000001\n");
        let back = Table::from_csv(&csv).unwrap();
        assert_eq!(back.rows, table.rows);
        let xlsx = table.xlsx("居民").unwrap();
        assert!(xlsx.starts_with(b"PK\x03\x04"));
    }
}
