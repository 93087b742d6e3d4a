//! `reciprocity analyze apim`: reads one row per person, groups rows into
//! dyads, and fits the actor–partner interdependence model from the
//! analytics crate (REML, as SAS PROC MIXED and nlme::gls give it).

use std::io::{BufRead, Write};
use std::path::Path;

use analytics::apim::{ApimFit, Model, Term};
use serde::Serialize;

use crate::apim_read::{read, Columns};
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
    /// A column to adjust for (repeatable): its effect on Y is estimated
    /// beside the actor and partner effects.
    #[arg(long = "covariate", value_name = "COL")]
    pub covariates: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
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
    /// Always present (possibly empty): what a reader must know.
    warnings: &'a [String],
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
    let cols = Columns {
        dyad: &args.dyad,
        x: &args.x,
        y: &args.y,
        distinguish: args.distinguish.as_deref(),
        covariates: &args.covariates,
    };
    let source = (args.input != "-").then(|| Path::new(&args.input));
    let (read, checks) = read(&cols, input, source)?;
    checks.refuse_degenerate(&args.x, &args.y)?;
    let model = if args.distinguish.is_some() {
        Model::Distinguishable
    } else {
        Model::Indistinguishable
    };
    let fit = read
        .data
        .fit(model)
        .map_err(|e| input_error(e.to_string()))?;
    let mut warnings = Vec::new();
    if read.singletons > 0 {
        warnings.push(format!(
            "{} of {} dyads have a single row (the partner is absent); they contribute \
             that row only",
            read.singletons, read.dyads
        ));
    }
    let _ = read.rows;
    match args.format {
        Format::Json => write_json(&fit, &warnings, out),
        Format::Table => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            write_table(&fit, out)
        }
    }
}

fn write_json(fit: &ApimFit, warnings: &[String], out: &mut dyn Write) -> Result<(), AnalyzeError> {
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
        warnings,
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
            covariates: Vec::new(),
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
        let d = args(Some("role"));
        assert!(
            err(&d, "couple,x,y,role\n1,2,3,a\n1,3,4,b\n2,1,2,c\n2,1,1,a\n")
                .contains("exactly two values")
        );
    }
}

#[cfg(test)]
mod streaming {
    //! The streaming reader against the in-memory path: the same numbers
    //! whatever the row order.
    use super::*;
    use analytics::apim::{distinguishable, indistinguishable, Dyad, Person};

    /// 40 couples, deterministic but irregular values.
    fn rows() -> Vec<(String, &'static str, f64, f64)> {
        let mut out = Vec::new();
        let mut s = 12345u64;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % 1000) as f64 / 100.0
        };
        for i in 0..40 {
            let (xa, xb, e1, e2) = (next(), next(), next(), next());
            out.push((
                format!("c{i}"),
                "w",
                xa,
                1.0 + 0.5 * xa + 0.2 * xb + e1 / 5.0,
            ));
            out.push((
                format!("c{i}"),
                "h",
                xb,
                2.0 + 0.3 * xb + 0.4 * xa + e2 / 5.0,
            ));
        }
        out
    }

    fn csv(rows: &[(String, &str, f64, f64)]) -> String {
        let mut s = String::from("couple,role,x,y\n");
        for (id, role, x, y) in rows {
            s.push_str(&format!("{id},{role},{x},{y}\n"));
        }
        s
    }

    fn json(distinguish: bool, input: &str) -> serde_json::Value {
        let mut a = tests_args(distinguish);
        a.format = Format::Json;
        let mut out = Vec::new();
        run(&a, input.as_bytes(), &mut out).expect("fit");
        serde_json::from_slice(&out).expect("json")
    }

    fn tests_args(distinguish: bool) -> ApimArgs {
        ApimArgs {
            input: "-".into(),
            dyad: "couple".into(),
            x: "x".into(),
            y: "y".into(),
            distinguish: distinguish.then(|| "role".into()),
            covariates: Vec::new(),
            format: Format::Json,
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{a} vs {b}");
    }

    #[test]
    fn shuffled_rows_give_the_in_memory_numbers() {
        let rows = rows();
        // Every row moved: partners far apart, wives' and husbands' order
        // reversed for half the couples.
        let mut shuffled = rows.clone();
        let n = shuffled.len();
        for i in 0..n {
            shuffled.swap(i, (i * 37 + 11) % n);
        }
        let dyads: Vec<Dyad> = rows
            .chunks(2)
            .map(|pair| Dyad {
                id: pair[0].0.clone(),
                members: pair
                    .iter()
                    .map(|(_, role, x, y)| Person {
                        role: Some((*role).to_owned()),
                        x: Some(*x),
                        y: Some(*y),
                    })
                    .collect(),
            })
            .collect();
        for distinguish in [false, true] {
            let want = if distinguish {
                distinguishable(&dyads)
            } else {
                indistinguishable(&dyads)
            }
            .expect("in-memory fit");
            for input in [csv(&rows), csv(&shuffled)] {
                let got = json(distinguish, &input);
                assert_eq!(got["n_dyads"], want.n_dyads);
                let effects = got["effects"].as_array().expect("effects");
                assert_eq!(effects.len(), want.effects.len());
                // Roles come in order of first appearance, which the
                // shuffle changes: match effects by term and role.
                for w in &want.effects {
                    let g = effects
                        .iter()
                        .find(|g| {
                            g["term"] == term_name(w.term)
                                && g["role"].as_str() == w.role.as_deref()
                        })
                        .expect("the same effect");
                    close(g["estimate"].as_f64().expect("b"), w.estimate);
                    close(g["se"].as_f64().expect("se"), w.se.expect("se"));
                    close(g["df"].as_f64().expect("df"), w.df.expect("df"));
                    close(g["p"].as_f64().expect("p"), w.p.expect("p"));
                }
                close(
                    got["dyad_covariance"].as_f64().expect("cov"),
                    want.dyad_covariance.expect("cov"),
                );
            }
        }
    }
}
