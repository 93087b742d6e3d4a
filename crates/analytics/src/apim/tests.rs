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
