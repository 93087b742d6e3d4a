//! `reciprocity analyze apim`: reads one row per person, groups rows into
//! dyads, and fits the actor–partner interdependence model from the
//! analytics crate (REML, as SAS PROC MIXED and nlme::gls give it).

use std::collections::HashMap;
use std::io::{BufRead, Write};

use analytics::apim::{distinguishable, indistinguishable, ApimFit, Dyad, Model, Person, Term};
use serde::Serialize;

use crate::csv::{CsvError, CsvReader};
use crate::format::{num, p_clause, p_value, table};
use crate::{input_error, AnalyzeError, Format};

#[derive(Debug, Clone, clap::Args)]
pub struct ApimArgs {
    /// CSV with a header and one row per person; `-` reads standard input.
    #[arg(long)]
    pub input: String,
    /// Column holding the dyad id.
    #[arg(long)]
    pub dyad: String,
    /// Column holding the predictor X.
    #[arg(long)]
    pub x: String,
    /// Column holding the outcome Y.
    #[arg(long)]
    pub y: String,
    /// Column distinguishing the two members (e.g. role or gender): separate
    /// actor and partner effects per value, and a test of whether they differ.
    #[arg(long)]
    pub distinguish: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The largest magnitude a value may have: its square, summed over ten
/// million rows, stays far below f64's 1.8e308.
const VALUE_LIMIT: f64 = 1e100;

/// Data the model cannot be fitted to, refused with what is wrong, instead
/// of estimates with null standard errors and exit 0: an outcome with no
/// variation (nothing to explain), a predictor with none (actor and partner
/// effects cannot be told from the intercept), or a predictor identical to
/// the outcome.
fn refuse_degenerate(args: &ApimArgs, dyads: &[Dyad]) -> Result<(), AnalyzeError> {
    let people = || dyads.iter().flat_map(|d| d.members.iter());
    let constant = |values: Vec<f64>| values.windows(2).all(|w| w[0] == w[1]);
    let ys: Vec<f64> = people().filter_map(|p| p.y).collect();
    let xs: Vec<f64> = people().filter_map(|p| p.x).collect();
    if constant(ys) {
        return Err(input_error(format!(
            "column \"{}\" (--y) has the same value in every row: there is no variation to explain",
            args.y
        )));
    }
    if constant(xs) {
        return Err(input_error(format!(
            "column \"{}\" (--x) has the same value in every row: actor and partner effects \
             cannot be told apart from the intercept",
            args.x
        )));
    }
    let pairs: Vec<(f64, f64)> = people().filter_map(|p| Some((p.x?, p.y?))).collect();
    if pairs.iter().all(|(x, y)| x == y) {
        return Err(input_error(format!(
            "columns \"{}\" (--x) and \"{}\" (--y) are equal in every row: \
             a variable cannot predict itself",
            args.x, args.y
        )));
    }
    Ok(())
}

/// A number, or `None` for the usual spellings of a missing value.
fn value(field: &[u8], column: &str, line: u64) -> Result<Option<f64>, AnalyzeError> {
    if field.is_empty() || field == b"NA" || field == b"." {
        return Ok(None);
    }
    let text = std::str::from_utf8(field).ok();
    match text.and_then(|t| t.parse::<f64>().ok()) {
        // Sums of squares of larger values overflow double precision; the
        // fit would print nulls instead of saying why.
        Some(v) if v.is_finite() && v.abs() > VALUE_LIMIT => Err(input_error(format!(
            "line {line}: column \"{column}\": {v:e} is too large to compute with; \
             rescale the column (for example to thousands) and run again"
        ))),
        Some(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(input_error(format!(
            "line {line}: column \"{column}\": \"{}\" is not a number (leave it empty or write NA if missing)",
            lossy(field)
        ))),
    }
}

/// The dyads as read, and the lines each dyad's rows are on (so an error
/// about a dyad can say where to look).
struct Read {
    dyads: Vec<Dyad>,
    lines: HashMap<String, Vec<u64>>,
}

impl Read {
    /// `ids` with the lines of each, e.g. `c3 (lines 7, 8, 9)`.
    fn located(&self, ids: &[String]) -> String {
        const SHOWN: usize = 10;
        let mut parts: Vec<String> = ids
            .iter()
            .take(SHOWN)
            .map(|id| {
                let lines = self.lines.get(id).map(Vec::as_slice).unwrap_or_default();
                let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
                let word = if lines.len() == 1 { "line" } else { "lines" };
                format!("{id} ({word} {})", lines.join(", "))
            })
            .collect();
        if ids.len() > SHOWN {
            parts.push(format!("and {} more", ids.len() - SHOWN));
        }
        parts.join("; ")
    }

    /// A fit's refusal, with the lines of the dyads it names.
    fn explain(&self, err: &analytics::apim::ApimError) -> String {
        use analytics::apim::ApimError;
        match err {
            ApimError::Incomplete(ids)
            | ApimError::TooManyMembers(ids)
            | ApimError::RolesPerDyad(ids) => {
                format!("{err}. Where: {}", self.located(ids))
            }
            other => other.to_string(),
        }
    }
}

fn read(args: &ApimArgs, input: impl BufRead) -> Result<Read, AnalyzeError> {
    let csv_error = |e: CsvError| input_error(e.describe());
    let mut reader = CsvReader::new(input);
    let header: Vec<String> = match reader.next_record().map_err(csv_error)? {
        Some(rec) => crate::csv::header_names(&rec, false).map_err(input_error)?,
        None => return Err(input_error("the input is empty: expected a header line")),
    };
    let find = |name: &str, flag: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            input_error(format!(
                "line 1: no column \"{name}\" (given by --{flag}); the header is \"{}\"",
                header.join(",")
            ))
        })
    };
    let dyad_col = find(&args.dyad, "dyad")?;
    let x_col = find(&args.x, "x")?;
    let y_col = find(&args.y, "y")?;
    let role_col = args
        .distinguish
        .as_deref()
        .map(|d| find(d, "distinguish"))
        .transpose()?;

    let mut dyads: Vec<Dyad> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut lines: HashMap<String, Vec<u64>> = HashMap::new();
    while let Some(rec) = reader.next_record().map_err(csv_error)? {
        let line = rec.line();
        crate::csv::check_width(&rec, header.len()).map_err(input_error)?;
        let field = |i: usize| rec.get(i).unwrap_or_default();
        let id = lossy(field(dyad_col));
        if id.is_empty() {
            return Err(input_error(format!(
                "line {line}: empty dyad id in column \"{}\"",
                args.dyad
            )));
        }
        let role = match role_col {
            Some(c) => {
                let r = lossy(field(c));
                if r.is_empty() {
                    return Err(input_error(format!(
                        "line {line}: empty value in the distinguishing column \"{}\"",
                        header[c]
                    )));
                }
                Some(r)
            }
            None => None,
        };
        let person = Person {
            role,
            x: value(field(x_col), &args.x, line)?,
            y: value(field(y_col), &args.y, line)?,
        };
        lines.entry(id.clone()).or_default().push(line);
        match index.get(&id) {
            Some(&i) => dyads[i].members.push(person),
            None => {
                index.insert(id.clone(), dyads.len());
                dyads.push(Dyad {
                    id,
                    members: vec![person],
                });
            }
        }
    }
    if dyads.is_empty() {
        return Err(input_error("no data rows after the header"));
    }
    Ok(Read { dyads, lines })
}

#[derive(Serialize)]
struct EffectJson<'a> {
    term: &'static str,
    role: Option<&'a str>,
    estimate: Option<f64>,
    se: Option<f64>,
    df: Option<f64>,
    t: Option<f64>,
    p: Option<f64>,
}

#[derive(Serialize)]
struct RoleVariance<'a> {
    role: &'a str,
    variance: f64,
}

#[derive(Serialize)]
struct TestJson {
    chi2: f64,
    df: u32,
    p: Option<f64>,
}

#[derive(Serialize)]
struct ApimJson<'a> {
    model: &'static str,
    n_dyads: usize,
    estimation: &'static str,
    effects: Vec<EffectJson<'a>>,
    residual_variance: Option<f64>,
    dyad_covariance: Option<f64>,
    partial_icc: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    role_variances: Vec<RoleVariance<'a>>,
    ml_deviance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distinguishability_test: Option<TestJson>,
}

fn term_name(t: Term) -> &'static str {
    match t {
        Term::Intercept => "intercept",
        Term::Actor => "actor",
        Term::Partner => "partner",
        // The core's `Effect::name` carries the column name.
        Term::Covariate(_) => "covariate",
    }
}

fn model_name(m: Model) -> &'static str {
    match m {
        Model::Indistinguishable => "indistinguishable",
        Model::Distinguishable => "distinguishable",
    }
}

pub fn run(args: &ApimArgs, input: impl BufRead, out: &mut dyn Write) -> Result<(), AnalyzeError> {
    let read = read(args, input)?;
    refuse_degenerate(args, &read.dyads)?;
    let fit = if args.distinguish.is_some() {
        distinguishable(&read.dyads)
    } else {
        indistinguishable(&read.dyads)
    }
    .map_err(|e| input_error(read.explain(&e)))?;
    match args.format {
        Format::Json => write_json(&fit, out),
        Format::Table => write_table(&fit, out),
    }
}

fn write_json(fit: &ApimFit, out: &mut dyn Write) -> Result<(), AnalyzeError> {
    let doc = ApimJson {
        model: model_name(fit.model),
        n_dyads: fit.n_dyads,
        estimation: "REML (closed form for complete dyads); Satterthwaite df",
        effects: fit
            .effects
            .iter()
            .map(|e| EffectJson {
                term: term_name(e.term),
                role: e.role.as_deref(),
                estimate: e.estimate.is_finite().then_some(e.estimate),
                se: e.se,
                df: e.df,
                t: e.t,
                p: e.p,
            })
            .collect(),
        residual_variance: fit.residual_variance,
        dyad_covariance: fit.dyad_covariance,
        partial_icc: fit.partial_icc,
        role_variances: fit
            .role_variances
            .iter()
            .map(|(role, variance)| RoleVariance {
                role,
                variance: *variance,
            })
            .collect(),
        ml_deviance: fit.ml_deviance.is_finite().then_some(fit.ml_deviance),
        distinguishability_test: fit.distinguishability_test.map(|t| TestJson {
            chi2: t.chi2,
            df: t.df,
            p: t.p,
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| AnalyzeError::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

fn write_table(fit: &ApimFit, out: &mut dyn Write) -> Result<(), AnalyzeError> {
    writeln!(
        out,
        "Actor–partner interdependence model, {} dyads: {} (REML; Satterthwaite df)",
        model_name(fit.model),
        fit.n_dyads
    )?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = fit
        .effects
        .iter()
        .map(|e| {
            vec![
                term_name(e.term).to_owned(),
                e.role.clone().unwrap_or_else(|| "–".to_owned()),
                num(Some(e.estimate).filter(|v| v.is_finite()), 4),
                num(e.se, 4),
                num(e.df, 1),
                num(e.t, 3),
                p_value(e.p),
            ]
        })
        .collect();
    table(
        out,
        &["term", "role", "estimate", "SE", "df", "t", "p"],
        &rows,
        2,
    )?;
    writeln!(out)?;
    match fit.model {
        Model::Indistinguishable => writeln!(
            out,
            "residual variance {}, dyad covariance {}, partial ICC {}",
            num(fit.residual_variance, 5),
            num(fit.dyad_covariance, 5),
            num(fit.partial_icc, 4)
        )?,
        Model::Distinguishable => {
            let vars: Vec<String> = fit
                .role_variances
                .iter()
                .map(|(r, v)| format!("{r}: {}", num(Some(*v), 5)))
                .collect();
            writeln!(
                out,
                "residual variances {}, covariance {}, residual correlation {}",
                vars.join(", "),
                num(fit.dyad_covariance, 5),
                num(fit.partial_icc, 4)
            )?;
        }
    }
    if let Some(t) = fit.distinguishability_test {
        writeln!(
            out,
            "distinguishability (ML deviance difference): χ² = {}, df = {}, {}",
            num(Some(t.chi2), 3),
            t.df,
            p_clause(t.p)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(distinguish: Option<&str>) -> ApimArgs {
        ApimArgs {
            input: "-".into(),
            dyad: "couple".into(),
            x: "x".into(),
            y: "y".into(),
            distinguish: distinguish.map(Into::into),
            format: Format::Json,
        }
    }

    fn err(a: &ApimArgs, csv: &str) -> String {
        let mut out = Vec::new();
        match run(a, csv.as_bytes(), &mut out) {
            Err(AnalyzeError::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn bad_input_names_the_line_or_the_dyads() {
        let a = args(None);
        assert!(err(&a, "couple,x\n1,2\n").contains("no column \"y\""));
        assert!(err(&a, "couple,x,y\n1,2,abc\n")
            .starts_with("line 2: column \"y\": \"abc\" is not a number"));
        assert!(err(&a, "couple,x,y\n1,2,inf\n").starts_with("line 2"));
        let incomplete = err(&a, "couple,x,y\n1,2,3\n1,3,4\n2,1,2\n3,1,\n3,2,2\n");
        assert!(
            incomplete.contains("incomplete dyads") && incomplete.contains("2, 3"),
            "{incomplete}"
        );
        let d = args(Some("role"));
        assert!(
            err(&d, "couple,x,y,role\n1,2,3,a\n1,3,4,b\n2,1,2,c\n2,1,1,a\n")
                .contains("exactly two values")
        );
    }
}
