//! Number formatting for the terminal table: fixed decimals, and an en dash
//! for a statistic that is undefined for the data (never "NaN").

pub const UNDEFINED: &str = "–";

/// `x` with `dp` decimals, or the dash.
pub fn num(x: Option<f64>, dp: usize) -> String {
    match x {
        Some(v) => format!("{v:.dp$}"),
        None => UNDEFINED.to_owned(),
    }
}

/// A p-value with 4 decimals; below that, "<0.0001".
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(v) if v < 0.000_05 => "<0.0001".to_owned(),
        other => num(other, 4),
    }
}

/// "p = 0.1220" or "p < 0.0001" for a sentence.
pub fn p_clause(p: Option<f64>) -> String {
    match p_value(p) {
        s if s.starts_with('<') => format!("p {} {}", '<', &s[1..]),
        s => format!("p = {s}"),
    }
}

/// Writes rows as aligned columns: the first `left` columns left-aligned
/// (labels), the rest right-aligned (numbers). Widths count characters, so
/// the dash and non-ASCII codes align.
pub fn table(
    out: &mut dyn std::io::Write,
    header: &[&str],
    rows: &[Vec<String>],
    left: usize,
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&head).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = w - cell.chars().count();
            if i < left {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(pad));
                }
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_is_a_dash_and_columns_align() {
        assert_eq!(num(None, 3), "–");
        assert_eq!(num(Some(1.23456), 3), "1.235");
        assert_eq!(p_value(Some(1e-9)), "<0.0001");
        let mut out = Vec::new();
        table(
            &mut out,
            &["code", "z"],
            &[
                vec!["a".into(), "–".into()],
                vec!["bb".into(), "-1.5".into()],
            ],
            1,
        )
        .expect("write");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(text, "code     z\na        –\nbb    -1.5\n");
    }
}
