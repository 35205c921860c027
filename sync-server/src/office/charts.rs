//! Bar charts drawn on the server as SVG: a row a label, its bar scaled to the largest value,
//! the value beside it. Labels are escaped; the picture needs no script and no font but the
//! page's (Chinese labels render with the system's CJK font).

use std::fmt::Write;

/// One bar: its label, its value, and whether it is a warning (drawn red).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Bar {
    pub label: String,
    pub value: u32,
    pub warn: bool,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: u32) -> Bar {
        Bar {
            label: label.into(),
            value,
            warn: false,
        }
    }

    pub fn warning(label: impl Into<String>, value: u32) -> Bar {
        Bar {
            warn: true,
            ..Bar::new(label, value)
        }
    }
}

const ROW: u32 = 26;
const LABEL_WIDTH: u32 = 150;
const BAR_WIDTH: u32 = 260;

/// The chart of `bars` titled `title` (its accessible name), as an inline `<svg>`; a chart of
/// no bars says so in words.
pub(super) fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let mut svg = String::new();
    let height = ROW * (bars.len().max(1) as u32) + 8;
    let width = LABEL_WIDTH + BAR_WIDTH + 60;
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"18\" class=\"none\">无 (none)</text>"
        );
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as u32 + 4;
        let w = (u64::from(bar.value) * u64::from(BAR_WIDTH) / u64::from(max)) as u32;
        let class = if bar.warn { "bar warn" } else { "bar" };
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"{class}\" x=\"{bx}\" y=\"{y}\" width=\"{w}\" height=\"18\"/>\
             <text x=\"{vx}\" y=\"{ty}\">{value}</text>",
            x = LABEL_WIDTH - 8,
            ty = y + 14,
            label = escape(&bar.label),
            bx = LABEL_WIDTH,
            vx = LABEL_WIDTH + w + 6,
            value = bar.value,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let svg = bar_chart(
            "走访",
            &[Bar::new("王建国", 4), Bar::warning("<script>", 2)],
        );
        assert!(svg.contains("width=\"260\""), "{svg}");
        assert!(svg.contains("width=\"130\""), "{svg}");
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("bar warn"));
        assert!(bar_chart("空", &[]).contains("无"));
    }
}
