//! The day-end report as CSV (one row per figure, for spreadsheets) and as Markdown with Chinese
//! headings (for sharing in a chat group or printing).

use std::fmt::Write;

use super::DayReport;
use crate::records::Coded;
use crate::records::gate_log::GateEntryKind;

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl DayReport {
    /// One row per figure: 分类,项目,对象,数值 (section, figure, subject, value).
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<[String; 4]> = Vec::new();
        let mut row = |a: &str, b: &str, c: &str, v: u32| {
            rows.push([a.to_owned(), b.to_owned(), c.to_owned(), v.to_string()]);
        };
        row("走访", "走访次数", "合计", self.total_visits);
        row("走访", "覆盖户数", "合计", self.households_covered);
        for l in &self.visits {
            row("走访", "走访次数", &l.name, l.visits);
            row("走访", "覆盖户数", &l.name, l.households);
            row("走访", "见面次数", &l.name, l.met);
            row("走访", "健康异常", &l.name, l.health_concerns);
            row("走访", "待跟进", &l.name, l.follow_ups);
        }
        row("重点关注", "关注户数", "合计", self.watch.households);
        row("重点关注", "应查次数", "合计", self.watch.due);
        row("重点关注", "已查次数", "合计", self.watch.done);
        row(
            "重点关注",
            "未达标户数",
            "合计",
            self.watch.households_short,
        );
        for i in &self.isolation {
            row("居家隔离", "应询问", &i.address, i.due);
            row("居家隔离", "已询问", &i.address, i.done);
            row("居家隔离", "漏询问", &i.address, i.missed);
            row("居家隔离", "发热或有症状", &i.address, i.flagged);
        }
        row("居民", "迁入返回", "合计", self.arrivals);
        row("居民", "迁出", "合计", self.departures);
        row("提醒", "待办", "合计", self.reminders.due);
        row("提醒", "已办", "合计", self.reminders.done);
        row("提醒", "逾期", "合计", self.reminders.overdue);
        for t in &self.tickets {
            let level = t.level.label_zh();
            row("工单", "新增", level, t.opened);
            row("工单", "受理", level, t.accepted);
            row("工单", "上报", level, t.escalated);
            row("工单", "办结", level, t.resolved);
            row("工单", "超期", level, t.overdue);
            row("工单", "未结", level, t.open);
        }
        let n = &self.needs;
        row("需求清单", "新增需求", "合计", n.recorded);
        row("需求清单", "认领", "合计", n.claimed);
        row("需求清单", "服务次数", "合计", n.services);
        row("需求清单", "服务分钟", "合计", n.minutes);
        row("需求清单", "确认完成", "合计", n.confirmed);
        row("需求清单", "待认领", "合计", n.open);
        for e in &self.evaluations {
            let section = format!("评议{}", e.month);
            for s in &e.subjects {
                row(
                    &section,
                    &format!("{}评分次数", s.kind.label_zh()),
                    &s.name,
                    s.ratings,
                );
                row(
                    &section,
                    &format!("{}平均分×100", s.kind.label_zh()),
                    &s.name,
                    s.mean_x100,
                );
            }
            for c in &e.candidates {
                row(&section, "最美楼栋长得票", &c.name, c.votes);
            }
            row(&section, "重复投票人数", "合计", e.double_voters);
        }
        for d in &self.departments {
            row("部门派单", "新派", &d.name, d.received);
            row("部门派单", "按时答复", &d.name, d.answered_in_time);
            row("部门派单", "超时答复", &d.name, d.answered_late);
            row("部门派单", "超期未结", &d.name, d.overdue);
            row("部门派单", "未结", &d.name, d.open);
        }
        for d in &self.duty {
            row("值班", "班次岗位", &d.gate_name, d.slots);
            row("值班", "已排班", &d.gate_name, d.planned);
            row("值班", "准时到岗", &d.gate_name, d.on_time);
            row("值班", "迟到", &d.gate_name, d.late);
            row("值班", "缺岗", &d.gate_name, d.no_show);
            row("值班", "未到时", &d.gate_name, d.pending);
        }
        for g in &self.gate_entries {
            let what = GateEntryKind::label_zh(&g.kind);
            row("门岗登记", what, &g.gate_name, g.count);
            if g.flagged > 0 {
                row(
                    "门岗登记",
                    &format!("{what}（异常）"),
                    &g.gate_name,
                    g.flagged,
                );
            }
        }
        let mut out = String::from("分类,项目,对象,数值\n");
        for r in rows {
            let line: Vec<String> = r.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }

    /// Markdown with Chinese headings and tables.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# {} 日报 {}\n", self.community, self.date);
        let _ = writeln!(
            md,
            "## 入户走访\n\n共走访 {} 次，覆盖 {} 户。\n",
            self.total_visits, self.households_covered
        );
        if !self.visits.is_empty() {
            md.push_str("| 走访人 | 走访次数 | 覆盖户数 | 见面 | 健康异常 | 待跟进 |\n|---|---:|---:|---:|---:|---:|\n");
            for l in &self.visits {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} |",
                    l.name, l.visits, l.households, l.met, l.health_concerns, l.follow_ups
                );
            }
            md.push('\n');
        }
        let _ = writeln!(
            md,
            "## 重点关注对象\n\n关注 {} 户，应查 {} 次，已查 {} 次，{} 户未达标。\n",
            self.watch.households, self.watch.due, self.watch.done, self.watch.households_short
        );
        if !self.isolation.is_empty() {
            md.push_str("## 居家隔离\n\n| 住户 | 应询问 | 已询问 | 漏询问 | 发热或有症状 |\n|---|---:|---:|---:|---:|\n");
            for i in &self.isolation {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    i.address, i.due, i.done, i.missed, i.flagged
                );
            }
            md.push('\n');
        }
        let _ = writeln!(
            md,
            "## 居民迁入迁出\n\n迁入或返回 {} 人，迁出 {} 人。\n",
            self.arrivals, self.departures
        );
        let _ = writeln!(
            md,
            "## 民情日志提醒\n\n待办 {} 项，今日已办 {} 项，逾期 {} 项。\n",
            self.reminders.due, self.reminders.done, self.reminders.overdue
        );
        md.push_str("## 工单\n\n| 层级 | 新增 | 受理 | 上报 | 办结 | 超期 | 未结 |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for t in &self.tickets {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                t.level.label_zh(),
                t.opened,
                t.accepted,
                t.escalated,
                t.resolved,
                t.overdue,
                t.open
            );
        }
        let n = &self.needs;
        let _ = writeln!(
            md,
            "\n## 需求清单\n\n新增 {} 项，认领 {} 项，服务 {} 次共 {:.1} 小时，确认完成 {} 项，待认领 {} 项。",
            n.recorded,
            n.claimed,
            n.services,
            f64::from(n.minutes) / 60.0,
            n.confirmed,
            n.open
        );
        for e in &self.evaluations {
            let _ = writeln!(md, "\n## {} 评议结果\n", e.month);
            if let Some(w) = &e.winner {
                let _ = writeln!(md, "最美楼栋长：{w}\n");
            }
            md.push_str("| 对象 | 类别 | 评分次数 | 平均分 |\n|---|---|---:|---:|\n");
            for s in &e.subjects {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {}.{:02} |",
                    s.name,
                    s.kind.label_zh(),
                    s.ratings,
                    s.mean_x100 / 100,
                    s.mean_x100 % 100
                );
            }
            if e.double_voters > 0 {
                let _ = writeln!(md, "\n重复投票 {} 人，每人只计第一票。", e.double_voters);
            }
        }
        if !self.departments.is_empty() {
            md.push_str(
                "\n## 部门派单\n\n| 部门 | 新派 | 按时答复 | 超时答复 | 超期未结 | 未结 |\n\
                 |---|---:|---:|---:|---:|---:|\n",
            );
            for d in &self.departments {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} |",
                    d.name, d.received, d.answered_in_time, d.answered_late, d.overdue, d.open
                );
            }
        }
        md.push_str("\n## 门岗值班\n\n");
        if self.duty.is_empty() {
            md.push_str("当日无排班。\n");
        } else {
            md.push_str(
                "| 门岗 | 岗位 | 已排班 | 准时 | 迟到 | 缺岗 | 未到时 |\n\
                 |---|---:|---:|---:|---:|---:|---:|\n",
            );
            for d in &self.duty {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    d.gate_name, d.slots, d.planned, d.on_time, d.late, d.no_show, d.pending
                );
            }
        }
        md.push_str("\n## 门岗登记\n\n");
        if self.gate_entries.is_empty() {
            md.push_str("当日无登记。\n");
        } else {
            md.push_str("| 门岗 | 类别 | 数量 | 异常 |\n|---|---|---:|---:|\n");
            for g in &self.gate_entries {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} |",
                    g.gate_name,
                    GateEntryKind::label_zh(&g.kind),
                    g.count,
                    g.flagged
                );
            }
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_quotes() {
        assert_eq!(csv_field("东门"), "东门");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"好\""), "\"说\"\"好\"\"\"");
    }
}
