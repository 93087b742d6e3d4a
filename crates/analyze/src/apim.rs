//! `reciprocity analyze apim`: reads one row per person, streams each dyad
//! into the actor–partner interdependence model of the analytics crate
//! (REML, as SAS PROC MIXED and `nlme::gls` give it) and prints the fit as
//! JSON or as a journal-style table.

use std::io::{BufRead, Write};
use std::path::Path;

use analytics::apim::{
    ApimFit, ChiSquareTest, Descriptives, Effect, Hypothesis, Model, Summary, Term, WaldTest,
};
use serde::Serialize;

use crate::apim_read::{read_with, Columns, Parallel, PARALLEL};
use crate::format::{num, p_clause, p_value, table};
use crate::{input_error, AnalyzeError, Format};

/// `analyze apim --help`: what the command fits, how missing values are
/// treated, what it prints and when it refuses.
pub const LONG_ABOUT: &str = "\
Fits the actor–partner interdependence model (APIM; Kenny, Kashy & Cook\n\
2006) to dyadic data with one CSV row per person.\n\
\n\
Each row holds a dyad id, the person's predictor X and outcome Y (and,\n\
optionally, a distinguishing value such as role and covariates). The two\n\
rows of a dyad need not be next to each other (memory stays flat when\n\
they are; otherwise it holds one row per dyad waiting for its partner).\n\
The model is y = b0 + a·x_own + p·x_partner (+ covariates) with the two\n\
partners' residuals correlated, estimated by REML as SAS PROC MIXED and\n\
R's nlme::gls do; degrees of freedom are Satterthwaite's.\n\
\n\
Missing values: an empty cell, NA or \".\" is missing. A person's row\n\
enters the fit when their own X, Y and covariates and their partner's X\n\
are present (as nlme::gls with na.omit on pairwise data); a dyad with one\n\
usable row still counts. The `warnings` list says how many rows were\n\
left out.\n\
\n\
JSON output: model, n_dyads, n_complete_dyads, n_rows_read,\n\
n_rows_used, estimation, effects [{term, name, role, estimate, se, df,\n\
t, p, ci_low, ci_high}],\n\
residual_variance, dyad_covariance, partial_icc, role_variances,\n\
ml_deviance, reml_log_likelihood, aic, bic, k [{role, k, se, ci_low,\n\
ci_high}], tests {actor_equals_partner, role_differences,\n\
nonindependence}, distinguishability_test (with --distinguish),\n\
descriptives, covariates and warnings (always present). Undefined\n\
statistics are null. The table output prints the same as a journal table;\n\
its warnings also go to standard error.\n\
\n\
Exit status: 0 on success; 2 on bad input, with a message naming the\n\
line (rows wider or narrower than the header, a value that is not a\n\
number or is larger than 1e100 in magnitude, a dyad with more than two\n\
rows, a column named twice, binary input, an outcome or predictor with\n\
no variation, a predictor equal to the outcome).\n\
";

#[derive(Debug, Clone, clap::Args)]
pub struct ApimArgs {
    /// CSV with a header and one row per person; `-` reads standard input.
    #[arg(long)]
    pub input: String,
    /// Column holding the dyad id (any text; two rows per id at most).
    #[arg(long, value_name = "COL")]
    pub dyad: String,
    /// Column holding the predictor X (its own value gives the actor
    /// effect, the partner's value the partner effect).
    #[arg(long, value_name = "COL")]
    pub x: String,
    /// Column holding the outcome Y.
    #[arg(long, value_name = "COL")]
    pub y: String,
    /// Column distinguishing the two members (e.g. role or gender; exactly
    /// two values, one per member): separate effects and residual variance
    /// per value, tests of role differences, and a likelihood-ratio test of
    /// whether the distinction is needed at all.
    #[arg(long, value_name = "COL")]
    pub distinguish: Option<String>,
    /// A column to adjust for, such as age (repeatable): the person's own
    /// value enters with one effect (one per role with --distinguish).
    #[arg(long = "covariate", value_name = "COL")]
    pub covariates: Vec<String>,
    /// `json` (the document API.md fixes) or `table` (a journal-style table).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

pub fn run(args: &ApimArgs, input: impl BufRead, out: &mut dyn Write) -> Result<(), AnalyzeError> {
    run_with(args, input, out, PARALLEL)
}

/// `run`, with the file read on two threads from `parallel.min_size` bytes.
pub(crate) fn run_with(
    args: &ApimArgs,
    input: impl BufRead,
    out: &mut dyn Write,
    parallel: Parallel,
) -> Result<(), AnalyzeError> {
    let cols = Columns {
        dyad: &args.dyad,
        x: &args.x,
        y: &args.y,
        distinguish: args.distinguish.as_deref(),
        covariates: &args.covariates,
    };
    let source = (args.input != "-").then(|| Path::new(&args.input));
    let (read, checks) = read_with(&cols, input, source, parallel)?;
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
    let mut warnings = fit.warnings.clone();
    if read.singletons > 0 {
        warnings.push(format!(
            "{} of the {} dyad ids in the file have a single row (the partner's row is absent).",
            read.singletons, read.dyads
        ));
    }
    match args.format {
        Format::Json => write_json(&fit, read.rows, &warnings, out),
        Format::Table => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            write_table(&fit, read.rows, &warnings, out)
        }
    }
}

fn term_name(t: Term) -> &'static str {
    match t {
        Term::Intercept => "intercept",
        Term::Actor => "actor",
        Term::Partner => "partner",
        Term::Covariate(_) => "covariate",
    }
}

fn model_name(m: Model) -> &'static str {
    match m {
        Model::Indistinguishable => "indistinguishable",
        Model::Distinguishable => "distinguishable",
    }
}

fn estimation(fit: &ApimFit) -> &'static str {
    if fit.closed_form {
        "REML (closed form: complete dyads, no covariates); Satterthwaite df"
    } else {
        "REML (Newton-Raphson over dyad blocks); Satterthwaite df"
    }
}

#[derive(Serialize)]
struct EffectJson<'a> {
    term: &'static str,
    /// "intercept", "actor", "partner" or the covariate's column.
    name: &'a str,
    role: Option<&'a str>,
    estimate: Option<f64>,
    se: Option<f64>,
    df: Option<f64>,
    t: Option<f64>,
    p: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

impl<'a> From<&'a Effect> for EffectJson<'a> {
    fn from(e: &'a Effect) -> Self {
        Self {
            term: term_name(e.term),
            name: &e.name,
            role: e.role.as_deref(),
            estimate: e.estimate.is_finite().then_some(e.estimate),
            se: e.se,
            df: e.df,
            t: e.t,
            p: e.p,
            ci_low: e.ci_low,
            ci_high: e.ci_high,
        }
    }
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

impl From<&ChiSquareTest> for TestJson {
    fn from(t: &ChiSquareTest) -> Self {
        Self {
            chi2: t.chi2,
            df: t.df,
            p: t.p,
        }
    }
}

#[derive(Serialize)]
struct KJson<'a> {
    role: Option<&'a str>,
    k: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

#[derive(Serialize)]
struct WaldJson<'a> {
    /// For a role difference: the effect compared ("actor", a covariate…).
    #[serde(skip_serializing_if = "Option::is_none")]
    effect: Option<String>,
    /// For actor = partner with roles: the role within which they are
    /// compared.
    role: Option<&'a str>,
    difference: Option<f64>,
    se: Option<f64>,
    df: Option<f64>,
    t: Option<f64>,
    p: Option<f64>,
}

#[derive(Serialize)]
struct TestsJson<'a> {
    actor_equals_partner: Vec<WaldJson<'a>>,
    role_differences: Vec<WaldJson<'a>>,
    nonindependence: Option<TestJson>,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    mean: Option<f64>,
    sd: Option<f64>,
}

#[derive(Serialize)]
struct DescriptivesJson<'a> {
    role: Option<&'a str>,
    n_rows: usize,
    x: SummaryJson<'a>,
    y: SummaryJson<'a>,
    covariates: Vec<SummaryJson<'a>>,
}

#[derive(Serialize)]
struct ApimJson<'a> {
    model: &'static str,
    n_dyads: usize,
    n_complete_dyads: usize,
    n_rows_read: u64,
    n_rows_used: usize,
    estimation: &'static str,
    effects: Vec<EffectJson<'a>>,
    residual_variance: Option<f64>,
    dyad_covariance: Option<f64>,
    partial_icc: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    role_variances: Vec<RoleVariance<'a>>,
    ml_deviance: Option<f64>,
    reml_log_likelihood: Option<f64>,
    aic: Option<f64>,
    bic: Option<f64>,
    k: Vec<KJson<'a>>,
    tests: TestsJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distinguishability_test: Option<TestJson>,
    descriptives: Vec<DescriptivesJson<'a>>,
    covariates: &'a [String],
    /// Always present (possibly empty): what a reader must know.
    warnings: &'a [String],
}

/// The name of the effect a role-difference test compares.
fn hypothesis_effect(fit: &ApimFit, h: Hypothesis) -> Option<String> {
    match h {
        Hypothesis::ActorEqualsPartner => None,
        Hypothesis::SameAcrossRoles(Term::Covariate(i)) => fit.covariates.get(i).cloned(),
        Hypothesis::SameAcrossRoles(t) => Some(term_name(t).to_owned()),
    }
}

fn wald_json<'a>(fit: &ApimFit, w: &'a WaldTest) -> WaldJson<'a> {
    WaldJson {
        effect: hypothesis_effect(fit, w.hypothesis),
        role: w.role.as_deref(),
        difference: w.difference.is_finite().then_some(w.difference),
        se: w.se,
        df: w.df,
        t: w.t,
        p: w.p,
    }
}

fn summary_json<'a>(name: Option<&'a str>, s: &Summary) -> SummaryJson<'a> {
    SummaryJson {
        name,
        mean: s.mean,
        sd: s.sd,
    }
}

fn descriptives_json<'a>(fit: &'a ApimFit, d: &'a Descriptives) -> DescriptivesJson<'a> {
    DescriptivesJson {
        role: d.role.as_deref(),
        n_rows: d.n_rows,
        x: summary_json(None, &d.x),
        y: summary_json(None, &d.y),
        covariates: fit
            .covariates
            .iter()
            .zip(&d.covariates)
            .map(|(n, s)| summary_json(Some(n), s))
            .collect(),
    }
}

fn write_json(
    fit: &ApimFit,
    rows: u64,
    warnings: &[String],
    out: &mut dyn Write,
) -> Result<(), AnalyzeError> {
    let doc = ApimJson {
        model: model_name(fit.model),
        n_dyads: fit.n_dyads,
        n_complete_dyads: fit.n_complete_dyads,
        n_rows_read: rows,
        n_rows_used: fit.n_rows_used,
        estimation: estimation(fit),
        effects: fit.effects.iter().map(EffectJson::from).collect(),
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
        reml_log_likelihood: fit.reml_log_likelihood,
        aic: fit.aic,
        bic: fit.bic,
        k: fit
            .k
            .iter()
            .map(|k| KJson {
                role: k.role.as_deref(),
                k: k.k,
                se: k.se,
                ci_low: k.ci_low,
                ci_high: k.ci_high,
            })
            .collect(),
        tests: TestsJson {
            actor_equals_partner: fit
                .actor_partner_tests
                .iter()
                .map(|w| wald_json(fit, w))
                .collect(),
            role_differences: fit
                .role_difference_tests
                .iter()
                .map(|w| wald_json(fit, w))
                .collect(),
            nonindependence: fit.nonindependence_test.as_ref().map(TestJson::from),
        },
        distinguishability_test: fit.distinguishability_test.as_ref().map(TestJson::from),
        descriptives: fit
            .descriptives
            .iter()
            .map(|d| descriptives_json(fit, d))
            .collect(),
        covariates: &fit.covariates,
        warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| AnalyzeError::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

/// "[0.033, 1.307]", or a dash when either end is undefined.
fn interval(low: Option<f64>, high: Option<f64>, dp: usize) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("[{l:.dp$}, {h:.dp$}]"),
        _ => crate::format::UNDEFINED.to_owned(),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A Wald test for a sentence: "difference 0.123, t(145.0) = 1.23, p = 0.2200".
fn wald_clause(w: &WaldTest) -> String {
    format!(
        "difference {}, SE {}, t({}) = {}, {}",
        num(Some(w.difference).filter(|d| d.is_finite()), 3),
        num(w.se, 3),
        num(w.df, 1),
        num(w.t, 2),
        p_clause(w.p)
    )
}

fn chi_clause(t: &ChiSquareTest) -> String {
    format!("χ²({}) = {}, {}", t.df, num(Some(t.chi2), 2), p_clause(t.p))
}

fn write_table(
    fit: &ApimFit,
    rows: u64,
    warnings: &[String],
    out: &mut dyn Write,
) -> Result<(), AnalyzeError> {
    let dyads = if fit.model == Model::Distinguishable {
        "distinguishable"
    } else {
        "indistinguishable"
    };
    writeln!(
        out,
        "Table 1. Actor–partner interdependence model (REML), {dyads} dyads, N = {} dyads",
        fit.n_dyads
    )?;
    writeln!(
        out,
        "({} complete; {} of {} rows used)",
        fit.n_complete_dyads, fit.n_rows_used, rows
    )?;
    writeln!(out)?;
    let effect_rows: Vec<Vec<String>> = fit
        .effects
        .iter()
        .map(|e| {
            vec![
                capitalised(&e.name),
                e.role.clone().unwrap_or_else(|| "–".to_owned()),
                num(Some(e.estimate).filter(|v| v.is_finite()), 3),
                num(e.se, 3),
                interval(e.ci_low, e.ci_high, 3),
                num(e.t, 2),
                num(e.df, 1),
                p_value(e.p),
            ]
        })
        .collect();
    table(
        out,
        &["Effect", "Role", "b", "SE", "95% CI", "t", "df", "p"],
        &effect_rows,
        2,
    )?;

    writeln!(out)?;
    writeln!(out, "Variance components")?;
    let components: Vec<(String, String)> = match fit.model {
        Model::Indistinguishable => vec![
            ("Residual variance".into(), num(fit.residual_variance, 4)),
            ("Dyad covariance".into(), num(fit.dyad_covariance, 4)),
            ("Partial ICC".into(), num(fit.partial_icc, 3)),
        ],
        Model::Distinguishable => fit
            .role_variances
            .iter()
            .map(|(role, v)| (format!("Residual variance, {role}"), num(Some(*v), 4)))
            .chain([
                ("Residual covariance".into(), num(fit.dyad_covariance, 4)),
                ("Residual correlation".into(), num(fit.partial_icc, 3)),
            ])
            .collect(),
    };
    let width = components
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in &components {
        let pad = width - label.chars().count();
        writeln!(out, "  {label}{}  {value:>7}", " ".repeat(pad))?;
    }

    writeln!(out)?;
    writeln!(out, "Tests")?;
    for w in &fit.actor_partner_tests {
        let within = w
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        writeln!(out, "  Actor = partner{within}: {}", wald_clause(w))?;
    }
    for w in &fit.role_difference_tests {
        let what = hypothesis_effect(fit, w.hypothesis).unwrap_or_default();
        writeln!(
            out,
            "  {} equal across roles: {}",
            capitalised(&what),
            wald_clause(w)
        )?;
    }
    for k in &fit.k {
        let role = k
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  k = partner / actor{role}: {}, 95% CI {}",
            num(k.k, 3),
            interval(k.ci_low, k.ci_high, 3)
        )?;
    }
    if let Some(t) = &fit.nonindependence_test {
        writeln!(
            out,
            "  Nonindependence (residual dyad covariance = 0, REML LR): {}",
            chi_clause(t)
        )?;
    }
    if let Some(t) = &fit.distinguishability_test {
        writeln!(
            out,
            "  Distinguishability (against indistinguishable, ML LR): {}",
            chi_clause(t)
        )?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "Fit: REML log-likelihood {}, AIC {}, BIC {}",
        num(fit.reml_log_likelihood, 2),
        num(fit.aic, 2),
        num(fit.bic, 2)
    )?;

    if !fit.descriptives.is_empty() {
        writeln!(out)?;
        writeln!(out, "Descriptives of the rows used")?;
        let mut header = vec!["Role".to_owned(), "n".to_owned()];
        header.push("X mean (SD)".to_owned());
        header.push("Y mean (SD)".to_owned());
        for c in &fit.covariates {
            header.push(format!("{c} mean (SD)"));
        }
        let ms = |s: &Summary| format!("{} ({})", num(s.mean, 3), num(s.sd, 3));
        let rows: Vec<Vec<String>> = fit
            .descriptives
            .iter()
            .map(|d| {
                let mut r = vec![
                    d.role.clone().unwrap_or_else(|| "all".to_owned()),
                    d.n_rows.to_string(),
                    ms(&d.x),
                    ms(&d.y),
                ];
                r.extend(d.covariates.iter().map(ms));
                r
            })
            .collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        table(out, &header, &rows, 1)?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "Note. b = unstandardized estimate; {}. Degrees of freedom by Satterthwaite's method; \
         95% CIs are b ± t(.975, df) × SE; the CI of k is the delta method's.",
        estimation(fit).split(';').next().unwrap_or_default().trim()
    )?;
    for w in warnings {
        writeln!(out, "Warning. {w}")?;
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
        let same = err(
            &d,
            "couple,x,y,role\n1,2,3,a\n1,3,4,b\n2,1,2,a\n3,1,1,b\n2,5,1,a\n",
        );
        assert!(
            same.contains("do not have one role each") && same.contains("2 (lines 4, 6)"),
            "{same}"
        );
        let third = err(&a, "couple,x,y\n7,1,2\n7,2,3\n8,1,1\n7,3,3\n");
        assert!(
            third.contains("more than two rows") && third.contains("7 (line 5)"),
            "{third}"
        );
        assert!(err(&a, "couple,x,y\n").contains("no data rows"));
        let one = err(&d, "couple,x,y,role\n1,2,3,a\n1,3,4,a\n2,1,2,a\n2,5,1,a\n");
        assert!(
            one.contains("must take exactly two values, found 1: a"),
            "{one}"
        );
        assert!(err(&a, "couple,x,y\n,1,2\n").starts_with("line 2: empty dyad id"));
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

    /// With missing values (fitted by iterations, not the closed form) the
    /// order of the rows still does not matter.
    #[test]
    fn shuffled_incomplete_rows_give_the_sorted_numbers() {
        let mut rows = rows();
        rows[3].3 = f64::NAN; // written as NA below
        rows[10].2 = f64::NAN;
        rows.remove(21);
        let text = |rows: &[(String, &str, f64, f64)]| csv(rows).replace("NaN", "NA");
        let mut shuffled = rows.clone();
        let n = shuffled.len();
        for i in 0..n {
            shuffled.swap(i, (i * 29 + 5) % n);
        }
        for distinguish in [false, true] {
            let (a, b) = (
                json(distinguish, &text(&rows)),
                json(distinguish, &text(&shuffled)),
            );
            assert_eq!(a["n_dyads"], b["n_dyads"]);
            // 79 rows: c1 husband (no Y), c5 wife (no X) and so her husband (no
            // partner X), and c10 wife (husband absent) are left out.
            assert_eq!(a["n_rows_used"], 75);
            for e in a["effects"].as_array().expect("effects") {
                let f = b["effects"]
                    .as_array()
                    .expect("effects")
                    .iter()
                    .find(|f| f["name"] == e["name"] && f["role"] == e["role"])
                    .expect("the same effect");
                for k in ["estimate", "se", "df"] {
                    close(f[k].as_f64().expect(k), e[k].as_f64().expect(k));
                }
            }
        }
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

/// The file read on two threads gives what one thread gives, byte for byte.
#[cfg(test)]
mod two_threads {
    use super::*;
    use crate::apim_read::Parallel;

    /// One thread only; two threads, chunks of `chunk` bytes.
    const ONE: Parallel = Parallel {
        min_size: u64::MAX,
        chunk: 1 << 20,
    };

    thread_local! {
        /// Runs that took the two-thread path to the end.
        static TWO: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    /// Runs of `same` that took the two-thread path (of 16).
    fn same_two(name: &str, csv: &str) -> u32 {
        let before = TWO.with(std::cell::Cell::get);
        same(name, csv);
        TWO.with(std::cell::Cell::get) - before
    }

    fn two(chunk: u64) -> Parallel {
        Parallel { min_size: 0, chunk }
    }

    fn run_file(csv: &str, distinguish: bool, covariates: bool, p: Parallel) -> String {
        let path = std::env::temp_dir().join(format!(
            "reciprocity-apim-two-{}-{:x}.csv",
            std::process::id(),
            {
                use std::hash::{DefaultHasher, Hash, Hasher};
                let mut h = DefaultHasher::new();
                (csv, distinguish, covariates, p.chunk, p.min_size).hash(&mut h);
                std::thread::current().id().hash(&mut h);
                h.finish()
            }
        ));
        std::fs::write(&path, csv).expect("write");
        let args = ApimArgs {
            input: path.to_string_lossy().into_owned(),
            dyad: "couple".into(),
            x: "x".into(),
            y: "y".into(),
            distinguish: distinguish.then(|| "role".into()),
            covariates: if covariates {
                vec!["age".into()]
            } else {
                Vec::new()
            },
            format: Format::Json,
        };
        let input = std::io::BufReader::new(std::fs::File::open(&path).expect("open"));
        let mut out = Vec::new();
        let r = run_with(&args, input, &mut out, p);
        if p.min_size == 0 {
            let cols = crate::apim_read::Columns {
                dyad: &args.dyad,
                x: &args.x,
                y: &args.y,
                distinguish: args.distinguish.as_deref(),
                covariates: &args.covariates,
            };
            let two = crate::apim_read::splits(&cols, &path, p);
            TWO.with(|t| t.set(t.get() + u32::from(two)));
        }
        let _ = std::fs::remove_file(&path);
        match r {
            Ok(()) => String::from_utf8(out).expect("utf-8"),
            Err(e) => format!("error: {e}"),
        }
    }

    fn rng(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Rows `couple,role,x,y,age` for `n` couples, in couple order.
    fn rows(n: usize, seed: u64) -> Vec<String> {
        let mut s = seed;
        let mut v = Vec::new();
        for c in 1..=n {
            for role in ["wife", "husband"] {
                let x = (rng(&mut s) % 10_000) as f64 / 100.0;
                let y = (rng(&mut s) % 10_000) as f64 / 100.0 + x * 0.3;
                let age = 20 + rng(&mut s) % 50;
                v.push(format!("c{c},{role},{x:.2},{y:.2},{age}"));
            }
        }
        v
    }

    fn file(rows: &[String]) -> String {
        let mut f = String::from("couple,role,x,y,age\n");
        for r in rows {
            f.push_str(r);
            f.push('\n');
        }
        f
    }

    fn same(name: &str, csv: &str) {
        for (d, c) in [(false, false), (true, false), (false, true), (true, true)] {
            let want = run_file(csv, d, c, ONE);
            for chunk in [3, 50, 997, 1 << 20] {
                let got = run_file(csv, d, c, two(chunk));
                assert_eq!(
                    got, want,
                    "{name}, distinguish {d}, covariate {c}, chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn same_output_and_errors_as_one_thread() {
        let sorted = rows(300, 7);
        assert_eq!(same_two("sorted", &file(&sorted)), 16, "sorted");

        let mut shuffled = sorted.clone();
        let mut s = 99u64;
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, (rng(&mut s) % (i as u64 + 1)) as usize);
        }
        assert_eq!(same_two("shuffled", &file(&shuffled)), 16, "shuffled");

        // Incomplete dyads, missing values, blank lines, CRLF.
        let mut incomplete = sorted.clone();
        incomplete.remove(10);
        incomplete.remove(200);
        incomplete[50] = "c26,wife,NA,3.5,40".into();
        incomplete[77] = "c39,husband,1.25,,".into();
        incomplete.insert(120, String::new());
        let text = file(&incomplete);
        assert_eq!(same_two("incomplete", &text), 16, "incomplete");
        same("crlf", &file(&incomplete).replace('\n', "\r\n"));

        // A dyad spanning the middle, the rest in order.
        let mut spanning = sorted.clone();
        let last = spanning.remove(1);
        spanning.push(last);
        assert_eq!(same_two("spanning", &file(&spanning)), 16, "spanning");

        // A third row across the middle, and within one half.
        let mut third = sorted.clone();
        third.push(sorted[0].clone());
        assert_eq!(
            same_two("third row across", &file(&third)),
            16,
            "third row across"
        );
        let mut third = sorted.clone();
        third.insert(3, sorted[2].clone());
        assert_eq!(
            same_two("third row within", &file(&third)),
            16,
            "third row within"
        );

        // Roles: both members one role; a third role; one role only.
        let mut roles = sorted.clone();
        roles[401] = roles[401].replace("husband", "wife");
        same("bad roles", &file(&roles));
        let mut roles = sorted.clone();
        roles[500] = roles[500].replace("husband", "partner");
        same("third role", &file(&roles));
        let wives: Vec<String> = sorted.iter().step_by(2).cloned().collect();
        same("one role", &file(&wives));
        // Roles first seen in the second half: husband before wife.
        let mut late = sorted.clone();
        for pair in late.chunks_mut(2) {
            pair.swap(0, 1);
        }
        assert_eq!(same_two("husband first", &file(&late)), 16, "husband first");

        // Rows the single path refuses, and a quote: the single path says it.
        let mut bad = sorted.clone();
        bad[450] = "c226,husband,abc,1,30".into();
        assert_eq!(same_two("not a number", &file(&bad)), 0, "not a number");
        let mut bad = sorted.clone();
        bad[450] = "c226,husband,1,2".into();
        same("short row", &file(&bad));
        let mut bad = sorted.clone();
        bad[450] = ",husband,1,2,3".into();
        same("empty id", &file(&bad));
        let mut bad = sorted.clone();
        bad[450] = "\"c226\",husband,1.5,2,30".into();
        assert_eq!(same_two("quoted", &file(&bad)), 0, "quoted");
        let mut bad = sorted.clone();
        bad[450] = "c226,husband,1e300,2,30".into();
        same("too large", &file(&bad));
        same("no newline at the end", file(&sorted).trim_end());
        same("header only", "couple,role,x,y,age\n");
        same("no such column", "couple,r,x,y\nc1,a,1,2\n");
        same("bom", &format!("\u{feff}{}", file(&sorted)));
    }
}
