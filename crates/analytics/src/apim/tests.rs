//! Unit tests of the APIM core: hand-made data with known answers, the
//! closed form against the iterations, refusals and warnings.

use super::*;

fn person(role: &str, x: f64, y: f64) -> Person {
    Person {
        role: Some(role.into()),
        x: Some(x),
        y: Some(y),
    }
}

fn dyad(id: &str, a: Person, b: Person) -> Dyad {
    Dyad {
        id: id.into(),
        members: vec![a, b],
    }
}

#[test]
fn exact_data_recovers_the_generating_effects() {
    // y = 1 + 0.5·x_own + 0.25·x_partner exactly, X varying both within
    // and between dyads: the estimates are the generating values.
    let xs = [
        (1.0, 2.0),
        (3.0, 1.0),
        (2.0, 5.0),
        (4.0, 4.5),
        (0.5, 3.0),
        (2.5, 0.0),
    ];
    let dyads: Vec<Dyad> = xs
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            dyad(
                &i.to_string(),
                person("w", a, 1.0 + 0.5 * a + 0.25 * b),
                person("h", b, 1.0 + 0.5 * b + 0.25 * a),
            )
        })
        .collect();
    let fit = indistinguishable(&dyads).expect("fit");
    let est: Vec<f64> = fit.effects.iter().map(|e| e.estimate).collect();
    for (got, want) in est.iter().zip([1.0, 0.5, 0.25]) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    let dist = distinguishable(&dyads).expect("fit");
    for e in &dist.effects {
        let want = match e.term {
            Term::Intercept => 1.0,
            Term::Actor => 0.5,
            Term::Partner => 0.25,
            Term::Covariate(_) => unreachable!(),
        };
        assert!((e.estimate - want).abs() < 1e-10);
    }
}

#[test]
fn roles_must_split_each_dyad() {
    let dyads = vec![
        dyad("a", person("w", 1.0, 2.0), person("h", 2.0, 3.0)),
        dyad("b", person("w", 1.5, 2.0), person("w", 2.5, 3.5)),
    ];
    assert_eq!(
        distinguishable(&dyads).expect_err("roles"),
        ApimError::RolesPerDyad(vec!["b".into()])
    );
}

#[test]
fn the_dyad_list_wrappers_still_refuse_incomplete_dyads_by_name() {
    let mut dyads = vec![
        dyad("a", person("w", 1.0, 2.0), person("h", 2.0, 3.0)),
        dyad("b", person("w", 1.5, 2.0), person("h", 2.5, 3.5)),
    ];
    dyads.push(Dyad {
        id: "c".into(),
        members: vec![person("w", 1.0, 1.0)],
    });
    dyads.push(Dyad {
        id: "d".into(),
        members: vec![
            person("w", 1.0, 1.0),
            Person {
                role: Some("h".into()),
                x: None,
                y: Some(2.0),
            },
        ],
    });
    let err = indistinguishable(&dyads).expect_err("incomplete");
    assert_eq!(err, ApimError::Incomplete(vec!["c".into(), "d".into()]));
    assert!(err.to_string().contains("c, d"));
}

/// Acitelli as `ApimData` (roles −1 first), without covariates.
fn acitelli() -> ApimData {
    let text = include_str!("../../tests/data/acitelli_individual.csv");
    let mut data = ApimData::new(ApimSpec {
        roles: Some(["-1".into(), "1".into()]),
        covariates: Vec::new(),
    });
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // Columns: cuplid, Yearsmar, gender, self_pos, other_pos, satisfaction; two
    // consecutive rows per couple.
    for pair in rows.chunks(2) {
        let members: Vec<Member> = pair
            .iter()
            .map(|f| Member {
                role: Some(usize::from(f[2] == "1")),
                x: f[4].parse().ok(),
                y: f[5].parse().ok(),
                covariates: &[],
            })
            .collect();
        data.push_dyad(&members).expect("dyad");
    }
    data
}

#[test]
fn closed_form_and_iterations_agree_on_complete_dyads() {
    let data = acitelli();
    for model in [Model::Indistinguishable, Model::Distinguishable] {
        let closed = data.fit_with(model, true).expect("closed");
        let iterated = data.fit_with(model, false).expect("iterated");
        assert!(closed.closed_form && !iterated.closed_form);
        let pairs = [
            (closed.ml_deviance, iterated.ml_deviance),
            (closed.aic.expect("aic"), iterated.aic.expect("aic")),
            (
                closed.partial_icc.expect("r"),
                iterated.partial_icc.expect("r"),
            ),
            (
                closed.dyad_covariance.expect("c"),
                iterated.dyad_covariance.expect("c"),
            ),
        ];
        for (a, b) in pairs {
            assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{a} vs {b}");
        }
        for (a, b) in closed.effects.iter().zip(&iterated.effects) {
            assert!((a.estimate - b.estimate).abs() < 1e-10);
            let (sa, sb) = (a.se.expect("se"), b.se.expect("se"));
            assert!((sa - sb).abs() < 1e-9 * sa, "{sa} vs {sb}");
            let (da, db) = (a.df.expect("df"), b.df.expect("df"));
            assert!((da - db).abs() < 1e-6 * da, "{da} vs {db}");
        }
    }
}

#[test]
fn satterthwaite_reduces_to_the_closed_form_on_balanced_data() {
    // SCIENCE.md §6.3: v_s and v_d are independent with n − 2 and n − 1 df,
    // so df(actor) = (u₁ + u₂)² / (u₁²/(n−2) + u₂²/(n−1)) with
    // u₁ = Var(θ̂₁) and u₂ = Var(θ̂₂); the intercept has n − 2; the
    // distinguishable model has n − 3 for every effect.
    let data = acitelli();
    let fit = data.fit(Model::Indistinguishable).expect("fit");
    let n = 148.0;
    let (a, p) = (&fit.effects[1], &fit.effects[2]);
    let var_a = a.se.expect("se").powi(2);
    // Var(a) = (u₁ + u₂)/4 and Var(a + p) = u₁, Var(a − p) = u₂; from the
    // actor–partner test's SE (a − p) and Var(a) we recover both.
    let u2 = fit.actor_partner_tests[0].se.expect("se").powi(2);
    let u1 = 4.0 * var_a - u2;
    let want = (u1 + u2).powi(2) / (u1 * u1 / (n - 2.0) + u2 * u2 / (n - 1.0));
    assert!((a.df.expect("df") - want).abs() < 1e-8 * want);
    assert!((p.df.expect("df") - want).abs() < 1e-8 * want);
    assert!((fit.effects[0].df.expect("df") - (n - 2.0)).abs() < 1e-8);
    // a − p depends on v_d only: n − 1.
    assert!((fit.actor_partner_tests[0].df.expect("df") - (n - 1.0)).abs() < 1e-8);
    let dist = data.fit(Model::Distinguishable).expect("fit");
    for e in &dist.effects {
        assert!((e.df.expect("df") - (n - 3.0)).abs() < 1e-8, "{e:?}");
    }
}

#[test]
fn k_ratio_and_its_interval_follow_the_delta_method_by_hand() {
    // Balanced indistinguishable: Var(a) = Var(p) = (u₁ + u₂)/4 and
    // Cov(a, p) = (u₁ − u₂)/4, with u₁ = Var(a + p), u₂ = Var(a − p).
    let fit = acitelli().fit(Model::Indistinguishable).expect("fit");
    let (a, p) = (fit.effects[1].estimate, fit.effects[2].estimate);
    let var_a = fit.effects[1].se.expect("se").powi(2);
    let u2 = fit.actor_partner_tests[0].se.expect("se").powi(2);
    let u1 = 4.0 * var_a - u2;
    let cov = (u1 - u2) / 4.0;
    let k = p / a;
    let se = ((var_a - 2.0 * k * cov + k * k * var_a) / (a * a)).sqrt();
    let got = &fit.k[0];
    assert!((got.k.expect("k") - k).abs() < 1e-12);
    assert!((got.se.expect("se") - se).abs() < 1e-12);
    // Acitelli: k = 0.2880/0.4004 ≈ 0.719.
    assert!((k - 0.719).abs() < 1e-3, "{k}");
    assert!((got.ci_low.expect("lo") - (k - 1.959_963_984_540_054 * se)).abs() < 1e-9);
    assert!((got.ci_high.expect("hi") - (k + 1.959_963_984_540_054 * se)).abs() < 1e-9);
}

/// n complete dyads with y = 1 + 0.5·x_own + 0.25·x_partner + e, where the
/// residual e is shared by both partners when `shared` (correlation 1) and
/// independent-looking otherwise.
fn synthetic(n: usize, shared: bool) -> ApimData {
    let mut data = ApimData::new(ApimSpec {
        roles: Some(["w".into(), "h".into()]),
        covariates: Vec::new(),
    });
    for i in 0..n {
        let f = i as f64;
        let (xw, xh) = ((f * 0.7).sin() * 2.0 + 3.0, (f * 1.3).cos() * 1.5 + 2.0);
        let e1 = (f * 2.1).sin() * 0.4;
        let e2 = if shared { e1 } else { (f * 3.7).cos() * 0.3 };
        let members = [
            Member {
                role: Some(0),
                x: Some(xw),
                y: Some(1.0 + 0.5 * xw + 0.25 * xh + e1),
                covariates: &[],
            },
            Member {
                role: Some(1),
                x: Some(xh),
                y: Some(1.0 + 0.5 * xh + 0.25 * xw + e2),
                covariates: &[],
            },
        ];
        data.push_dyad(&members).expect("dyad");
    }
    data
}

#[test]
fn four_dyads_are_too_few_for_the_distinguishable_model() {
    let err = synthetic(4, false)
        .fit(Model::Distinguishable)
        .expect_err("refused");
    assert_eq!(
        err,
        ApimError::TooFewDyads {
            have: 4,
            need: 5,
            parameters: 3,
            model: Model::Distinguishable
        }
    );
    let text = err.to_string();
    assert!(text.contains("needs at least 5 complete dyads"), "{text}");
    assert!(text.contains("3 effects per role"), "{text}");
    // The indistinguishable model has 3 effects in all: 4 dyads suffice.
    assert!(synthetic(4, false).fit(Model::Indistinguishable).is_ok());
    assert!(matches!(
        synthetic(2, false).fit(Model::Indistinguishable),
        Err(ApimError::TooFewDyads { need: 3, .. })
    ));
}

#[test]
fn perfectly_correlated_residuals_are_warned_about_and_stay_finite() {
    for model in [Model::Indistinguishable, Model::Distinguishable] {
        let fit = synthetic(30, true).fit(model).expect("fit");
        assert!(
            fit.warnings
                .iter()
                .any(|w| w.contains("residual correlation between partners is 1.0000")),
            "{model:?}: {:?}",
            fit.warnings
        );
        for e in &fit.effects {
            assert!(e.estimate.is_finite());
            assert!(e.se.is_none_or(f64::is_finite));
        }
    }
    // The same data with distinct residuals carry no such warning.
    let fit = synthetic(30, false)
        .fit(Model::Distinguishable)
        .expect("fit");
    assert!(
        fit.warnings.iter().all(|w| !w.contains("edge")),
        "{:?}",
        fit.warnings
    );
}

#[test]
fn exact_fit_warns_that_the_residual_variance_is_zero() {
    let xs = [
        (1.0, 2.0),
        (3.0, 1.0),
        (2.0, 5.0),
        (4.0, 4.5),
        (0.5, 3.0),
        (2.5, 0.0),
    ];
    let mut data = ApimData::new(ApimSpec::default());
    for &(a, b) in &xs {
        let m = [
            Member {
                role: None,
                x: Some(a),
                y: Some(1.0 + 0.5 * a + 0.25 * b),
                covariates: &[],
            },
            Member {
                role: None,
                x: Some(b),
                y: Some(1.0 + 0.5 * b + 0.25 * a),
                covariates: &[],
            },
        ];
        data.push_dyad(&m).expect("dyad");
    }
    let fit = data.fit(Model::Indistinguishable).expect("fit");
    assert!(
        fit.warnings.iter().any(|w| w.contains("essentially zero")),
        "{:?}",
        fit.warnings
    );
}

#[test]
fn push_dyad_refuses_bad_dyads_without_changing_the_data() {
    let mut data = ApimData::new(ApimSpec {
        roles: Some(["w".into(), "h".into()]),
        covariates: Vec::new(),
    });
    let m = |role| Member {
        role,
        x: Some(1.0),
        y: Some(2.0),
        covariates: &[],
    };
    let before = data.clone();
    assert_eq!(
        data.push_dyad(&[m(Some(0)), m(Some(1)), m(Some(0))]),
        Err(DyadError::TooManyMembers)
    );
    assert_eq!(
        data.push_dyad(&[m(Some(0)), m(Some(0))]),
        Err(DyadError::RolesNotOneEach)
    );
    assert_eq!(data.push_dyad(&[m(None)]), Err(DyadError::RolesNotOneEach));
    assert_eq!(data, before);
    // A lone member has no partner X, so their row is not usable.
    data.push_dyad(&[m(Some(1))]).expect("lone member");
    assert_eq!((data.n_dyads(), data.n_rows_pushed()), (0, 1));
    assert!(matches!(
        data.fit(Model::Distinguishable),
        Err(ApimError::TooFewDyads { have: 0, .. })
    ));
}
