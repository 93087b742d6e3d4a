//! APIM against Kenny's published example: Acitelli's 148 married couples
//! (X = other_pos, Y = satisfaction), from Kenny & Garcia's dyadic-analysis
//! workshop materials (github.com/RandiLGarcia/2day-dyad-workshop,
//! `Other Programs/SAS/Day2.sas` and its output listing `Day2.lst`, SAS PROC
//! MIXED, June 25, 2011). Values below are copied from that listing; the
//! tolerance is half a unit of its last printed digit.
//!
//! The data file is a copy of `shared/data/acitelli_individual.csv` (one row
//! per person; gender −1 wife, 1 husband), kept beside the test so the test
//! runs from a clone of this repository alone.

use analytics::apim::{distinguishable, indistinguishable, Dyad, Model, Person, Term};

fn load() -> Vec<Dyad> {
    let text = include_str!("data/acitelli_individual.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id, gender, x, y) = (
        col("cuplid"),
        col("gender"),
        col("other_pos"),
        col("satisfaction"),
    );
    let mut dyads: Vec<Dyad> = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let person = Person {
            role: Some(f[gender].to_string()),
            x: f[x].parse().ok(),
            y: f[y].parse().ok(),
        };
        match dyads.iter_mut().find(|d| d.id == f[id]) {
            Some(d) => d.members.push(person),
            None => dyads.push(Dyad {
                id: f[id].to_string(),
                members: vec![person],
            }),
        }
    }
    dyads
}

fn close(name: &str, got: f64, want: f64, half_unit: f64) {
    assert!(
        (got - want).abs() <= half_unit,
        "{name}: {got} vs published {want}"
    );
}

#[test]
fn indistinguishable_matches_sas_proc_mixed_type_cs() {
    let dyads = load();
    assert_eq!(dyads.len(), 148);
    let fit = indistinguishable(&dyads).expect("fit");
    assert_eq!(fit.model, Model::Indistinguishable);
    assert_eq!(fit.n_dyads, 148);
    // Day2.lst p. 6, "Solution for Fixed Effects" (REML, Satterthwaite df).
    let want = [
        (Term::Intercept, 0.6698, 0.3224, 146.0, 2.08, 0.0395),
        (Term::Actor, 0.4004, 0.04731, 273.0, 8.46, f64::NAN),
        (Term::Partner, 0.2880, 0.04731, 273.0, 6.09, f64::NAN),
    ];
    for (e, (term, est, se, df, t, p)) in fit.effects.iter().zip(want) {
        assert_eq!(e.term, term);
        assert_eq!(e.role, None);
        close("estimate", e.estimate, est, 5e-5);
        close(
            "se",
            e.se.expect("se"),
            se,
            if se < 0.1 { 5e-6 } else { 5e-5 },
        );
        close("df", e.df.expect("df"), df, 0.5);
        close("t", e.t.expect("t"), t, 5e-3);
        if p.is_nan() {
            assert!(e.p.expect("p") < 1e-4); // printed as <.0001
        } else {
            close("p", e.p.expect("p"), p, 5e-5);
        }
    }
    // Day2.lst p. 5, "Covariance Parameter Estimates" and R correlation.
    close("CS", fit.dyad_covariance.expect("cs"), 0.08176, 5e-6);
    close(
        "Residual",
        fit.residual_variance.expect("res"),
        0.09244,
        5e-6,
    );
    close("partial ICC", fit.partial_icc.expect("icc"), 0.4693, 5e-5);
    // Day2.lst p. 14, the same model by ML: −2 Log Likelihood 282.88409083.
    close("ML deviance", fit.ml_deviance, 282.884_090_83, 5e-7);
}

#[test]
fn distinguishable_matches_sas_two_intercept_model_and_the_test() {
    let fit = distinguishable(&load()).expect("fit");
    assert_eq!(fit.model, Model::Distinguishable);
    // Day2.lst p. 12, two-intercept model, REML, type=csh.
    let want = [
        ("-1", Term::Intercept, 0.6112, 0.4128),
        ("-1", Term::Actor, 0.3777, 0.07392),
        ("-1", Term::Partner, 0.3215, 0.08152),
        ("1", Term::Intercept, 0.6905, 0.3429),
        ("1", Term::Actor, 0.4244, 0.06772),
        ("1", Term::Partner, 0.2616, 0.06140),
    ];
    assert_eq!(fit.effects.len(), 6);
    for (e, (role, term, est, se)) in fit.effects.iter().zip(want) {
        assert_eq!((e.role.as_deref(), e.term), (Some(role), term));
        close("estimate", e.estimate, est, 5e-5);
        close(
            "se",
            e.se.expect("se"),
            se,
            if se < 0.1 { 5e-6 } else { 5e-5 },
        );
        close("df", e.df.expect("df"), 145.0, 1e-9);
    }
    // Day2.lst p. 11 (two-intercept model, REPEATED Gender_A, so level 1 is
    // Gender_A = −1, the wives): Var(1) 0.2075, Var(2) 0.1431, CSH 0.4751.
    assert_eq!(fit.role_variances[0].0, "-1");
    close("Var wife", fit.role_variances[0].1, 0.2075, 5e-5);
    close("Var husband", fit.role_variances[1].1, 0.1431, 5e-5);
    close("CSH", fit.partial_icc.expect("rho"), 0.4751, 5e-5);
    // Day2.lst p. 14 and 17: ML deviances 282.88409083 (indistinguishable)
    // and 275.60703805 (distinguishable), so χ²(4) = 7.27705278.
    close("ML deviance", fit.ml_deviance, 275.607_038_05, 5e-7);
    let test = fit.distinguishability_test.expect("test");
    assert_eq!(test.df, 4);
    close("chi2", test.chi2, 282.884_090_83 - 275.607_038_05, 1e-6);
    let p = test.p.expect("p");
    assert!(p > 0.1 && p < 0.2, "p = {p}");
}
