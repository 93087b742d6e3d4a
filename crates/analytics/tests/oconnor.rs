//! The published worked example for lag-sequential analysis: O'Connor, B. P.
//! (1999). Simple and flexible SAS and SPSS programs for analyzing
//! lag-sequential categorical data. *Behavior Research Methods, Instruments,
//! & Computers*, 31, 718–726, doi:10.3758/BF03200753.
//!
//! Appendix A prints the 393-event input (couple interaction from Gottman &
//! Roy 1990, p. 78); Appendix B prints every output matrix of his program.
//! Both are transcribed here from the lagdynamics repository
//! (github.com/mohsaqr/lagdynamics, `data-raw/oconnor_couple.R`, validated in
//! `tests/testthat/test-published-oconnor.R` at commit cf7a93c). The
//! tolerance is the paper's printed precision (SCIENCE.md §1.5: ±5e-4 on
//! 3–4 dp values; 1e-3 where the paper rounds to 3 dp).

use analytics::lag::{
    analyze, permutation_p_values, LagOptions, PermutationOptions, TransitionTable,
};

#[rustfmt::skip]
const SEQUENCE: [u32; 393] = [
    2,5,2,4,2,5,2,4,2,4,2,2,5,2,4,2,5,3,4,3,4,1,4,4,1,2,5,2,1,5,4,2,5,
    1,4,4,2,3,6,6,2,2,6,5,5,5,6,3,6,3,3,6,3,2,5,3,5,2,6,2,2,2,5,2,4,4,
    5,2,5,2,5,5,4,2,5,5,5,2,5,2,5,2,5,2,2,5,2,5,2,2,5,5,2,2,2,5,2,5,2,
    5,2,5,2,2,5,2,5,3,5,2,5,5,2,2,5,2,2,5,2,6,2,5,4,2,5,2,4,4,2,1,2,5,
    2,5,2,5,5,5,3,5,2,5,5,2,5,5,2,5,2,5,2,4,2,4,2,5,4,2,2,5,2,5,5,5,2,
    5,2,5,5,2,5,2,5,5,2,1,2,5,1,5,1,5,5,4,2,2,2,3,6,3,6,3,6,3,6,3,6,3,
    3,6,6,6,5,1,2,5,2,5,5,2,4,5,5,2,5,5,2,5,2,5,2,5,1,5,4,2,2,5,2,5,2,
    5,4,1,4,4,2,4,4,2,4,2,3,5,4,2,2,5,2,6,1,4,1,4,5,5,5,4,5,2,4,5,5,2,
    5,2,2,2,5,2,2,5,2,2,4,2,2,2,6,2,4,3,3,3,3,2,3,6,3,5,3,3,5,3,2,2,2,
    2,6,3,6,3,6,2,6,1,6,3,3,3,3,5,3,5,2,5,3,3,6,3,1,4,1,5,1,5,6,3,3,6,
    3,6,3,6,3,6,3,6,3,3,6,3,6,3,2,5,2,5,2,5,2,5,2,2,2,3,5,1,6,1,6,6,6,
    1,6,6,1,6,1,6,2,5,1,6,6,6,2,2,6,6,6,2,6,2,6,2,5,5,5,5,5,5,6,
];

#[rustfmt::skip]
const COUNTS: [[u64; 6]; 6] = [
    [0, 4, 0, 6, 6, 7], [3, 28, 5, 14, 63, 10], [1, 4, 12, 2, 9, 20],
    [5, 19, 2, 6, 5, 0], [8, 57, 8, 9, 27, 3], [6, 10, 21, 0, 2, 10],
];
#[rustfmt::skip]
const EXPECTED: [[f64; 6]; 6] = [
    [1.3495, 7.1582, 2.8163, 2.1709, 6.5714, 2.9337],
    [7.2168, 38.281, 15.061, 11.610, 35.143, 15.689],
    [2.8163, 14.939, 5.8776, 4.5306, 13.714, 6.1224],
    [2.1709, 11.515, 4.5306, 3.4923, 10.571, 4.7194],
    [6.5714, 34.857, 13.714, 10.571, 32.000, 14.286],
    [2.8750, 15.250, 6.0000, 4.6250, 14.000, 6.2500],
];
#[rustfmt::skip]
const PROB: [[f64; 6]; 6] = [
    [0.0000, 0.1739, 0.0000, 0.2609, 0.2609, 0.3043],
    [0.0244, 0.2276, 0.0407, 0.1138, 0.5122, 0.0813],
    [0.0208, 0.0833, 0.2500, 0.0417, 0.1875, 0.4167],
    [0.1351, 0.5135, 0.0541, 0.1622, 0.1351, 0.0000],
    [0.0714, 0.5089, 0.0714, 0.0804, 0.2411, 0.0268],
    [0.1224, 0.2041, 0.4286, 0.0000, 0.0408, 0.2041],
];
#[rustfmt::skip]
const ADJ_RES: [[f64; 6]; 6] = [
    [-1.234, -1.466, -1.846,  2.815, -0.272,  2.620],
    [-1.953, -2.417, -3.341,  0.890,  6.712, -1.856],
    [-1.191, -3.640,  2.878, -1.334, -1.608,  6.410],
    [ 2.080,  2.793, -1.334,  1.482, -2.131, -2.444],
    [ 0.680,  5.347, -1.949, -0.601, -1.237, -3.782],
    [ 2.031, -1.732,  6.988, -2.416, -4.057,  1.717],
];
#[rustfmt::skip]
const ADJ_P: [[f64; 6]; 6] = [
    [0.2172, 0.1427, 0.0648, 0.0049, 0.7857, 0.0088],
    [0.0508, 0.0157, 0.0008, 0.3735, 0.0000, 0.0634],
    [0.2337, 0.0003, 0.0040, 0.1823, 0.1079, 0.0000],
    [0.0376, 0.0052, 0.1823, 0.1384, 0.0331, 0.0145],
    [0.4967, 0.0000, 0.0513, 0.5479, 0.2159, 0.0002],
    [0.0423, 0.0833, 0.0000, 0.0157, 0.0000, 0.0860],
];
#[rustfmt::skip]
const YULES_Q: [[f64; 6]; 6] = [
    [-1.000, -0.381, -1.000,  0.587, -0.066,  0.537],
    [-0.525, -0.291, -0.636,  0.157,  0.650, -0.327],
    [-0.525, -0.703,  0.481, -0.445, -0.299,  0.764],
    [ 0.490,  0.442, -0.445,  0.338, -0.468, -1.000],
    [ 0.152,  0.548, -0.368, -0.120, -0.157, -0.760],
    [ 0.456, -0.308,  0.795, -1.000, -0.835,  0.320],
];
#[rustfmt::skip]
const KAPPA: [[f64; 6]; 6] = [
    [-1.0000, -0.4443, -1.0000,  0.1840, -0.0846,  0.2029],
    [-0.5832, -0.2727, -0.6672,  0.0952,  0.3632, -0.3610],
    [-0.6440, -0.7337,  0.1457, -0.5574, -0.3421,  0.3316],
    [ 0.1361,  0.2919, -0.5574,  0.0751, -0.5258, -1.0000],
    [ 0.0879,  0.2852, -0.4152, -0.1465, -0.1541, -0.7895],
    [ 0.1531, -0.3610,  0.3555, -1.0000, -0.8596,  0.0834],
];
#[rustfmt::skip]
const KAPPA_Z: [[f64; 6]; 6] = [
    [-1.231, -1.480, -1.841,  2.818, -0.264,  2.624],
    [-1.943, -2.459, -3.326,  0.900,  6.726, -1.842],
    [-1.186, -3.657,  2.884, -1.327, -1.595,  6.415],
    [ 2.083,  2.760, -1.327,  1.487, -2.119, -2.437],
    [ 0.687,  5.282, -1.936, -0.590, -1.216, -3.768],
    [ 1.980, -1.842,  6.876, -2.437, -4.103,  1.651],
];
/// Appendix B: likelihood-ratio chi-square 202.5009 on 25 df.
const G2: f64 = 202.5009;

fn table() -> TransitionTable {
    // The paper numbers codes 1–6; the engine uses indices 0–5.
    let seq: Vec<u32> = SEQUENCE.iter().map(|c| c - 1).collect();
    TransitionTable::from_sequences(&[seq], 1, 6).expect("table")
}

fn assert_matrix(
    name: &str,
    got: impl Fn(usize, usize) -> Option<f64>,
    want: &[[f64; 6]; 6],
    tol: f64,
) {
    for (i, row) in want.iter().enumerate() {
        for (j, w) in row.iter().enumerate() {
            let g = got(i, j).unwrap_or_else(|| panic!("{name}[{i}][{j}] undefined"));
            assert!(
                (g - w).abs() <= tol,
                "{name}[{}][{}]: {g} vs published {w}",
                i + 1,
                j + 1
            );
        }
    }
}

#[test]
fn reproduces_the_published_counts_and_table_test() {
    let t = table();
    for (i, row) in COUNTS.iter().enumerate() {
        for (j, f) in row.iter().enumerate() {
            assert_eq!(t.count(i, j), *f, "count[{}][{}]", i + 1, j + 1);
        }
    }
    let a = analyze(&t, &LagOptions::default()).expect("analysis");
    assert_eq!(a.n, 392);
    assert_eq!(a.g2_df, Some(25));
    let g2 = a.g2.expect("g2");
    assert!((g2 - G2).abs() < 5e-4, "G² {g2}");
    assert!(a.g2_p.expect("p") < 1e-4);
}

#[test]
fn reproduces_the_published_cell_statistics() {
    let a = analyze(&table(), &LagOptions::default()).expect("analysis");
    assert_matrix("expected", |i, j| a.cell(i, j).expected, &EXPECTED, 5e-4);
    assert_matrix(
        "probability",
        |i, j| a.cell(i, j).transitional_probability,
        &PROB,
        5e-5,
    );
    assert_matrix(
        "adjusted residual",
        |i, j| a.cell(i, j).adjusted_residual,
        &ADJ_RES,
        5e-4,
    );
    assert_matrix("p", |i, j| a.cell(i, j).p_value, &ADJ_P, 5e-5);
    assert_matrix("Yule's Q", |i, j| a.cell(i, j).yules_q, &YULES_Q, 5e-4);
    // Off the diagonal our kappa is Wampold's (one sequence, lag 1).
    let a = &a;
    let off = |v: fn(&analytics::lag::CellStats) -> Option<f64>| {
        move |i: usize, j: usize| if i == j { Some(0.0) } else { v(a.cell(i, j)) }
    };
    let off_diagonal = |m: &[[f64; 6]; 6]| {
        let mut m = *m;
        (0..6).for_each(|i| m[i][i] = 0.0);
        m
    };
    assert_matrix(
        "kappa",
        off(|c| c.wampold_kappa),
        &off_diagonal(&KAPPA),
        5e-5,
    );
    assert_matrix("kappa z", off(|c| c.kappa_z), &off_diagonal(&KAPPA_Z), 5e-4);
}

/// The diagonal under the exact permutation null (see `lag/kappa.rs`):
/// e = n_i(n_i − 1)/n and the largest count n_i − 1, where Wampold's formula
/// has n_i²/n and n_i (it lets an event follow itself). Computed
/// independently of this crate (a Python transcription of the formulas in
/// `kappa.rs`, with n = 393 and n_i = 23, 123, 48, 37, 112, 50). Each moves
/// the published value by less than 0.1 in z, and no cell changes sign.
const DIAGONAL_KAPPA: [f64; 6] = [-1.0, -0.266693, 0.151711, 0.080056, -0.146477, 0.088059];
const DIAGONAL_KAPPA_Z: [f64; 6] = [
    -1.202072, -2.391229, 2.967980, 1.561274, -1.148695, 1.723437,
];

#[test]
fn the_diagonal_kappa_uses_the_exact_null_expectation() {
    let a = analyze(&table(), &LagOptions::default()).expect("analysis");
    for i in 0..6 {
        let c = a.cell(i, i);
        let (k, z) = (c.wampold_kappa.expect("kappa"), c.kappa_z.expect("z"));
        assert!((k - DIAGONAL_KAPPA[i]).abs() < 5e-6, "kappa[{i}] {k}");
        assert!((z - DIAGONAL_KAPPA_Z[i]).abs() < 5e-6, "z[{i}] {z}");
        assert!((z - KAPPA_Z[i][i]).abs() < 0.1, "near the published z");
    }
}

#[test]
fn the_hat_matrix_path_reproduces_the_plain_residuals_on_the_published_table() {
    // SCIENCE.md §1.2 item 9: with no structural zeros the hat-matrix formula
    // reduces exactly to the plain adjusted residual (4e-15 there).
    use analytics::lag::quasi::{hat_matrix_residuals, ipf};
    let t = table();
    let plain = analyze(&t, &LagOptions::default()).expect("plain");
    let zeros = vec![false; 36];
    let fit = ipf(6, t.counts(), &zeros);
    assert!(fit.converged);
    let z = hat_matrix_residuals(6, t.counts(), &fit.expected, &zeros).residuals;
    for (c, (hz, cell)) in z.iter().zip(&plain.cells).enumerate() {
        let (h, p) = (hz.expect("hat z"), cell.adjusted_residual.expect("z"));
        assert!((h - p).abs() < 1e-9, "cell {c}: {h} vs {p}");
    }
}

#[test]
fn permutation_p_values_agree_with_the_published_permutation_test() {
    // Appendix B also prints permutation p-values (10 blocks × 1000
    // permutations, their mean). Our shuffles differ, so compare with a
    // tolerance of Monte-Carlo size: SE ≤ 0.005 for the published mean,
    // ≤ 0.008 for our 4000 draws, so ≈ 0.0095 for the difference, and 0.035
    // is 3.7 SE over 36 cells.
    #[rustfmt::skip]
    const PERM_P: [[f64; 6]; 6] = [
        [0.37890, 0.16610, 0.09050, 0.01400, 0.81660, 0.01410],
        [0.05970, 0.01850, 0.00060, 0.46340, 0.00000, 0.07570],
        [0.33300, 0.00090, 0.00580, 0.20660, 0.12750, 0.00000],
        [0.05570, 0.00790, 0.20750, 0.13100, 0.03490, 0.01670],
        [0.63200, 0.00000, 0.06550, 0.57750, 0.26500, 0.00010],
        [0.05810, 0.10330, 0.00000, 0.01360, 0.00020, 0.10380],
    ];
    let seq: Vec<u32> = SEQUENCE.iter().map(|c| c - 1).collect();
    let opts = PermutationOptions {
        lag: 1,
        model: LagOptions::default(),
        permutations: 4000,
        seed: 1999,
    };
    let p = permutation_p_values(&[seq], 6, opts).expect("perm");
    let mut worst = 0.0_f64;
    for i in 0..6 {
        for j in 0..6 {
            let got = p[i * 6 + j].expect("p");
            worst = worst.max((got - PERM_P[i][j]).abs());
        }
    }
    assert!(worst < 0.035, "largest difference {worst}");
}

/// Pearson X², a cell's log odds ratio with its SE and CI, and Holm-adjusted
/// p-values, against base R on the published counts
/// (`scripts/r/lag_reference.R`, R 4.2.2: `chisq.test(correct = FALSE)`,
/// the 2×2 collapse by hand and by a binomial `glm`, `p.adjust("holm")`).
#[test]
fn paper_statistics_match_r() {
    use analytics::multiple::{adjust, Adjustment};
    let a = analyze(&table(), &LagOptions::default()).expect("analysis");
    let x2 = a.x2.expect("X²");
    assert!((x2 - 210.604_769_441_0).abs() < 1e-8, "X² {x2}");
    assert_eq!(a.g2_df, Some(25));
    let p = a.x2_p.expect("p");
    assert!((p / 2.749_420_502_9e-31 - 1.0).abs() < 1e-6, "p {p}");
    // Codes 2 → 5 (indices 1, 4): a = 63.
    let lo = a.cell(1, 4).log_odds.expect("log odds");
    assert!((lo.estimate - 1.550_597_412_4).abs() < 1e-9);
    assert!((lo.se - 0.239_777_606_0).abs() < 1e-9);
    assert!((lo.ci_low - 1.080_641_940_3).abs() < 1e-9);
    assert!((lo.ci_high - 2.020_552_884_5).abs() < 1e-9);
    assert!(!lo.corrected);
    // Cell 1 → 1 has a = 0: the Haldane correction is flagged.
    assert!(a.cell(0, 0).log_odds.expect("corrected").corrected);
    let p: Vec<Option<f64>> = a.cells.iter().map(|c| c.p_value).collect();
    let holm = adjust(Adjustment::Holm, &p);
    let want = [1.0, 1.0, 1.0, 0.131_822_926_7, 1.0, 0.219_999_842_5];
    for (j, w) in want.iter().enumerate() {
        let g = holm[j].expect("adjusted");
        assert!((g - w).abs() < 1e-7, "holm[{j}] {g} vs {w}");
    }
    // Base rates: code 2 is the target of 122 of the 392 tallies.
    let rate = a.target_rates[1].expect("rate");
    assert!((rate - 122.0 / 392.0).abs() < 1e-12);
    assert_eq!(a.cell(3, 1).target_base_rate, Some(rate));
    assert!(a.cell(0, 0).small_expected && !a.cell(1, 1).small_expected);
}
