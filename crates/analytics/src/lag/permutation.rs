//! Permutation (randomisation) p-values for the adjusted residuals: shuffle
//! each sequence, recompute every residual, and count how often a shuffle is
//! at least as extreme as the data.
//!
//! Source: Bakeman, Robinson & Quera (1996), *Psychological Methods* 1:4–15;
//! SCIENCE.md §1.2 item 11, with p = (count + 1)/(B + 1).

use crate::rng::Rng;

use super::analysis::{fit_model, structural_zeros, LagOptions};
use super::LagError;

/// How to run the permutation test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermutationOptions {
    pub lag: usize,
    pub model: LagOptions,
    pub permutations: u32,
    pub seed: u64,
}

/// Swap attempts per event between two recorded shuffles when codes cannot
/// repeat, and before the first (burn-in).
const SWAPS_PER_EVENT: usize = 5;
const BURN_IN_PER_EVENT: usize = 20;

/// Two-tailed permutation p for every cell (row-major over `k` codes):
/// (#{shuffles with |f* − E| ≥ |f − E|} + 1)/(B + 1), where E is the observed
/// expected count (independence, or quasi-independence under `no_repeat`).
/// This is the statistic of O'Connor's (1999) program: with it our p-values
/// reproduce his published permutation p-values for Appendix B to Monte-Carlo
/// precision (`tests/oconnor.rs`); an alternative on |z*| came out
/// systematically smaller. `None` where the observed adjusted residual is
/// undefined.
///
/// Shuffles stay within sequences, so each sequence keeps its own codes and
/// length. Under a coding rule (codes that cannot repeat, partners who take
/// turns, impossible transitions) a shuffle must respect it; such shuffles
/// are drawn by a Metropolis chain of random swaps that rejects any swap
/// breaking a rule: the proposal is symmetric, so the chain's stationary
/// distribution is uniform over the allowed orderings.
pub fn permutation_p_values<S: AsRef<[u32]>>(
    sequences: &[S],
    k: usize,
    options: PermutationOptions,
) -> Result<Vec<Option<f64>>, LagError> {
    if options.lag == 0 {
        return Err(LagError::ZeroLag);
    }
    let zeros = structural_zeros(k, options.lag, &options.model);
    let work: Vec<Vec<u32>> = sequences.iter().map(|s| s.as_ref().to_vec()).collect();
    if work.iter().flatten().any(|&c| c as usize >= k) {
        return Err(LagError::Shape);
    }
    let rules = Rules::of(k, &options);
    rules.check(&work)?;
    let mut work = work;
    let mut counts = vec![0u64; k * k];
    tally(&work, k, options.lag, &mut counts);
    let fit = fit_model(k, &counts, &zeros);
    let distance: Vec<f64> = (0..k * k)
        .map(|c| (counts[c] as f64 - fit.expected[c]).abs())
        .collect();
    let mut extreme = vec![0u32; k * k];
    let mut rng = Rng::seed(options.seed);

    if !rules.is_empty() {
        for s in &mut work {
            let attempts = BURN_IN_PER_EVENT * s.len();
            rules.swap_chain(s, attempts, &mut rng);
        }
    }
    for _ in 0..options.permutations {
        for s in &mut work {
            if rules.is_empty() {
                fisher_yates(s, &mut rng);
            } else {
                let attempts = SWAPS_PER_EVENT * s.len();
                rules.swap_chain(s, attempts, &mut rng);
            }
        }
        tally(&work, k, options.lag, &mut counts);
        for c in 0..k * k {
            // The tolerance keeps a tie a tie despite rounding in E.
            if (counts[c] as f64 - fit.expected[c]).abs() >= distance[c] - 1e-9 {
                extreme[c] += 1;
            }
        }
    }
    let b = f64::from(options.permutations);
    Ok(fit
        .residuals
        .iter()
        .zip(&extreme)
        .map(|(obs, &e)| obs.map(|_| (f64::from(e) + 1.0) / (b + 1.0)))
        .collect())
}

fn tally(sequences: &[Vec<u32>], k: usize, lag: usize, counts: &mut [u64]) {
    counts.iter_mut().for_each(|c| *c = 0);
    for s in sequences {
        for (a, b) in s.iter().zip(s.iter().skip(lag)) {
            counts[*a as usize * k + *b as usize] += 1;
        }
    }
}

/// Uniform shuffle (Durstenfeld's Fisher–Yates, Knuth TAOCP vol. 2 §3.4.2 P).
fn fisher_yates(s: &mut [u32], rng: &mut Rng) {
    for i in (1..s.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        s.swap(i, j);
    }
}

/// The coding rule as forbidden pairs at given lags: no-repeat and turn
/// taking are rules between neighbours (lag 1) whatever lag is analysed;
/// declared impossible transitions hold at the analysed lag.
struct Rules {
    k: usize,
    forbidden: Vec<(usize, Vec<bool>)>,
}

impl Rules {
    fn of(k: usize, options: &PermutationOptions) -> Self {
        let model = &options.model;
        let neighbours = LagOptions {
            no_repeat: model.no_repeat,
            alternating: model.alternating.clone(),
            impossible: Vec::new(),
        };
        let declared = LagOptions {
            impossible: model.impossible.clone(),
            ..LagOptions::default()
        };
        let mut forbidden = Vec::new();
        for (lag, rule) in [(1, neighbours), (options.lag, declared)] {
            let mask = structural_zeros(k, lag, &rule);
            if mask.iter().any(|&z| z) {
                forbidden.push((lag, mask));
            }
        }
        Self { k, forbidden }
    }

    fn is_empty(&self) -> bool {
        self.forbidden.is_empty()
    }

    /// Whether the pair starting at position `p` (if any) breaks a rule.
    fn broken_at(&self, s: &[u32], p: usize) -> bool {
        self.forbidden.iter().any(|(lag, mask)| {
            p + lag < s.len() && mask[s[p] as usize * self.k + s[p + lag] as usize]
        })
    }

    /// The data themselves must obey the rule.
    fn check(&self, sequences: &[Vec<u32>]) -> Result<(), LagError> {
        for s in sequences {
            for (lag, mask) in &self.forbidden {
                for (a, b) in s.iter().zip(s.iter().skip(*lag)) {
                    let c = *a as usize * self.k + *b as usize;
                    if mask[c] {
                        return Err(LagError::ImpossibleObserved {
                            given: *a as usize,
                            target: *b as usize,
                            count: 1,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// `attempts` random transpositions, each kept only if every pair it
    /// touches still obeys the rules.
    fn swap_chain(&self, s: &mut [u32], attempts: usize, rng: &mut Rng) {
        let n = s.len();
        if n < 2 {
            return;
        }
        let lags: Vec<usize> = self.forbidden.iter().map(|(lag, _)| *lag).collect();
        for _ in 0..attempts {
            let i = rng.below(n as u64) as usize;
            let j = rng.below(n as u64) as usize;
            if s[i] == s[j] {
                continue;
            }
            s.swap(i, j);
            // Pairs that start at i or j, or end there.
            let fine = [i, j].iter().all(|&p| {
                !self.broken_at(s, p)
                    && lags
                        .iter()
                        .all(|&lag| p < lag || !self.broken_at(s, p - lag))
            });
            if !fine {
                s.swap(i, j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(no_repeat: bool, seed: u64) -> PermutationOptions {
        PermutationOptions {
            lag: 1,
            model: LagOptions {
                no_repeat,
                ..LagOptions::default()
            },
            permutations: 200,
            seed,
        }
    }

    #[test]
    fn same_seed_same_p_values_and_p_in_range() {
        let seqs = vec![vec![0u32, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 1, 2, 0, 1]];
        let a = permutation_p_values(&seqs, 3, opts(false, 42)).expect("a");
        let b = permutation_p_values(&seqs, 3, opts(false, 42)).expect("b");
        assert_eq!(a, b);
        for p in a.iter().flatten() {
            assert!(*p > 0.0 && *p <= 1.0);
        }
        let c = permutation_p_values(&seqs, 3, opts(false, 43)).expect("c");
        assert_ne!(a, c);
    }

    #[test]
    fn the_swap_chain_never_creates_a_repeat_and_keeps_the_codes() {
        let mut s: Vec<u32> = (0..300).map(|i| [0, 1, 0, 2, 1, 2][i % 6]).collect();
        let mut before = s.clone();
        let mut rng = Rng::seed(1);
        Rules::of(3, &opts(true, 1)).swap_chain(&mut s, 5_000, &mut rng);
        assert!(s.windows(2).all(|w| w[0] != w[1]));
        assert_ne!(s, before);
        s.sort_unstable();
        before.sort_unstable();
        assert_eq!(s, before);
    }

    #[test]
    fn a_strong_pattern_has_a_small_p_and_no_pattern_a_large_one() {
        // 0 is always followed by 1 in a long sequence: z(0→1) is huge.
        let mut seq = Vec::new();
        let mut rng = Rng::seed(9);
        for _ in 0..200 {
            match rng.below(3) {
                0 => seq.extend([0, 1]),
                1 => seq.push(1),
                _ => seq.push(2),
            }
        }
        let p = permutation_p_values(&[seq], 3, opts(false, 5)).expect("p");
        assert!(p[1].expect("p01") < 0.01);
    }

    #[test]
    fn shuffles_under_turn_taking_keep_the_turns_and_each_partners_codes() {
        // Codes 0, 1 are A's and 2, 3 B's; turns alternate A, B, A, B, …
        let mut s: Vec<u32> = (0..200).map(|t| [0, 2, 1, 3, 1, 2][t % 6]).collect();
        let options = PermutationOptions {
            lag: 1,
            model: LagOptions {
                alternating: Some(vec![0, 0, 1, 1]),
                ..LagOptions::default()
            },
            permutations: 1,
            seed: 1,
        };
        let rules = Rules::of(4, &options);
        let mut before = s.clone();
        rules.swap_chain(&mut s, 5_000, &mut Rng::seed(2));
        assert!(s.iter().enumerate().all(|(t, &c)| (c >= 2) == (t % 2 == 1)));
        assert_ne!(s, before);
        let p = permutation_p_values(&[s.clone()], 4, options).expect("p");
        s.sort_unstable();
        before.sort_unstable();
        assert_eq!(s, before);
        assert!(p[0].is_none(), "A→A is a structural zero");
    }
}
