//! Figures: what a benchmark measured, printed as a table for people while it runs and, at the
//! end, as one JSON line per figure for scripts.
#![allow(clippy::print_stdout)]

use std::fmt::Write as _;

use serde::Serialize;

/// One measured number.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// What was measured, e.g. `sync.cold_push.linli.n3000.wall`.
    pub figure: String,
    /// The value (a median when repeated), or `null` when it did not finish.
    pub value: Option<f64>,
    /// Its unit.
    pub unit: &'static str,
    /// For comparisons: the other system's value divided by this one (so that "20× faster"
    /// reads as `ratio: 20`), or this one over its baseline for shares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// The bar the issue of this figure sets, in words, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bar: Option<String>,
    /// Whether the bar is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_bar: Option<bool>,
}

impl Figure {
    /// A plain figure.
    pub fn new(figure: impl Into<String>, value: f64, unit: &'static str) -> Figure {
        Figure {
            figure: figure.into(),
            value: Some(value),
            unit,
            ratio: None,
            bar: None,
            meets_bar: None,
        }
    }

    /// A figure that was not measured because the run hit its time cap.
    pub fn did_not_finish(figure: impl Into<String>, unit: &'static str) -> Figure {
        Figure {
            value: None,
            ..Figure::new(figure, 0.0, unit)
        }
    }

    /// With a ratio.
    pub fn ratio(mut self, ratio: f64) -> Figure {
        self.ratio = Some(ratio);
        self
    }

    /// With a bar and whether it is met.
    pub fn bar(mut self, bar: impl Into<String>, met: bool) -> Figure {
        self.bar = Some(bar.into());
        self.meets_bar = Some(met);
        self
    }
}

/// The figures of a whole run.
#[derive(Debug, Default)]
pub struct Report {
    figures: Vec<Figure>,
}

impl Report {
    /// Adds figures and prints them as a table under `title`.
    pub fn section(&mut self, title: &str, figures: Vec<Figure>) {
        println!("\n{}", table(title, &figures));
        self.figures.extend(figures);
    }

    /// Prints one JSON line per figure.
    pub fn print_json(&self) {
        for f in &self.figures {
            println!("{}", serde_json::to_string(f).unwrap_or_default());
        }
    }
}

/// A table of figures, aligned for a terminal.
pub fn table(title: &str, figures: &[Figure]) -> String {
    let mut out = format!("== {title} ==\n");
    let width = figures.iter().map(|f| f.figure.len()).max().unwrap_or(0);
    for f in figures {
        let value = match f.value {
            Some(v) => format!("{} {}", number(v), f.unit),
            None => "did not finish".to_owned(),
        };
        let _ = write!(out, "  {:<width$}  {value:>18}", f.figure);
        if let Some(r) = f.ratio {
            let _ = write!(out, "   ratio {}", number(r));
        }
        if let (Some(bar), Some(met)) = (&f.bar, f.meets_bar) {
            let _ = write!(out, "   [{} {bar}]", if met { "meets" } else { "MISSES" });
        }
        out.push('\n');
    }
    out
}

/// A number with three significant digits or so.
fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// The median of `values` (0 when empty).
pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`th percentile of `values` by the nearest-rank method (0 when empty).
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(median(&v), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), 2.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn a_table_marks_missed_bars_and_unfinished_runs() {
        let t = table(
            "t",
            &[
                Figure::new("a", 1.5, "s").bar("≤ 2 s", true),
                Figure::new("b", 3.0, "s").ratio(20.0).bar("≤ 2 s", false),
                Figure::did_not_finish("c", "s"),
            ],
        );
        assert!(t.contains("meets ≤ 2 s"), "{t}");
        assert!(t.contains("MISSES ≤ 2 s"), "{t}");
        assert!(t.contains("ratio 20.00"), "{t}");
        assert!(t.contains("did not finish"), "{t}");
    }
}
