//! Charts as server-side SVG, readable without JavaScript: horizontal bars, grouped bars, and
//! columns with lines over time. Pure (no I/O). Every text written is escaped (labels are
//! opening titles people type), there are no `style` attributes and no scripts (the CSP
//! allows neither): colours are presentation attributes, restyled by the classes in
//! `static/app.css`. Each chart is `role="img"` with a `<title>` it is labelled by, and each
//! value is written next to its bar.
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 210.0;
const BAR_MAX: f64 = 360.0;
const ROW_H: f64 = 28.0;
const BAR_H: f64 = 18.0;
const TOP: f64 = 8.0;
/// Text and series colours: each at least 4.5:1 against white.
const TEXT: &str = "#1b1f24";
const MUTED: &str = "#5a6270";
const GRID: &str = "#d5d9e0";
const SERIES: [&str; 4] = ["#1f5fbf", "#a34700", "#1a7f37", "#6f42c1"];
const FONT: &str = "system-ui, sans-serif";

/// Escapes a text for SVG (XML) content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An id safe in attributes and references: letters, digits and `-` only.
fn safe_id(id: &str) -> String {
    let s: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    if s.is_empty() { "chart".into() } else { s }
}

/// A label cut to `max` characters (with an ellipsis), whole characters only.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The length of a bar of `value` when `max` fills `full` (0 for nothing to draw).
pub fn bar_length(value: i64, max: i64, full: f64) -> f64 {
    if max <= 0 || value <= 0 {
        0.0
    } else {
        value.min(max) as f64 * full / max as f64
    }
}

fn open(out: &mut String, id: &str, title: &str, summary: &str, height: f64, class: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="{FONT}" font-size="13"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(summary),
    );
}

fn empty_chart(id: &str, title: &str, empty: &str) -> String {
    let mut out = String::new();
    open(&mut out, id, title, empty, 48.0, "chart-empty");
    let _ = write!(out, r#"<text class="chart-note" x="{}" y="28" text-anchor="middle" fill="{MUTED}">{}</text></svg>"#, WIDTH / 2.0, escape(empty));
    out
}

fn summary_of(bars: &[(String, i64)]) -> String {
    bars.iter().map(|(l, v)| format!("{l}: {v}")).collect::<Vec<_>>().join("; ")
}

/// Horizontal bars, one per (label, value), each value written at the end of its bar. No
/// value above zero: a chart saying `empty`.
pub fn bar_chart(id: &str, title: &str, bars: &[(String, i64)], empty: &str) -> String {
    let id = safe_id(id);
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0);
    if max <= 0 {
        return empty_chart(&id, title, empty);
    }
    let height = TOP * 2.0 + ROW_H * bars.len() as f64;
    let mut out = String::new();
    open(&mut out, &id, title, &summary_of(bars), height, "chart-bars");
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let len = bar_length(*value, max, BAR_MAX);
        let mid = y + BAR_H / 2.0 + 4.5;
        let _ = write!(
            out,
            r#"<g class="chart-row"><text class="chart-label" x="{lx}" y="{mid}" text-anchor="end" fill="{TEXT}">{label}</text><rect class="chart-bar chart-s0" x="{LABEL_W}" y="{y}" width="{len:.1}" height="{BAR_H}" fill="{fill}"/><text class="chart-value" x="{vx:.1}" y="{mid}" fill="{TEXT}">{value}</text></g>"#,
            lx = LABEL_W - 8.0,
            label = escape(&shorten(label, 30)),
            fill = SERIES[0],
            vx = LABEL_W + len + 6.0,
        );
    }
    out.push_str("</svg>");
    out
}

fn legend(out: &mut String, series: &[&str], y: f64) {
    let mut x = LABEL_W;
    for (i, name) in series.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect class="chart-s{i}" x="{x}" y="{ry}" width="12" height="12" fill="{fill}"/><text class="chart-legend" x="{tx}" y="{ty}" fill="{TEXT}">{name}</text>"#,
            ry = y - 10.0,
            fill = SERIES[i % SERIES.len()],
            tx = x + 16.0,
            ty = y,
            name = escape(name),
        );
        x += 16.0 + 8.0 * name.chars().count() as f64 + 18.0;
    }
}

/// Groups of horizontal bars (one bar per series in each group), a legend on top, every value
/// written next to its bar.
pub fn grouped_bar_chart(id: &str, title: &str, series: &[&str], groups: &[(String, Vec<i64>)], empty: &str) -> String {
    let id = safe_id(id);
    let max = groups.iter().flat_map(|g| g.1.iter().copied()).max().unwrap_or(0);
    if max <= 0 || series.is_empty() {
        return empty_chart(&id, title, empty);
    }
    let bar_h = 14.0;
    let group_h = bar_h * series.len() as f64 + 12.0;
    let legend_h = 26.0;
    let height = TOP + legend_h + group_h * groups.len() as f64 + TOP;
    let summary = groups
        .iter()
        .map(|(l, vs)| format!("{l}: {}", series.iter().zip(vs).map(|(s, v)| format!("{s} {v}")).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open(&mut out, &id, title, &summary, height, "chart-grouped");
    legend(&mut out, series, TOP + 14.0);
    for (g, (label, values)) in groups.iter().enumerate() {
        let y0 = TOP + legend_h + group_h * g as f64;
        let _ = write!(
            out,
            r#"<g class="chart-row"><text class="chart-label" x="{lx}" y="{ly}" text-anchor="end" fill="{TEXT}">{label}</text>"#,
            lx = LABEL_W - 8.0,
            ly = y0 + group_h / 2.0 - 2.0,
            label = escape(&shorten(label, 30)),
        );
        for (i, v) in values.iter().take(series.len()).enumerate() {
            let y = y0 + bar_h * i as f64;
            let len = bar_length(*v, max, BAR_MAX);
            let _ = write!(
                out,
                r#"<rect class="chart-bar chart-s{i}" x="{LABEL_W}" y="{y}" width="{len:.1}" height="{bh}" fill="{fill}"/><text class="chart-value" x="{vx:.1}" y="{ty}" font-size="11" fill="{TEXT}">{v}</text>"#,
                bh = bar_h - 2.0,
                fill = SERIES[i % SERIES.len()],
                vx = LABEL_W + len + 6.0,
                ty = y + bar_h - 4.0,
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Over time: the first series as columns (its values above them when there is room), the
/// others as lines, one point per period; a legend, the top value and period labels.
pub fn timeline_chart(id: &str, title: &str, periods: &[String], series: &[(&str, Vec<i64>)], empty: &str) -> String {
    let id = safe_id(id);
    let max = series.iter().flat_map(|s| s.1.iter().copied()).max().unwrap_or(0);
    if max <= 0 || periods.is_empty() || series.is_empty() {
        return empty_chart(&id, title, empty);
    }
    let (left, right, top, plot_h, bottom) = (44.0, 12.0, 40.0, 180.0, 30.0);
    let height = top + plot_h + bottom;
    let plot_w = WIDTH - left - right;
    let n = periods.len();
    let col_w = plot_w / n as f64;
    let summary = series
        .iter()
        .map(|(name, vs)| format!("{name}: {}", vs.iter().sum::<i64>()))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open(&mut out, &id, title, &summary, height, "chart-timeline");
    let names: Vec<&str> = series.iter().map(|s| s.0).collect();
    let mut x = left;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect class="chart-s{i}" x="{x}" y="6" width="12" height="12" fill="{fill}"/><text class="chart-legend" x="{tx}" y="16" fill="{TEXT}">{name}</text>"#,
            fill = SERIES[i % SERIES.len()],
            tx = x + 16.0,
            name = escape(name),
        );
        x += 16.0 + 8.0 * name.chars().count() as f64 + 18.0;
    }
    let base = top + plot_h;
    let y_of = |v: i64| base - bar_length(v, max, plot_h);
    let _ = write!(
        out,
        r#"<line class="chart-axis" x1="{left}" y1="{base}" x2="{x2}" y2="{base}" stroke="{MUTED}"/><line class="chart-grid" x1="{left}" y1="{top}" x2="{x2}" y2="{top}" stroke="{GRID}"/><text class="chart-tick" x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="{MUTED}">{max}</text><text class="chart-tick" x="{tx}" y="{base}" text-anchor="end" font-size="11" fill="{MUTED}">0</text>"#,
        x2 = WIDTH - right,
        tx = left - 6.0,
        ty = top + 4.0,
    );
    let (_, columns) = &series[0];
    let show_values = n <= 31;
    for (i, v) in columns.iter().take(n).enumerate() {
        let x = left + col_w * i as f64 + col_w * 0.15;
        let y = y_of(*v);
        let _ = write!(
            out,
            r#"<rect class="chart-bar chart-s0" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"><title>{p}: {v}</title></rect>"#,
            w = col_w * 0.7,
            h = base - y,
            fill = SERIES[0],
            p = escape(&periods[i]),
        );
        if show_values && *v > 0 {
            let _ = write!(
                out,
                r#"<text class="chart-value" x="{cx:.1}" y="{vy:.1}" text-anchor="middle" font-size="10" fill="{TEXT}">{v}</text>"#,
                cx = x + col_w * 0.35,
                vy = y - 3.0,
            );
        }
    }
    for (s, (_, values)) in series.iter().enumerate().skip(1) {
        let points: Vec<String> = values.iter().take(n).enumerate().map(|(i, v)| format!("{:.1},{:.1}", left + col_w * (i as f64 + 0.5), y_of(*v))).collect();
        let _ = write!(
            out,
            r#"<polyline class="chart-line chart-s{s}" points="{}" fill="none" stroke="{stroke}" stroke-width="2"/>"#,
            points.join(" "),
            stroke = SERIES[s % SERIES.len()],
        );
    }
    // At most about eight period labels.
    let every = n.div_ceil(8).max(1);
    for (i, p) in periods.iter().enumerate().step_by(every) {
        let _ = write!(
            out,
            r#"<text class="chart-tick" x="{x:.1}" y="{y}" text-anchor="middle" font-size="11" fill="{MUTED}">{p}</text>"#,
            x = left + col_w * (i as f64 + 0.5),
            y = base + 18.0,
            p = escape(p),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = r#"<script>alert("x")</script> & 'quoted'"#;

    fn no_raw_markup(svg: &str) {
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("style="), "no style attribute: {svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn hostile_labels_and_titles_are_escaped_in_every_chart() {
        let bars = vec![(HOSTILE.to_string(), 3)];
        for svg in [
            bar_chart("funnel", HOSTILE, &bars, HOSTILE),
            grouped_bar_chart("channels", HOSTILE, &[HOSTILE, "b"], &[(HOSTILE.to_string(), vec![1, 2])], HOSTILE),
            timeline_chart("activity", HOSTILE, &[HOSTILE.to_string()], &[(HOSTILE, vec![1]), ("b", vec![2])], HOSTILE),
            bar_chart("empty", HOSTILE, &[], HOSTILE),
        ] {
            no_raw_markup(&svg);
            assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"), "{svg}");
            assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=") && svg.contains("aria-labelledby="), "{svg}");
        }
    }

    #[test]
    fn zero_data_says_so_without_dividing_by_zero() {
        let zeros = vec![("a".to_string(), 0), ("b".to_string(), 0)];
        for svg in [
            bar_chart("z", "Funnel", &zeros, "No data"),
            bar_chart("z", "Funnel", &[], "No data"),
            grouped_bar_chart("z", "Channels", &["a"], &[("x".into(), vec![0])], "No data"),
            grouped_bar_chart("z", "Channels", &["a"], &[], "No data"),
            timeline_chart("z", "Activity", &["2026-11-01".into()], &[("a", vec![0])], "No data"),
            timeline_chart("z", "Activity", &[], &[], "No data"),
        ] {
            no_raw_markup(&svg);
            assert!(svg.contains(">No data</text>"), "{svg}");
            assert!(!svg.contains("<rect"), "{svg}");
        }
        assert_eq!(bar_length(5, 0, 100.0), 0.0);
        assert_eq!(bar_length(-3, 10, 100.0), 0.0);
    }

    #[test]
    fn bar_length_is_proportional_and_the_value_is_written() {
        let svg = bar_chart("p", "Funnel", &[("ten".into(), 10), ("five".into(), 5), ("one".into(), 1)], "No data");
        assert!(svg.contains(r#"width="360.0""#), "{svg}");
        assert!(svg.contains(r#"width="180.0""#), "{svg}");
        assert!(svg.contains(r#"width="36.0""#), "{svg}");
        for v in [">10</text>", ">5</text>", ">1</text>"] {
            assert!(svg.contains(v), "{v} in {svg}");
        }
        assert_eq!(bar_length(10, 40, 360.0), 90.0);
        let g = grouped_bar_chart("g", "Channels", &["a", "b"], &[("x".into(), vec![4, 2])], "No data");
        assert!(g.contains(r#"width="360.0""#) && g.contains(r#"width="180.0""#), "{g}");
    }

    #[test]
    fn long_labels_are_shortened_by_characters() {
        let long = "é".repeat(50);
        let svg = bar_chart("l", "t", &[(long, 1)], "No data");
        assert!(svg.contains(&format!("{}…", "é".repeat(29))));
    }
}
