//! Partners who take turns: with actor-coded events (A:neg, B:pos, …) that
//! strictly alternate, a same-actor transition cannot happen at lag 1. Read
//! as a chance zero it inflates every cross-actor expected count's share, so
//! random valences look like strong reciprocity; the quasi-independence
//! model over the free cells (SCIENCE.md §1.2 item 9, §1.3) does not.
//!
//! Valences are drawn independently (neg .3, neutral .4, pos .3), so under
//! the right model nothing is there to find.

use analytics::lag::{analyze, LagOptions, TransitionTable};
use analytics::Rng;

/// Codes 0–2 are A's (neg, neutral, pos), 3–5 B's.
const ACTORS: [u32; 6] = [0, 0, 0, 1, 1, 1];
const A_NEG: usize = 0;
const B_NEG: usize = 3;

fn valence(rng: &mut Rng) -> u32 {
    match rng.below(10) {
        0..=2 => 0,
        3..=6 => 1,
        _ => 2,
    }
}

/// Conversations of alternating turns, A first, with random valences.
fn conversations(rng: &mut Rng, count: usize, turns: usize) -> Vec<Vec<u32>> {
    (0..count)
        .map(|_| {
            (0..turns)
                .map(|t| valence(rng) + if t % 2 == 0 { 0 } else { 3 })
                .collect()
        })
        .collect()
}

fn alternating() -> LagOptions {
    LagOptions {
        alternating: Some(ACTORS.to_vec()),
        ..LagOptions::default()
    }
}

#[test]
fn random_valences_show_no_reciprocity_once_turns_are_modelled() {
    let mut rng = Rng::seed(3);
    let seqs = conversations(&mut rng, 40, 50);
    let table = TransitionTable::from_sequences(&seqs, 1, 6).expect("table");

    let naive = analyze(&table, &LagOptions::default()).expect("naive");
    let z_naive = naive.cell(A_NEG, B_NEG).adjusted_residual.expect("z");
    assert!(
        z_naive > 4.0,
        "independence reads turn-taking as reciprocity: z = {z_naive}"
    );

    let model = analyze(&table, &alternating()).expect("alternating");
    let cell = model.cell(A_NEG, B_NEG);
    let z = cell.adjusted_residual.expect("z");
    assert!(z.abs() < 2.0, "quasi-independence: z = {z}");
    // Same-actor cells are structural zeros with null statistics.
    let same = model.cell(A_NEG, 1);
    assert!(same.structural_zero);
    assert_eq!(same.expected, Some(0.0));
    assert_eq!((same.adjusted_residual, same.yules_q), (None, None));
    assert_eq!(model.structural_zeros, 18);
    // Two independent 3×3 blocks (A→B and B→A): df = 2·(3−1)² = 8, where
    // the full table's independence model has (6−1)² = 25.
    assert_eq!(model.g2_df, Some(8));
    assert_eq!(naive.g2_df, Some(25));
    // Kappa's z is the model's residual under structural zeros.
    assert_eq!(cell.kappa_z, cell.adjusted_residual);
}

#[test]
fn at_even_lags_the_cross_actor_cells_are_the_zeros() {
    let mut rng = Rng::seed(4);
    let seqs = conversations(&mut rng, 20, 30);
    let table = TransitionTable::from_sequences(&seqs, 2, 6).expect("table");
    let a = analyze(&table, &alternating()).expect("lag 2");
    assert!(a.cell(A_NEG, B_NEG).structural_zero);
    assert!(!a.cell(A_NEG, A_NEG).structural_zero);
    assert_eq!(a.g2_df, Some(8));
}

#[test]
fn a_partner_speaking_twice_is_refused() {
    let table = TransitionTable::from_sequences(&[vec![0u32, 3, 4, 1]], 1, 6).expect("table");
    let err = analyze(&table, &alternating()).expect_err("B twice");
    assert_eq!(
        err,
        analytics::lag::LagError::ImpossibleObserved {
            given: 3,
            target: 4,
            count: 1
        }
    );
}

#[test]
fn declared_impossible_cells_are_structural_zeros() {
    let seqs = vec![vec![0u32, 1, 2, 0, 2, 1, 0, 1, 2, 2, 0, 1, 1, 0, 2]];
    let table = TransitionTable::from_sequences(&seqs, 1, 3).expect("table");
    let options = LagOptions {
        impossible: vec![(1, 0)],
        ..LagOptions::default()
    };
    let err = analyze(&table, &options).expect_err("1→0 occurs");
    assert!(matches!(
        err,
        analytics::lag::LagError::ImpossibleObserved {
            given: 1,
            target: 0,
            ..
        }
    ));
    let allowed = LagOptions {
        impossible: vec![(0, 0)],
        ..LagOptions::default()
    };
    let a = analyze(&table, &allowed).expect("0→0 never occurs");
    assert!(a.cell(0, 0).structural_zero);
    assert_eq!(a.g2_df, Some(3)); // (3 − 1)² − 1
}

/// Under the null, the quasi-independence residuals are calibrated:
/// |z| > 1.96 in about 5% of free cells over many conversations.
#[test]
fn residuals_under_turn_taking_are_calibrated() {
    let mut rng = Rng::seed(5);
    let (mut past, mut cells) = (0usize, 0usize);
    for _ in 0..200 {
        let seqs = conversations(&mut rng, 30, 20);
        let table = TransitionTable::from_sequences(&seqs, 1, 6).expect("table");
        let a = analyze(&table, &alternating()).expect("analysis");
        for z in a.cells.iter().filter_map(|c| c.adjusted_residual) {
            cells += 1;
            past += usize::from(z.abs() > 1.96);
        }
    }
    let rate = past as f64 / cells as f64;
    eprintln!("turn taking: {:.2}% of {cells} cells", rate * 100.0);
    assert!((0.035..=0.065).contains(&rate), "{:.1}%", rate * 100.0);
}
