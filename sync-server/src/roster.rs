//! The residents' roster (居民花名册) the office keeps in Excel, read for an import: a `.xlsx`
//! (its first sheet) or a UTF-8 `.csv`, with the columns 楼栋, 单元, 室号, 姓名, 出生年份, 电话, 标签
//! found by their headings in the first row, in any order (单元, 出生年份, 电话 and 标签 may be
//! missing). The rows of one room make one household; its tags are every tag its rows name
//! (separated by 、 or commas). Every bad row is named with its row number (as the spreadsheet
//! numbers it) and the field at fault, and so is a room that is registered already: a roster
//! with any bad row imports nothing. The office's pages and `linli-relay import-households`
//! both read a roster here.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::Datelike;
use linli_core::api::households::{HouseholdInput, ResidentInput};
use linli_core::records::Coded;
use linli_core::records::household::Tag;
use linli_core::records::validate;

use crate::error::RelayError;

/// The largest roster file read.
pub const MAX_ROSTER_BYTES: usize = 8 << 20;
/// The most data rows read.
pub const MAX_ROSTER_ROWS: usize = 20_000;
/// The most bad rows listed (all are counted).
pub const MAX_ROW_ERRORS: usize = 200;

/// The community's buildings as (id, name).
pub type Buildings = Vec<(String, String)>;
/// Rooms that have a household: (building id, unit, room).
pub type Registered = BTreeSet<(String, String, String)>;

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number as the spreadsheet shows it (the headings are row 1).
    pub row: usize,
    /// The column at fault.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

/// A roster read: the households it makes, or its bad rows.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// The households, one per room, in the roster's order.
    pub households: Vec<HouseholdInput>,
    /// Residents in them.
    pub residents: usize,
    /// The first [`MAX_ROW_ERRORS`] bad rows.
    pub errors: Vec<RowError>,
    /// Every bad row counted.
    pub error_count: usize,
}

/// The roster's columns: (heading, whether it must be there).
const COLUMNS: [(&str, bool); 7] = [
    ("楼栋", true),
    ("单元", false),
    ("室号", true),
    ("姓名", true),
    ("出生年份", false),
    ("电话", false),
    ("标签", false),
];

fn bad_file(message: impl Into<String>) -> RelayError {
    RelayError::bad_request("bad_roster", message)
}

/// The rows of `bytes`: an xlsx workbook's first sheet, or UTF-8 CSV text.
fn rows_of(bytes: &[u8]) -> Result<Vec<Vec<String>>, RelayError> {
    if bytes.len() > MAX_ROSTER_BYTES {
        return Err(RelayError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "roster_too_large",
            format!(
                "花名册文件超过 {} MB (a roster file is at most {} MB)",
                MAX_ROSTER_BYTES >> 20,
                MAX_ROSTER_BYTES >> 20
            ),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
            bad_file(format!(
                "无法读取的 xlsx 文件 (not a readable workbook): {e}"
            ))
        })?;
        let sheet = book
            .worksheet_range_at(0)
            .ok_or_else(|| bad_file("工作簿中没有工作表 (the workbook has no sheet)"))?
            .map_err(|e| bad_file(format!("无法读取工作表 (unreadable sheet): {e}")))?;
        return Ok(sheet
            .rows()
            .take(MAX_ROSTER_ROWS + 2)
            .map(|row| row.iter().map(cell_text).collect())
            .collect());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        bad_file(
            "不是 xlsx 或 UTF-8 编码的 csv 文件，请另存为 xlsx (not an xlsx or UTF-8 csv file)",
        )
    })?;
    if text.contains('\0') {
        return Err(bad_file("不是表格文件 (not a spreadsheet)"));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records().take(MAX_ROSTER_ROWS + 2) {
        let record = record.map_err(|e| bad_file(format!("csv 格式有误 (bad csv): {e}")))?;
        rows.push(record.iter().map(|f| f.trim().to_owned()).collect());
    }
    Ok(rows)
}

/// A cell as text: whole numbers without a decimal point (a birth year, a phone number).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_owned(),
    }
}

/// Reads the roster in `bytes` for the community's `buildings` (id, name), leaving out no row:
/// `registered` are the rooms that have a household already, as (building id, unit, room).
/// A file that is no roster at all (not a spreadsheet, too large, too long, without the
/// headings) is an error; bad rows are in the answer.
pub fn read_roster(
    bytes: &[u8],
    buildings: &[(String, String)],
    registered: &Registered,
    this_year: i32,
) -> Result<Roster, RelayError> {
    let rows = rows_of(bytes)?;
    let Some((headings, data)) = rows.split_first() else {
        return Err(bad_file("花名册是空的 (the roster is empty)"));
    };
    if data.len() > MAX_ROSTER_ROWS {
        return Err(RelayError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "roster_too_long",
            format!("花名册超过 {MAX_ROSTER_ROWS} 行 (at most {MAX_ROSTER_ROWS} rows), 请分批导入"),
        ));
    }
    let mut at = [None; 7];
    for (i, (heading, required)) in COLUMNS.iter().enumerate() {
        at[i] = headings.iter().position(|h| h.trim() == *heading);
        if *required && at[i].is_none() {
            return Err(bad_file(format!(
                "第 1 行缺少“{heading}”列 (the headings lack {heading}); 需要：楼栋、单元、室号、姓名、出生年份、电话、标签"
            )));
        }
    }
    let cell = |row: &[String], i: usize| -> String {
        at[i]
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut roster = Roster::default();
    let mut rooms: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let fail = |roster: &mut Roster, row: usize, field: &'static str, message: String| {
        roster.error_count += 1;
        if roster.errors.len() < MAX_ROW_ERRORS {
            roster.errors.push(RowError {
                row,
                field,
                message,
            });
        }
    };
    for (i, row) in data.iter().enumerate() {
        let n = i + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let building = cell(row, 0);
        let Some((building_id, _)) = buildings
            .iter()
            .find(|(id, name)| *name == building || *id == building)
        else {
            fail(
                &mut roster,
                n,
                "楼栋",
                format!("没有名为“{building}”的楼栋 (no such building)"),
            );
            continue;
        };
        let (unit, room) = (cell(row, 1), cell(row, 2));
        if room.is_empty() {
            fail(
                &mut roster,
                n,
                "室号",
                "室号不能为空 (a room is required)".into(),
            );
            continue;
        }
        let name = match validate::name("name", &cell(row, 3)) {
            Ok(name) => name,
            Err(e) => {
                fail(&mut roster, n, "姓名", e.to_string());
                continue;
            }
        };
        let year = cell(row, 4);
        let birth_year = if year.is_empty() {
            None
        } else {
            match year.parse::<i32>() {
                Ok(y) if (1900..=this_year).contains(&y) => Some(y),
                _ => {
                    fail(
                        &mut roster,
                        n,
                        "出生年份",
                        format!("“{year}”不是 1900 至 {this_year} 之间的年份 (not a year)"),
                    );
                    continue;
                }
            }
        };
        let phone = match validate::phone("phone", &cell(row, 5)) {
            Ok(p) => p,
            Err(e) => {
                fail(&mut roster, n, "电话", e.to_string());
                continue;
            }
        };
        let mut tags = Vec::new();
        let mut bad_tag = None;
        for label in cell(row, 6)
            .split(['、', ',', '，', ';', '；', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            match Tag::ALL
                .iter()
                .find(|t| t.label_zh() == label || t.code() == label)
            {
                Some(t) => tags.push(*t),
                None => bad_tag = Some(label.to_owned()),
            }
        }
        if let Some(label) = bad_tag {
            let known: Vec<&str> = Tag::ALL.iter().map(|t| t.label_zh()).collect();
            fail(
                &mut roster,
                n,
                "标签",
                format!("未知标签“{label}”；可用：{}", known.join("、")),
            );
            continue;
        }
        let key = (building_id.clone(), unit.clone(), room.clone());
        if registered.contains(&key) {
            fail(
                &mut roster,
                n,
                "室号",
                format!("{building} {unit} {room} 已登记 (registered already)"),
            );
            continue;
        }
        let index = *rooms.entry(key).or_insert_with(|| {
            roster.households.push(HouseholdInput {
                building_id: building_id.clone(),
                unit,
                room,
                ..HouseholdInput::default()
            });
            roster.households.len() - 1
        });
        let household = &mut roster.households[index];
        household.residents.push(ResidentInput {
            name,
            birth_year,
            phone,
        });
        for t in tags {
            if !household.tags.contains(&t) {
                household.tags.push(t);
            }
        }
        roster.residents += 1;
    }
    Ok(roster)
}

/// This year in the community's calendar.
pub fn this_year(l: &linli_core::Linli) -> linli_core::Result<i32> {
    Ok(l.community()?.local_date(l.now()).year())
}

/// The community's buildings (id, name) and the rooms registered already, from `l`.
pub fn roster_context(l: &linli_core::Linli) -> linli_core::Result<(Buildings, Registered)> {
    let buildings: Buildings = l
        .places(Some(linli_core::records::directory::PlaceKind::Building))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut registered = BTreeSet::new();
    for (id, _) in &buildings {
        for h in l.households_in_building(id)? {
            registered.insert((id.clone(), h.unit, h.room));
        }
    }
    Ok((buildings, registered))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buildings() -> Vec<(String, String)> {
        vec![("b3".into(), "3号楼".into()), ("b5".into(), "5号楼".into())]
    }

    #[test]
    fn rows_of_one_room_make_one_household_and_bad_rows_are_named() {
        let csv = "\u{feff}楼栋,单元,室号,姓名,出生年份,电话,标签\n\
                   3号楼,1单元,101,张桂英,1938,13800000001,独居、老人\n\
                   3号楼,1单元,101,张建华,1965,,\n\
                   5号楼,,201,李德明,1950,,\n";
        let r = read_roster(csv.as_bytes(), &buildings(), &BTreeSet::new(), 2026).unwrap();
        assert_eq!(r.error_count, 0, "{:?}", r.errors);
        assert_eq!(r.households.len(), 2);
        assert_eq!(r.residents, 3);
        assert_eq!(r.households[0].residents.len(), 2);
        assert_eq!(r.households[0].tags, vec![Tag::LivingAlone, Tag::Elderly]);

        let bad = "姓名,室号,楼栋,出生年份,标签\n王秀珍,101,7号楼,1940,\n赵六,102,3号楼,3000,\n钱七,103,3号楼,1950,富人\n,104,3号楼,,\n";
        let registered = BTreeSet::from([("b3".to_owned(), String::new(), "105".to_owned())]);
        let r = read_roster(bad.as_bytes(), &buildings(), &registered, 2026).unwrap();
        let at: Vec<(usize, &str)> = r.errors.iter().map(|e| (e.row, e.field)).collect();
        assert_eq!(
            at,
            vec![(2, "楼栋"), (3, "出生年份"), (4, "标签"), (5, "姓名")]
        );
        let again = "楼栋,室号,姓名\n3号楼,105,孙八\n";
        let r = read_roster(again.as_bytes(), &buildings(), &registered, 2026).unwrap();
        assert_eq!(r.errors[0].field, "室号");
    }

    #[test]
    fn an_xlsx_roster_reads_like_its_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        let rows: [[&str; 5]; 3] = [
            ["楼栋", "室号", "姓名", "出生年份", "电话"],
            ["3号楼", "101", "张桂英", "", "13800000001"],
            ["5号楼", "201", "李德明", "", ""],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        // Numbers as Excel keeps them: a birth year and a phone number typed as numbers.
        ws.write_number(1, 3, 1938.0).unwrap();
        ws.write_number(2, 3, 1950.0).unwrap();
        ws.write_number(2, 4, 13900000002.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let r = read_roster(&bytes, &buildings(), &BTreeSet::new(), 2026).unwrap();
        assert_eq!(r.error_count, 0, "{:?}", r.errors);
        assert_eq!(r.households.len(), 2);
        assert_eq!(r.households[0].residents[0].birth_year, Some(1938));
        assert_eq!(r.households[1].residents[0].phone, "13900000002");
    }

    #[test]
    fn a_file_that_is_no_roster_is_refused() {
        let none = BTreeSet::new();
        for bytes in [
            &b"\x89PNG\r\n\x1a\n\0\0"[..],
            "楼栋,室号\n3号楼,101\n".as_bytes(),
            b"",
            b"PK\x03\x04 not really a zip",
        ] {
            assert!(read_roster(bytes, &buildings(), &none, 2026).is_err());
        }
        let huge = vec![b'a'; MAX_ROSTER_BYTES + 1];
        assert_eq!(
            read_roster(&huge, &buildings(), &none, 2026)
                .unwrap_err()
                .code,
            "roster_too_large"
        );
        let mut long = String::from("楼栋,室号,姓名\n");
        for i in 0..=MAX_ROSTER_ROWS {
            long.push_str(&format!("3号楼,{i},某\n"));
        }
        assert_eq!(
            read_roster(long.as_bytes(), &buildings(), &none, 2026)
                .unwrap_err()
                .code,
            "roster_too_long"
        );
    }
}
