//! Draws one small SVG line plot from points on stdin, for `benches/curves`.
//!
//! ```text
//! bench-plot --out FILE.svg --title TEXT --x LABEL --y LABEL [--log-x] < points.tsv
//! ```
//!
//! Each input line is `series<TAB>x<TAB>y`; each series becomes one line with its points
//! marked, in the order the series first appear. Exits 2 with the line number on input it cannot
//! read.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;
use std::process::ExitCode;

use plotters::coord::Shift;
use plotters::prelude::*;

/// One named line: its points (x, y) in order.
type Series = (String, Vec<(f64, f64)>);

/// What to draw and where.
struct Plot {
    out: String,
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    /// Series in first-seen order, each with its points.
    series: Vec<Series>,
}

fn main() -> ExitCode {
    match read_plot().and_then(|plot| draw(&plot)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-plot: {message}");
            ExitCode::from(2)
        }
    }
}

fn read_plot() -> Result<Plot, String> {
    let mut flags = BTreeMap::new();
    let mut log_x = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--log-x" => log_x = true,
            "--out" | "--title" | "--x" | "--y" => {
                let value = args.next().ok_or(format!("{flag} needs a value"))?;
                flags.insert(flag, value);
            }
            other => return Err(format!("unknown argument '{other}'; see the usage in benches/plot/src/main.rs")),
        }
    }
    let mut take = |flag: &str| flags.remove(flag).ok_or(format!("{flag} is required"));
    let (out, title, x_label, y_label) = (take("--out")?, take("--title")?, take("--x")?, take("--y")?);
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| format!("cannot read the points: {e}"))?;
    let series = parse_points(&input)?;
    Ok(Plot { out, title, x_label, y_label, log_x, series })
}

/// Reads `series<TAB>x<TAB>y` lines (blank lines skipped) into series in first-seen order.
fn parse_points(input: &str) -> Result<Vec<Series>, String> {
    let mut series: Vec<Series> = Vec::new();
    for (index, line) in input.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = || format!("line {}: '{line}' is not series<TAB>x<TAB>y with numbers x and y", index + 1);
        let mut parts = line.split('\t');
        let (Some(name), Some(x), Some(y), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let point = (x.trim().parse::<f64>().map_err(|_| bad())?, y.trim().parse::<f64>().map_err(|_| bad())?);
        match series.iter_mut().find(|(n, _)| n == name) {
            Some((_, points)) => points.push(point),
            None => series.push((name.to_owned(), vec![point])),
        }
    }
    if series.is_empty() {
        return Err("no points on stdin".into());
    }
    Ok(series)
}

/// The span of the values, widened so no point sits on the frame.
fn span(values: impl Iterator<Item = f64>, from_zero: bool) -> Range<f64> {
    let (low, high) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let low = if from_zero { 0.0 } else { low };
    low..high + (high - low).abs().max(1.0) * 0.08
}

fn draw(plot: &Plot) -> Result<(), String> {
    let root = SVGBackend::new(&plot.out, (640, 400)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let points = || plot.series.iter().flat_map(|(_, p)| p.iter().copied());
    let y = span(points().map(|p| p.1), true);
    let x = span(points().map(|p| p.0), false);
    if plot.log_x {
        let x = x.start.max(1.0)..x.end * 1.5;
        chart(&root, plot, x.log_scale(), y)
    } else {
        chart(&root, plot, x, y)
    }
    .map_err(|e| format!("cannot draw {}: {e}", plot.out))?;
    root.present().map_err(|e| format!("cannot write {}: {e}", plot.out))
}

fn chart<X>(root: &DrawingArea<SVGBackend<'_>, Shift>, plot: &Plot, x: X, y: Range<f64>) -> Result<(), String>
where
    X: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    X::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(&plot.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())?;
    chart.configure_mesh().x_desc(&plot.x_label).y_desc(&plot.y_label).draw().map_err(|e| e.to_string())?;
    for (index, (name, points)) in plot.series.iter().enumerate() {
        let color = Palette99::pick(index).to_rgba();
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_group_by_series_in_first_seen_order_and_bad_lines_name_their_number() {
        let series = parse_points("b\t1\t10\n\na\t2\t20\nb\t3\t30\n").expect("reads");
        assert_eq!(series, [("b".to_owned(), vec![(1.0, 10.0), (3.0, 30.0)]), ("a".to_owned(), vec![(2.0, 20.0)])]);
        for (input, said) in
            [("a\t1\n", "line 1:"), ("a\t1\t2\nb\tx\t2\n", "line 2:"), ("a\t1\t2\t3\n", "line 1:"), ("", "no points")]
        {
            let error = parse_points(input).expect_err(input);
            assert!(error.contains(said), "{error}");
        }
    }
}
