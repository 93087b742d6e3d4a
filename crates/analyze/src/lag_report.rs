//! How `analyze lag` reports an analysis: the JSON document of API.md and a
//! terminal table laid out like a journal table (title, model line, one row
//! per transition, a note saying which residual and which p).

use std::io::Write;

use analytics::lag::LagAnalysis;
use analytics::multiple::{adjust, Adjustment};
use serde::Serialize;

use crate::format::{num, p_clause, p_value, table};
use crate::lag::{Adjust, LagArgs};
use crate::AnalyzeError;

/// Everything one report needs; `order` is the display order of codes.
pub(crate) struct Report<'a> {
    pub args: &'a LagArgs,
    pub names: Vec<&'a str>,
    pub order: Vec<usize>,
    pub analysis: &'a LagAnalysis,
    pub perm: Option<&'a [Option<f64>]>,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
struct PairJson<'a> {
    given: &'a str,
    target: &'a str,
    count: u64,
    expected: Option<f64>,
    transitional_probability: Option<f64>,
    target_base_rate: Option<f64>,
    adjusted_residual: Option<f64>,
    p_value: Option<f64>,
    p_adjusted: Option<f64>,
    yules_q: Option<f64>,
    log_odds_ratio: Option<f64>,
    log_odds_se: Option<f64>,
    log_odds_ci_low: Option<f64>,
    log_odds_ci_high: Option<f64>,
    log_odds_corrected: bool,
    wampold_kappa: Option<f64>,
    wampold_kappa_z: Option<f64>,
    small_expected: bool,
    structural_zero: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    permutation_p: Option<Option<f64>>,
}

#[derive(Serialize)]
struct BaseRateJson<'a> {
    code: &'a str,
    events: u64,
    given: Option<f64>,
    target: Option<f64>,
}

#[derive(Serialize)]
struct IpfJson {
    iterations: usize,
    max_margin_error: f64,
    converged: bool,
    forced_zeros: usize,
}

#[derive(Serialize)]
struct PermutationJson {
    permutations: u32,
    seed: u64,
}

#[derive(Serialize)]
struct LagJson<'a> {
    lag: usize,
    n: u64,
    codes: Vec<&'a str>,
    sequences: u64,
    no_repeat: bool,
    alternating: bool,
    impossible: Vec<[&'a str; 2]>,
    g2: Option<f64>,
    g2_df: Option<u64>,
    g2_p: Option<f64>,
    x2: Option<f64>,
    x2_p: Option<f64>,
    structural_zeros: usize,
    ipf: Option<IpfJson>,
    permutation: Option<PermutationJson>,
    adjust: Option<&'static str>,
    base_rates: Vec<BaseRateJson<'a>>,
    note: String,
    warnings: &'a [String],
    pairs: Vec<PairJson<'a>>,
}

fn adjustment(a: Adjust) -> (Adjustment, &'static str) {
    match a {
        Adjust::Holm => (Adjustment::Holm, "holm"),
        Adjust::Bonferroni => (Adjustment::Bonferroni, "bonferroni"),
    }
}

impl Report<'_> {
    /// Cell p-values adjusted over the table's defined cells, if asked.
    fn adjusted(&self) -> Vec<Option<f64>> {
        let p: Vec<Option<f64>> = self.analysis.cells.iter().map(|c| c.p_value).collect();
        match self.args.adjust {
            Some(a) => adjust(adjustment(a).0, &p),
            None => vec![None; p.len()],
        }
    }

    /// One line saying which residual, which p and which kappa.
    fn note(&self) -> String {
        let a = self.analysis;
        let residual = if a.structural_zeros > 0 {
            "z is the adjusted residual of the quasi-independence model over the free cells \
             (Bakeman & Quera 1995; hat-matrix variance)"
        } else {
            "z is Haberman's adjusted residual under independence (as R's chisq.test()$stdres)"
        };
        let adjusted = match self.args.adjust {
            Some(Adjust::Holm) => ", adjusted by Holm's step-down method over the defined cells",
            Some(Adjust::Bonferroni) => ", adjusted by Bonferroni over the defined cells",
            None => "",
        };
        format!(
            "{residual}; p is two-sided, from the normal approximation{adjusted}; kappa is \
             Wampold's, its z against the order within each sequence shuffled."
        )
    }

    pub(crate) fn write_json(&self, out: &mut dyn Write) -> Result<(), AnalyzeError> {
        let a = self.analysis;
        let adjusted = self.adjusted();
        let mut pairs = Vec::with_capacity(self.order.len() * self.order.len());
        for &i in &self.order {
            for &j in &self.order {
                let c = a.cell(i, j);
                let lo = c.log_odds;
                pairs.push(PairJson {
                    given: self.names[i],
                    target: self.names[j],
                    count: c.count,
                    expected: c.expected,
                    transitional_probability: c.transitional_probability,
                    target_base_rate: c.target_base_rate,
                    adjusted_residual: c.adjusted_residual,
                    p_value: c.p_value,
                    p_adjusted: adjusted[i * a.codes + j],
                    yules_q: c.yules_q,
                    log_odds_ratio: lo.map(|l| l.estimate),
                    log_odds_se: lo.map(|l| l.se),
                    log_odds_ci_low: lo.map(|l| l.ci_low),
                    log_odds_ci_high: lo.map(|l| l.ci_high),
                    log_odds_corrected: lo.is_some_and(|l| l.corrected),
                    wampold_kappa: c.wampold_kappa,
                    wampold_kappa_z: c.kappa_z,
                    small_expected: c.small_expected,
                    structural_zero: c.structural_zero,
                    permutation_p: self.perm.map(|p| p[i * a.codes + j]),
                });
            }
        }
        let doc = LagJson {
            lag: a.lag,
            n: a.n,
            codes: self.order.iter().map(|&i| self.names[i]).collect(),
            sequences: a.sequences,
            no_repeat: self.args.no_repeat,
            alternating: self.args.alternating,
            impossible: self
                .args
                .impossible
                .iter()
                .filter_map(|v| v.split_once(','))
                .map(|(g, t)| [g, t])
                .collect(),
            g2: a.g2,
            g2_df: a.g2_df,
            g2_p: a.g2_p,
            x2: a.x2,
            x2_p: a.x2_p,
            structural_zeros: a.structural_zeros,
            ipf: a.ipf.map(|f| IpfJson {
                iterations: f.iterations,
                max_margin_error: f.max_margin_error,
                converged: f.converged,
                forced_zeros: f.forced_zeros,
            }),
            permutation: (self.args.permutations > 0).then_some(PermutationJson {
                permutations: self.args.permutations,
                seed: self.args.seed,
            }),
            adjust: self.args.adjust.map(|a| adjustment(a).1),
            base_rates: self
                .order
                .iter()
                .map(|&i| BaseRateJson {
                    code: self.names[i],
                    events: a.events[i],
                    given: a.given_rates[i],
                    target: a.target_rates[i],
                })
                .collect(),
            note: self.note(),
            warnings: &self.warnings,
            pairs,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)
            .map_err(|e| AnalyzeError::Output(e.into()))?;
        writeln!(out)?;
        Ok(())
    }

    pub(crate) fn write_table(&self, out: &mut dyn Write) -> Result<(), AnalyzeError> {
        let a = self.analysis;
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        writeln!(
            out,
            "Table 1. Lag-{} transitions: N = {}, {}, {}",
            a.lag,
            plural(a.n, "tally", "tallies"),
            plural(a.codes as u64, "code", "codes"),
            plural(a.sequences, "sequence", "sequences"),
        )?;
        let model = if a.structural_zeros > 0 {
            let mut rules = Vec::new();
            if self.args.no_repeat {
                rules.push("codes cannot repeat");
            }
            if self.args.alternating {
                rules.push("partners take turns");
            }
            if !self.args.impossible.is_empty() {
                rules.push("declared impossible transitions");
            }
            format!(
                "quasi-independence ({}; {} structural zeros)",
                rules.join(", "),
                a.structural_zeros
            )
        } else {
            "independence".to_owned()
        };
        let df = a.g2_df.map_or_else(|| "–".to_owned(), |d| d.to_string());
        writeln!(
            out,
            "Model: {model}. G²({df}) = {}, {}; X²({df}) = {}, {}",
            num(a.g2, 2),
            p_clause(a.g2_p),
            num(a.x2, 2),
            p_clause(a.x2_p)
        )?;
        writeln!(out)?;
        let adjusted = self.adjusted();
        let mut header = vec!["Given", "Target", "n", "E", "P(T|G)", "P(T)", "z", "p"];
        if self.args.adjust.is_some() {
            header.push("p adj.");
        }
        header.extend(["Q", "ln OR", "95% CI", "κ"]);
        if self.perm.is_some() {
            header.push("perm. p");
        }
        let mut rows = Vec::new();
        for &i in &self.order {
            for &j in &self.order {
                let c = a.cell(i, j);
                let c_index = i * a.codes + j;
                let mut row = vec![
                    self.names[i].to_owned(),
                    self.names[j].to_owned(),
                    if c.structural_zero {
                        "0*".to_owned()
                    } else {
                        c.count.to_string()
                    },
                    format!(
                        "{}{}",
                        num(c.expected, 2),
                        if c.small_expected { "†" } else { "" }
                    ),
                    num(c.transitional_probability, 3),
                    num(c.target_base_rate, 3),
                    num(c.adjusted_residual, 2),
                    p_value(c.p_value),
                ];
                if self.args.adjust.is_some() {
                    row.push(p_value(adjusted[c_index]));
                }
                let lo = c.log_odds;
                row.extend([
                    num(c.yules_q, 2),
                    format!(
                        "{}{}",
                        num(lo.map(|l| l.estimate), 2),
                        if lo.is_some_and(|l| l.corrected) {
                            "‡"
                        } else {
                            ""
                        }
                    ),
                    lo.map_or_else(
                        || "–".to_owned(),
                        |l| format!("[{:.2}, {:.2}]", l.ci_low, l.ci_high),
                    ),
                    num(c.wampold_kappa, 3),
                ]);
                if let Some(p) = self.perm {
                    row.push(p_value(p[c_index]));
                }
                rows.push(row);
            }
        }
        table(out, &header, &rows, 2)?;
        writeln!(out)?;
        writeln!(out, "Note. {}", self.note())?;
        writeln!(
            out,
            "P(T) is the target's base rate. † expected count under 5. ‡ 0.5 added to each \
             cell of the 2×2 (a zero cell). 0* structural zero. – undefined for these data."
        )?;
        for w in &self.warnings {
            writeln!(out, "Warning: {w}")?;
        }
        Ok(())
    }
}
