//! Calibration of Wampold's kappa z by simulation: under no sequential
//! dependence, |z| > 1.96 must happen in about 5% of cells, whatever the
//! shape of the data. Before the fix (event counts standing in for pairs),
//! simulations of this kind put 79% of cells past 1.96 for many short
//! sequences and 100% at lag 2 (300 sequences of 3–6 equally frequent codes,
//! O'Connor's 1999 formula, measured while writing this fix).
//!
//! Codes are drawn independently with unequal frequencies (.4/.3/.2/.1), so
//! a formula that is right only for equally frequent codes fails here. The
//! seeds are fixed, so each rate is one deterministic number; the bounds
//! (3.5%–6.5%) are about three standard errors of a rate from 3,000–5,000
//! cells, wide enough for any sound formula and far too narrow for the old
//! one.

use analytics::lag::{analyze, LagOptions, TransitionTable};
use analytics::Rng;

const WEIGHTS: [u64; 4] = [4, 3, 2, 1];

/// A code drawn with probability WEIGHTS/10, other than `not` if given
/// (the next code of a no-repeat sequence: every other code in proportion
/// to its frequency, the quasi-independence null).
fn draw(rng: &mut Rng, not: Option<u32>) -> u32 {
    loop {
        let mut r = rng.below(10);
        let code = WEIGHTS
            .iter()
            .position(|&w| {
                if r < w {
                    true
                } else {
                    r -= w;
                    false
                }
            })
            .expect("weights sum to 10") as u32;
        if Some(code) != not {
            return code;
        }
    }
}

struct Scenario {
    sequences: usize,
    length: std::ops::RangeInclusive<u64>,
    lag: usize,
    no_repeat: bool,
    replicates: usize,
}

/// The share of cells with |kappa z| > 1.96 over all replicates.
fn rejection_rate(s: &Scenario, seed: u64) -> f64 {
    let mut rng = Rng::seed(seed);
    let (mut past, mut cells) = (0usize, 0usize);
    for _ in 0..s.replicates {
        let seqs: Vec<Vec<u32>> = (0..s.sequences)
            .map(|_| {
                let span = s.length.end() - s.length.start() + 1;
                let t = s.length.start() + rng.below(span);
                let mut q: Vec<u32> = Vec::with_capacity(t as usize);
                while (q.len() as u64) < t {
                    let not = if s.no_repeat { q.last().copied() } else { None };
                    q.push(draw(&mut rng, not));
                }
                q
            })
            .collect();
        let table = TransitionTable::from_sequences(&seqs, s.lag, 4).expect("table");
        let a = analyze(
            &table,
            &LagOptions {
                no_repeat: s.no_repeat,
                ..Default::default()
            },
        )
        .expect("analysis");
        for c in a.cells.iter().filter(|c| !c.structural_zero) {
            let z = c.kappa_z.expect("every code occurs, so z is defined");
            cells += 1;
            past += usize::from(z.abs() > 1.96);
        }
    }
    past as f64 / cells as f64
}

fn assert_calibrated(name: &str, s: Scenario, seed: u64) {
    let rate = rejection_rate(&s, seed);
    eprintln!("{name}: {:.2}%", rate * 100.0);
    assert!(
        (0.035..=0.065).contains(&rate),
        "{name}: |z| > 1.96 in {:.1}% of cells under the null",
        rate * 100.0
    );
}

#[test]
fn many_short_sequences_at_lag_one() {
    let s = Scenario {
        sequences: 400,
        length: 3..=6,
        lag: 1,
        no_repeat: false,
        replicates: 250,
    };
    assert_calibrated("short sequences, lag 1", s, 11);
}

#[test]
fn many_short_sequences_at_lag_two() {
    let s = Scenario {
        sequences: 400,
        length: 3..=6,
        lag: 2,
        no_repeat: false,
        replicates: 250,
    };
    assert_calibrated("short sequences, lag 2", s, 12);
}

#[test]
fn one_long_sequence_at_lag_three() {
    let s = Scenario {
        sequences: 1,
        length: 2000..=2000,
        lag: 3,
        no_repeat: false,
        replicates: 250,
    };
    assert_calibrated("one long sequence, lag 3", s, 13);
}

#[test]
fn codes_that_cannot_repeat() {
    let s = Scenario {
        sequences: 200,
        length: 5..=12,
        lag: 1,
        no_repeat: true,
        replicates: 250,
    };
    assert_calibrated("no-repeat, lag 1", s, 14);
}
