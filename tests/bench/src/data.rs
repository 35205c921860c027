//! The records both systems are fed: households of 8 scalar fields with 3 visits each, and, as
//! every tenth record, a ticket with 5 timeline events; Chinese names and addresses. Record `i`
//! is the same in every run and for both systems.

/// Households per building.
pub const HOUSEHOLDS_PER_BUILDING: usize = 100;

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: [&str; 12] = [
    "桂英", "建国", "秀兰", "志强", "丽华", "国庆", "淑珍", "卫东", "小梅", "德明", "玉兰", "海涛",
];
const ROADS: [&str; 6] = ["梅园路", "长寿路", "曹杨路", "武宁路", "宜川路", "光新路"];
const NEEDS: [&str; 6] = [
    "希望每周有人帮忙买菜",
    "楼道灯坏了，晚上看不清台阶",
    "想了解助餐点的开放时间",
    "血压有点高，需要社区医生上门",
    "家里水管漏水，已联系物业",
    "一切安好，无特别需求",
];

/// One household record.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    /// Index of its building.
    pub building: usize,
    /// 单元.
    pub unit: String,
    /// Room number.
    pub room: String,
    /// Household phone.
    pub phone: String,
    /// The resident's name.
    pub name: String,
    /// The resident's birth year.
    pub birth_year: u16,
    /// Street address.
    pub address: String,
    /// Whether the resident lives alone (独居).
    pub living_alone: bool,
    /// Three visits.
    pub visits: [Visit; 3],
}

/// One visit of a household.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// Needs and opinions heard.
    pub needs: String,
    /// Temperature taken, °C.
    pub temperature_c: f64,
}

/// One ticket record.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    /// Index of the building it is about.
    pub building: usize,
    /// The place in words.
    pub place_text: String,
    /// What is wrong.
    pub description: String,
    /// The replies after it was reported and accepted (the 3rd to 5th events).
    pub replies: [String; 3],
    /// Whether its last step resolves it (the third reply's words as the summary) instead of
    /// replying: every ticket but one in [`OPEN_TICKET_EVERY`].
    pub resolved: bool,
}

/// One ticket in this many is still open: 500 of the 10,000 tickets of a 100,000-record store,
/// all the phone member's, the due items of that member's agenda.
pub const OPEN_TICKET_EVERY: usize = 20;

/// The version of the records below, part of the prepared templates' folder names: a change to
/// what is written prepares them anew instead of reusing stores written before it.
pub const DATA_VERSION: u32 = 2;

/// A record: most are households, every tenth is a ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A household.
    Household(Household),
    /// A ticket.
    Ticket(Ticket),
}

/// Record `i`.
pub fn record(i: usize) -> Record {
    if i % 10 == 9 {
        Record::Ticket(ticket(i))
    } else {
        Record::Household(household(i))
    }
}

/// Buildings needed for `n` records.
pub fn buildings_for(n: usize) -> usize {
    n.div_ceil(HOUSEHOLDS_PER_BUILDING).max(1)
}

fn name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i / SURNAMES.len()) % GIVEN.len()]
    )
}

fn household(i: usize) -> Household {
    let building = i / HOUSEHOLDS_PER_BUILDING;
    let within = i % HOUSEHOLDS_PER_BUILDING;
    let visit = |v: usize| Visit {
        needs: NEEDS[(i + v) % NEEDS.len()].to_owned(),
        temperature_c: 36.0 + ((i * 7 + v * 3) % 12) as f64 / 10.0,
    };
    Household {
        building,
        unit: format!("{}单元", within % 4 + 1),
        room: format!("{}{:02}", within / 4 % 25 + 1, within % 4 + 1),
        phone: format!("138{:08}", i),
        name: name(i),
        birth_year: 1930 + (i % 70) as u16,
        address: format!(
            "{}{}弄{}号{}室",
            ROADS[building % ROADS.len()],
            building + 1,
            within / 4 + 1,
            within % 4 + 1
        ),
        living_alone: i.is_multiple_of(7),
        visits: [visit(0), visit(1), visit(2)],
    }
}

fn ticket(i: usize) -> Ticket {
    let building = i / HOUSEHOLDS_PER_BUILDING;
    Ticket {
        building,
        place_text: format!("{}号楼{}单元楼道", building + 1, i % 4 + 1),
        description: format!("{}反映：楼道里堆放了纸箱和旧家具，堵住了消防通道", name(i)),
        replies: [
            "已联系物业，明天上午清理".to_owned(),
            "物业已上门查看，正在安排清运".to_owned(),
            "杂物已清理完毕，通道恢复畅通".to_owned(),
        ],
        resolved: !(i / 10).is_multiple_of(OPEN_TICKET_EVERY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_stable_and_every_tenth_is_a_ticket() {
        assert_eq!(record(42), record(42));
        assert!(matches!(record(9), Record::Ticket(_)));
        assert!(matches!(record(10), Record::Household(_)));
        let Record::Household(h) = record(123) else {
            panic!("a household")
        };
        assert_eq!(h.building, 1);
        assert_eq!(h.phone.len(), 11);
        assert!(h.address.contains('弄'), "{}", h.address);
        assert_eq!(buildings_for(3000), 30);
        assert_eq!(buildings_for(1), 1);
    }
}
