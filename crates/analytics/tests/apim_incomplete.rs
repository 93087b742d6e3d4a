//! APIM through `ApimData` against R's nlme::gls on pairwise data, for the
//! complete Acitelli couples and an incomplete copy (a member deleted, Y
//! missing for either role, X missing, a covariate missing: the rules are
//! in `scripts/r/apim_incomplete_data.R`), both models, with and without the
//! covariate `tension`.
//!
//! The reference values were produced by
//! `Rscript scripts/r/apim_reference.R` (R 4.2.2, nlme 3.1-162, emmeans
//! 1.8.4-1, numDeriv 2016.8-1.1) and copied into the table below by
//! `python3 scripts/r/apim_reference_to_rust.py`. Tolerances:
//! - estimates, SEs, log-likelihoods, AIC and BIC against nlme: 1e-6
//!   relative.
//! - variance parameters (sigma, rho, varIdent ratio): 1e-6 relative against
//!   the script's "polished" values. nlme stops its optimiser a little short
//!   of the optimum (its REML gradient there is up to ~1e-3, printed by the
//!   script), which moves rho by up to ~2e-6 relative; the script takes
//!   Newton steps on the dense REML likelihood from there (gradient < 1e-6
//!   after). nlme's own rho is checked at 1e-5.
//! - Satterthwaite df: 1e-5 relative against the script's "dense" df (the
//!   REML likelihood written out with the full N×N covariance, differentiated
//!   by Richardson extrapolation at nlme's estimates). emmeans' own values
//!   are good only to about 1% (144.70 where SAS and the exact formula give
//!   145), so they are printed by the script but not used here.

use analytics::apim::{ApimData, ApimFit, ApimSpec, Hypothesis, Member, Model, Term};

struct Reference {
    label: &'static str,
    n: usize,
    estimate: &'static [f64],
    se: &'static [f64],
    df: &'static [f64],
    df_actor_minus_partner: &'static [f64],
    df_role_difference: &'static [f64],
    log_lik: f64,
    aic: f64,
    bic: f64,
    /// Variance parameters at the polished optimum (see below).
    sigma: f64,
    rho: f64,
    var_ident_ratio: Option<f64>,
    /// rho as nlme's optimiser left it.
    rho_nlme: f64,
    log_lik_ml: f64,
    log_lik_uncorrelated: f64,
}

// GENERATED from scripts/r/apim_reference.R output (R version 4.2.2 Patched (2022-11-10 r83330) nlme 3.1.162 emmeans 1.8.4.1).
const REFERENCES: &[Reference] = &[
    Reference {
        label: "acitelli_individual indistinguishable none",
        n: 296,
        estimate: &[0.6697541217428904, 0.4004231482366538, 0.2879704967380738],
        se: &[
            0.32243814353941974,
            0.04731414378669097,
            0.047314143786690965,
        ],
        df: &[145.99999378068668, 273.0579671143362, 273.05796759050463],
        df_actor_minus_partner: &[146.99999967885284],
        df_role_difference: &[],
        log_lik: -148.35913147005118,
        aic: 306.71826294010236,
        bic: 325.1191259851877,
        sigma: 0.4173659227858789,
        rho: 0.4693413639462324,
        var_ident_ratio: None,
        rho_nlme: 0.46934136274514665,
        log_lik_ml: -141.44204541208268,
        log_lik_uncorrelated: -166.60510305794452,
    },
    Reference {
        label: "acitelli_individual indistinguishable tension",
        n: 296,
        estimate: &[
            2.203668845193778,
            0.27595107693878157,
            0.2121844768981211,
            -0.27979575695000336,
        ],
        se: &[
            0.3273287520445648,
            0.044479881408463345,
            0.042947518257136705,
            0.03279808159455322,
        ],
        df: &[
            202.43995428291055,
            287.5102298841508,
            285.6732962647928,
            280.3945623144056,
        ],
        df_actor_minus_partner: &[142.27981052179487],
        df_role_difference: &[],
        log_lik: -119.24709452282178,
        aic: 250.49418904564357,
        bic: 272.55471185925325,
        sigma: 0.3661416684752612,
        rho: 0.37386401617582327,
        var_ident_ratio: None,
        rho_nlme: 0.37386482097030244,
        log_lik_ml: -109.44854664548762,
        log_lik_uncorrelated: -129.458973700047,
    },
    Reference {
        label: "acitelli_individual distinguishable none",
        n: 296,
        estimate: &[
            0.6112484575654873,
            0.3776999591335377,
            0.32147817859658,
            0.6904588802149846,
            0.4243866328639134,
            0.26164976948059726,
        ],
        se: &[
            0.4128194891908742,
            0.07392215639720633,
            0.08152253066704503,
            0.34290342280023156,
            0.06771568574889017,
            0.0614025284975244,
        ],
        df: &[
            145.0000085104362,
            145.0000022052898,
            145.00000759424668,
            144.99999538945136,
            144.99999798707327,
            144.99999823190444,
        ],
        df_actor_minus_partner: &[145.00000309905465, 144.99999974625294],
        df_role_difference: &[145.0000013775747, 205.46122603012003, 200.24040523806246],
        log_lik: -150.11079978809772,
        aic: 318.22159957619544,
        bic: 351.25052788302014,
        sigma: 0.4554780977332146,
        rho: 0.47510936562619727,
        var_ident_ratio: Some(0.8306375240007184),
        rho_nlme: 0.4751092322193408,
        log_lik_ml: -137.8035190217251,
        log_lik_uncorrelated: -168.65870828809483,
    },
    Reference {
        label: "acitelli_individual distinguishable tension",
        n: 296,
        estimate: &[
            2.3937802608778,
            0.2298453091162943,
            0.23717301329508067,
            -0.31497879915377497,
            1.989638419025443,
            0.32645445046093313,
            0.1902930777590397,
            -0.24643057978526547,
        ],
        se: &[
            0.441808708869545,
            0.06705980852171785,
            0.07099569918448885,
            0.04673722019326601,
            0.38540437002300965,
            0.06337812942830856,
            0.05669652334914537,
            0.04379193723491562,
        ],
        df: &[
            152.53367874372614,
            146.12681617650725,
            143.31591696389867,
            144.66545841671362,
            152.994984997045,
            146.1517744354082,
            145.25343872135517,
            143.4315006772784,
        ],
        df_actor_minus_partner: &[142.39802779517174, 143.4713305945871],
        df_role_difference: &[
            170.35075122473177,
            232.4540242661248,
            217.48462016514424,
            217.88632731098863,
        ],
        log_lik: -123.67976001179989,
        aic: 269.35952002359977,
        bic: 309.65208530509517,
        sigma: 0.390457049271895,
        rho: 0.3707277158389498,
        var_ident_ratio: Some(0.8720334536773214),
        rho_nlme: 0.37072692522281925,
        log_lik_ml: -106.37469528636103,
        log_lik_uncorrelated: -133.53411273389986,
    },
    Reference {
        label: "apim_incomplete indistinguishable none",
        n: 206,
        estimate: &[0.8534515930443061, 0.35389661468367933, 0.29441494461407125],
        se: &[
            0.33361011800448276,
            0.0533503795143046,
            0.054598288195631985,
        ],
        df: &[121.11964900455331, 202.68712748216686, 202.1998310058438],
        df_actor_minus_partner: &[101.19961921719401],
        df_role_difference: &[],
        log_lik: -97.75284324579209,
        aic: 205.50568649158419,
        bic: 222.07171638679313,
        sigma: 0.3920743168427792,
        rho: 0.3763388889006479,
        var_ident_ratio: None,
        rho_nlme: 0.37633889589081215,
        log_lik_ml: -91.19134075942713,
        log_lik_uncorrelated: -104.16110994166743,
    },
    Reference {
        label: "apim_incomplete indistinguishable tension",
        n: 192,
        estimate: &[
            2.5488152715920434,
            0.2100548142632451,
            0.20391076814925002,
            -0.28897916458896195,
        ],
        se: &[
            0.3631238152643304,
            0.05257739958247157,
            0.051629227297251855,
            0.039838138657548545,
        ],
        df: &[
            147.15811853763404,
            183.68745981831145,
            183.38295677244588,
            187.47437402318164,
        ],
        df_actor_minus_partner: &[95.46522923268797],
        df_role_difference: &[],
        log_lik: -70.77333647353535,
        aic: 153.5466729470707,
        bic: 172.9653247240504,
        sigma: 0.34087672643467,
        rho: 0.24075245047476843,
        var_ident_ratio: None,
        rho_nlme: 0.24075243032168747,
        log_lik_ml: -61.56824900578292,
        log_lik_uncorrelated: -72.76595339622256,
    },
    Reference {
        label: "apim_incomplete distinguishable none",
        n: 206,
        estimate: &[
            0.6196447363735983,
            0.3270632685764904,
            0.3750729158804638,
            1.0926176995779038,
            0.37563623269294943,
            0.2192652331135703,
        ],
        se: &[
            0.44151475090599307,
            0.08083107713062038,
            0.09293275447725215,
            0.39095305445164996,
            0.0787762169762843,
            0.07088552129733505,
        ],
        df: &[
            102.99014613059644,
            102.06180218165315,
            102.9938555240007,
            104.61501325630306,
            103.5223512148396,
            103.81001491448286,
        ],
        df_actor_minus_partner: &[102.33476113005891, 103.10082030659746],
        df_role_difference: &[111.38713369138371, 160.91347317711146, 158.1988677344841],
        log_lik: -99.50904306567205,
        aic: 217.0180861313441,
        bic: 246.7029424302764,
        sigma: 0.42846732290635,
        rho: 0.36855155620056784,
        var_ident_ratio: Some(0.8225599886999518),
        rho_nlme: 0.3685516012626666,
        log_lik_ml: -88.12049355230812,
        log_lik_uncorrelated: -105.60222147935983,
    },
    Reference {
        label: "apim_incomplete distinguishable tension",
        n: 192,
        estimate: &[
            2.4166147931550808,
            0.19296195767828345,
            0.26664650210592095,
            -0.3096019610256927,
            2.6325834533837202,
            0.22555228526732793,
            0.14862713300605696,
            -0.25587952245336537,
        ],
        se: &[
            0.5000388873588993,
            0.07414554502229198,
            0.08289682590062765,
            0.05516524709547413,
            0.4702965560391175,
            0.07920190147278172,
            0.06621857781757554,
            0.0564750876144186,
        ],
        df: &[
            101.01413181212995,
            100.24850936839557,
            100.28661254359865,
            99.03409372553928,
            86.86168875187255,
            86.98193057589896,
            86.80683679429137,
            84.21433675939572,
        ],
        df_actor_minus_partner: &[99.75546517052847, 86.79553715225974],
        df_role_difference: &[
            120.31213451954503,
            167.05887867434765,
            163.65298391600945,
            156.2748157067448,
        ],
        log_lik: -74.31908495116818,
        aic: 170.63816990233636,
        bic: 206.0024632360352,
        sigma: 0.37009611264920617,
        rho: 0.2398626255672671,
        var_ident_ratio: Some(0.8270065947629821),
        rho_nlme: 0.23986312936247242,
        log_lik_ml: -58.4052679180289,
        log_lik_uncorrelated: -76.31466576267246,
    },
];
// END GENERATED

fn reference(label: &str) -> &'static Reference {
    REFERENCES
        .iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no reference {label}"))
}

/// (role, x, y, [tension]) of one person.
type Row = (usize, Option<f64>, Option<f64>, [Option<f64>; 1]);

/// Individual-format CSV (cuplid, gender −1/1, other_pos, satisfaction,
/// tension), rows grouped by cuplid in order of first appearance; an empty
/// cell is missing.
fn load(file: &str, covariate: bool) -> ApimData {
    let text = match file {
        "acitelli_individual" => include_str!("data/acitelli_individual.csv"),
        "apim_incomplete" => include_str!("data/apim_incomplete.csv"),
        other => panic!("unknown data set {other}"),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id, gender, x, y, tension) = (
        col("cuplid"),
        col("gender"),
        col("other_pos"),
        col("satisfaction"),
        col("tension"),
    );
    let mut dyads: Vec<(String, Vec<Row>)> = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let role = match f[gender] {
            "-1" => 0,
            "1" => 1,
            other => panic!("gender {other}"),
        };
        let row = (
            role,
            f[x].parse().ok(),
            f[y].parse().ok(),
            [f[tension].parse().ok()],
        );
        match dyads.iter_mut().find(|d| d.0 == f[id]) {
            Some(d) => d.1.push(row),
            None => dyads.push((f[id].to_string(), vec![row])),
        }
    }
    let spec = ApimSpec {
        roles: Some(["-1".into(), "1".into()]),
        covariates: if covariate {
            vec!["tension".into()]
        } else {
            Vec::new()
        },
    };
    let mut data = ApimData::new(spec);
    for (_, rows) in &dyads {
        let members: Vec<Member> = rows
            .iter()
            .map(|(role, x, y, c)| Member {
                role: Some(*role),
                x: *x,
                y: *y,
                covariates: if covariate { &c[..] } else { &[] },
            })
            .collect();
        data.push_dyad(&members).expect("dyad");
    }
    data
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    let tol = rel * want.abs().max(1e-3);
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got} vs R {want} (diff {:e}, tol {tol:e})",
        got - want
    );
}

fn fit(label: &str) -> (ApimFit, &'static Reference) {
    let r = reference(label);
    let parts: Vec<&str> = label.split(' ').collect();
    let model = match parts[1] {
        "indistinguishable" => Model::Indistinguishable,
        _ => Model::Distinguishable,
    };
    let data = load(parts[0], parts[2] == "tension");
    (data.fit(model).expect("fit"), r)
}

fn check(label: &str) {
    let (fit, r) = fit(label);
    assert_eq!(fit.n_rows_used, r.n, "{label}: rows used");
    assert_eq!(fit.effects.len(), r.estimate.len());
    for (i, e) in fit.effects.iter().enumerate() {
        let what = format!("{label}: {} {:?}", e.name, e.role);
        close(&format!("{what} estimate"), e.estimate, r.estimate[i], 1e-6);
        close(&format!("{what} se"), e.se.expect("se"), r.se[i], 1e-6);
        close(&format!("{what} df"), e.df.expect("df"), r.df[i], 1e-5);
    }
    assert_eq!(
        fit.actor_partner_tests.len(),
        r.df_actor_minus_partner.len()
    );
    for (t, want) in fit.actor_partner_tests.iter().zip(r.df_actor_minus_partner) {
        assert_eq!(t.hypothesis, Hypothesis::ActorEqualsPartner);
        close(
            &format!("{label}: a − p df"),
            t.df.expect("df"),
            *want,
            1e-5,
        );
    }
    assert_eq!(fit.role_difference_tests.len(), r.df_role_difference.len());
    for (t, want) in fit.role_difference_tests.iter().zip(r.df_role_difference) {
        close(
            &format!("{label}: role difference df"),
            t.df.expect("df"),
            *want,
            1e-5,
        );
    }
    close(
        &format!("{label}: logLik"),
        fit.reml_log_likelihood.expect("ll"),
        r.log_lik,
        1e-6,
    );
    close(&format!("{label}: AIC"), fit.aic.expect("aic"), r.aic, 1e-6);
    close(&format!("{label}: BIC"), fit.bic.expect("bic"), r.bic, 1e-6);
    close(
        &format!("{label}: ML deviance"),
        fit.ml_deviance,
        -2.0 * r.log_lik_ml,
        1e-6,
    );
    let nonindependence = fit.nonindependence_test.expect("test");
    assert_eq!(nonindependence.df, 1);
    close(
        &format!("{label}: nonindependence chi2"),
        nonindependence.chi2,
        2.0 * (r.log_lik - r.log_lik_uncorrelated),
        1e-5,
    );
    // nlme: Var = sigma² (times the varIdent ratio² for the second role),
    // and the correlation rho.
    let rho = fit.partial_icc.expect("rho");
    close(&format!("{label}: rho"), rho, r.rho, 1e-6);
    close(&format!("{label}: nlme's rho"), rho, r.rho_nlme, 1e-5);
    match r.var_ident_ratio {
        None => {
            let total = fit.residual_variance.expect("v") + fit.dyad_covariance.expect("c");
            close(&format!("{label}: sigma²"), total, r.sigma * r.sigma, 1e-6);
        }
        Some(ratio) => {
            let want = [r.sigma * r.sigma, (r.sigma * ratio).powi(2)];
            for ((_, v), w) in fit.role_variances.iter().zip(want) {
                close(&format!("{label}: role variance"), *v, w, 1e-6);
            }
        }
    }
}

#[test]
fn complete_data_without_covariate_matches_nlme_indistinguishable() {
    check("acitelli_individual indistinguishable none");
}

#[test]
fn complete_data_without_covariate_matches_nlme_distinguishable() {
    check("acitelli_individual distinguishable none");
}

#[test]
fn complete_data_with_covariate_matches_nlme_indistinguishable() {
    check("acitelli_individual indistinguishable tension");
}

#[test]
fn complete_data_with_covariate_matches_nlme_distinguishable() {
    check("acitelli_individual distinguishable tension");
}

#[test]
fn incomplete_data_matches_nlme_indistinguishable() {
    check("apim_incomplete indistinguishable none");
}

#[test]
fn incomplete_data_matches_nlme_distinguishable() {
    check("apim_incomplete distinguishable none");
}

#[test]
fn incomplete_data_with_covariate_matches_nlme_indistinguishable() {
    check("apim_incomplete indistinguishable tension");
}

#[test]
fn incomplete_data_with_covariate_matches_nlme_distinguishable() {
    check("apim_incomplete distinguishable tension");
}

#[test]
fn distinguishability_test_is_the_ml_deviance_difference_of_the_two_nlme_fits() {
    for (file, cov, df) in [
        ("acitelli_individual", "none", 4),
        ("apim_incomplete", "none", 4),
        ("apim_incomplete", "tension", 5),
    ] {
        let (fit, _) = fit(&format!("{file} distinguishable {cov}"));
        let indist = reference(&format!("{file} indistinguishable {cov}"));
        let dist = reference(&format!("{file} distinguishable {cov}"));
        let test = fit.distinguishability_test.expect("test");
        assert_eq!(test.df, df);
        close(
            "distinguishability chi2",
            test.chi2,
            2.0 * (dist.log_lik_ml - indist.log_lik_ml),
            1e-5,
        );
    }
}

#[test]
fn incomplete_data_counts_dyads_rows_and_says_what_was_left_out() {
    // By the rules of scripts/r/apim_incomplete_data.R over 148 couples
    // (positions 0–147): 15 husbands deleted (i % 10 == 1) and 15 wives
    // without X (i % 10 == 7) remove 30 couples entirely; 15 + 15 couples
    // with one Y missing (i % 10 == 3, 5) enter with one row.
    let data = load("apim_incomplete", false);
    assert_eq!(data.n_rows_pushed(), 296 - 15);
    assert_eq!(data.n_dyads(), 148 - 30);
    assert_eq!(data.n_complete_dyads(), 148 - 60);
    assert_eq!(data.n_rows_used(), 2 * 88 + 30);
    let fit = data.fit(Model::Distinguishable).expect("fit");
    assert!(!fit.closed_form);
    assert!(
        fit.warnings[0].starts_with("75 of 281 rows were left out")
            && fit.warnings[0].contains("30 of the 118 dyads entered with one partner's row"),
        "{:?}",
        fit.warnings
    );
    // Descriptives by role over the rows used.
    assert_eq!(fit.descriptives.len(), 2);
    assert_eq!(fit.descriptives[0].n_rows + fit.descriptives[1].n_rows, 206);
    assert!(fit.effects.iter().all(|e| e.term != Term::Covariate(0)));
}
