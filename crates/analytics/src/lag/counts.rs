//! Lag-k transition counts, built in one pass over a stream of codes.
//!
//! Formula: f_ij = #{t : x_t = i and x_{t+k} = j} within each sequence, tables
//! summed over sequences, never a pair across a sequence boundary
//! (SCIENCE.md §1.2 item 1; O'Connor 1999). Memory is the K×K table plus a
//! window of the last k codes: it grows with the number of distinct codes,
//! not with the length of the data.

use std::collections::VecDeque;

use super::kappa::KappaMoments;
use super::LagError;

/// A finished lag-k transition table over codes `0..k`.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionTable {
    lag: usize,
    k: usize,
    /// Row-major K×K counts: `counts[i * k + j]` = f_ij.
    counts: Vec<u64>,
    /// How often each code occurs as an event (any position), for Wampold's
    /// kappa, which is defined on event counts (SCIENCE.md §1.2 item 8).
    events: Vec<u64>,
    /// Null moments for kappa, from each sequence's own composition;
    /// `None` when the sequences are unknown (a table given as counts).
    kappa: Option<KappaMoments>,
    sequences: u64,
}

impl TransitionTable {
    /// Counts the lag-`lag` transitions of several sequences of code indices.
    /// The number of codes is one more than the largest index seen (at least
    /// `min_codes`), so a caller can keep codes that never occur in the table.
    pub fn from_sequences<S: AsRef<[u32]>>(
        sequences: &[S],
        lag: usize,
        min_codes: usize,
    ) -> Result<Self, LagError> {
        let mut counter = TransitionCounter::new(lag)?;
        counter.reserve_codes(min_codes);
        for seq in sequences {
            for &code in seq.as_ref() {
                counter.push(code)?;
            }
            counter.end_sequence();
        }
        Ok(counter.finish())
    }

    /// A table from given counts, e.g. a published matrix. `events` may be
    /// empty when the sequence is unknown; kappa is then undefined. Given
    /// events are taken as one sequence (as Wampold and O'Connor do).
    pub fn from_counts(
        lag: usize,
        k: usize,
        counts: Vec<u64>,
        events: Vec<u64>,
    ) -> Result<Self, LagError> {
        if lag == 0 {
            return Err(LagError::ZeroLag);
        }
        if counts.len() != k * k || !(events.is_empty() || events.len() == k) {
            return Err(LagError::Shape);
        }
        let kappa = (!events.is_empty()).then(|| {
            let mut m = KappaMoments::new(k);
            let composition: Vec<(usize, u64)> = events.iter().copied().enumerate().collect();
            m.add_sequence(events.iter().sum(), lag as u64, &composition);
            m
        });
        let events = if events.is_empty() {
            vec![0; k]
        } else {
            events
        };
        Ok(Self {
            lag,
            k,
            counts,
            events,
            kappa,
            sequences: 0,
        })
    }

    pub fn lag(&self) -> usize {
        self.lag
    }

    /// Number of codes K (rows = columns).
    pub fn codes(&self) -> usize {
        self.k
    }

    pub fn sequences(&self) -> u64 {
        self.sequences
    }

    pub fn count(&self, given: usize, target: usize) -> u64 {
        self.counts[given * self.k + target]
    }

    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Event counts n_i per code.
    pub fn events(&self) -> &[u64] {
        &self.events
    }

    pub(crate) fn kappa_moments(&self) -> Option<&KappaMoments> {
        self.kappa.as_ref()
    }

    /// N, the number of tallies.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn row_totals(&self) -> Vec<u64> {
        self.counts
            .chunks(self.k.max(1))
            .map(|r| r.iter().sum())
            .collect()
    }

    pub fn col_totals(&self) -> Vec<u64> {
        let mut c = vec![0u64; self.k];
        for row in self.counts.chunks(self.k.max(1)) {
            for (cj, f) in c.iter_mut().zip(row) {
                *cj += f;
            }
        }
        c
    }
}

/// Streaming builder: push codes in order, call [`end_sequence`] at each
/// sequence boundary.
///
/// [`end_sequence`]: TransitionCounter::end_sequence
#[derive(Debug, Clone)]
pub struct TransitionCounter {
    lag: usize,
    k: usize,
    /// Allocated side of the square count buffer (≥ k); doubled on growth so
    /// that adding codes costs amortised O(1) per code, not per row.
    cap: usize,
    counts: Vec<u64>,
    events: Vec<u64>,
    window: VecDeque<u32>,
    /// Most recent code of the current sequence (`NONE` at a boundary); at
    /// lag 1 it replaces the window, which keeps the hot loop branch-light.
    last: u32,
    sequences: u64,
    in_sequence: bool,
    /// The current sequence's length and composition (count per code, and
    /// which codes it has used), folded into `kappa` when it ends.
    sequence_length: u64,
    sequence_counts: Vec<u64>,
    sequence_codes: Vec<usize>,
    /// Reused buffer of (code, count) pairs handed to `kappa`.
    composition: Vec<(usize, u64)>,
    kappa: KappaMoments,
}

const NONE: u32 = u32::MAX;

/// Codes are indices into a table; a stream with more distinct codes than
/// this is refused rather than allowed to allocate a huge table.
pub const MAX_CODES: usize = 1_000;

impl TransitionCounter {
    pub fn new(lag: usize) -> Result<Self, LagError> {
        if lag == 0 {
            return Err(LagError::ZeroLag);
        }
        Ok(Self {
            lag,
            k: 0,
            cap: 0,
            counts: Vec::new(),
            events: Vec::new(),
            window: VecDeque::with_capacity(lag),
            last: NONE,
            sequences: 0,
            in_sequence: false,
            sequence_length: 0,
            sequence_counts: Vec::new(),
            sequence_codes: Vec::new(),
            composition: Vec::new(),
            kappa: KappaMoments::new(0),
        })
    }

    /// Makes sure codes `0..k` exist in the table even if they never occur.
    pub fn reserve_codes(&mut self, k: usize) {
        if k > self.k {
            self.grow(k);
        }
    }

    fn grow(&mut self, k: usize) {
        if k > self.cap {
            let cap = k.max(self.cap * 2).max(8);
            let mut counts = vec![0u64; cap * cap];
            for i in 0..self.k {
                counts[i * cap..i * cap + self.k]
                    .copy_from_slice(&self.counts[i * self.cap..i * self.cap + self.k]);
            }
            self.counts = counts;
            self.cap = cap;
        }
        self.events.resize(k, 0);
        self.sequence_counts.resize(k, 0);
        self.kappa.grow(k);
        self.k = k;
    }

    /// The most recent code of the current sequence, if any (to check a
    /// no-repeat rule while streaming).
    pub fn previous(&self) -> Option<u32> {
        (self.last != NONE).then_some(self.last)
    }

    /// Adds the next code of the current sequence.
    #[inline]
    pub fn push(&mut self, code: u32) -> Result<(), LagError> {
        let c = code as usize;
        if c >= self.k {
            if c >= MAX_CODES {
                return Err(LagError::TooManyCodes);
            }
            self.grow(c + 1);
        }
        self.in_sequence = true;
        self.events[c] += 1;
        self.sequence_length += 1;
        if self.sequence_counts[c] == 0 {
            self.sequence_codes.push(c);
        }
        self.sequence_counts[c] += 1;
        if self.lag == 1 {
            if self.last != NONE {
                self.counts[self.last as usize * self.cap + c] += 1;
            }
        } else {
            if self.window.len() == self.lag {
                if let Some(given) = self.window.pop_front() {
                    self.counts[given as usize * self.cap + c] += 1;
                }
            }
            self.window.push_back(code);
        }
        self.last = code;
        Ok(())
    }

    /// Closes the current sequence so no pair spans the boundary.
    pub fn end_sequence(&mut self) {
        if self.in_sequence {
            self.sequences += 1;
            self.composition.clear();
            for &c in &self.sequence_codes {
                self.composition
                    .push((c, std::mem::take(&mut self.sequence_counts[c])));
            }
            self.kappa
                .add_sequence(self.sequence_length, self.lag as u64, &self.composition);
            self.sequence_codes.clear();
            self.sequence_length = 0;
        }
        self.in_sequence = false;
        self.window.clear();
        self.last = NONE;
    }

    /// The table of everything pushed so far (an open sequence is closed).
    pub fn finish(mut self) -> TransitionTable {
        self.end_sequence();
        let k = self.k;
        let mut counts = Vec::with_capacity(k * k);
        for i in 0..k {
            counts.extend_from_slice(&self.counts[i * self.cap..i * self.cap + k]);
        }
        TransitionTable {
            lag: self.lag,
            k,
            counts,
            events: self.events,
            kappa: Some(self.kappa.compact()),
            sequences: self.sequences,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_hand_made_sequence_at_lags_one_and_two() {
        // 0 1 0 0 1: lag-1 pairs 01 10 00 01; lag-2 pairs 00 10 01.
        let t = TransitionTable::from_sequences(&[vec![0u32, 1, 0, 0, 1]], 1, 0).expect("table");
        assert_eq!(t.counts(), &[1, 2, 1, 0]);
        assert_eq!(t.events(), &[3, 2]);
        let t2 = TransitionTable::from_sequences(&[vec![0u32, 1, 0, 0, 1]], 2, 0).expect("table");
        assert_eq!(t2.counts(), &[1, 1, 1, 0]);
        assert_eq!(t2.total(), 3);
    }

    #[test]
    fn no_pair_crosses_a_sequence_boundary() {
        // Joined, "0 0 | 1 1" would tally 0→1; separately it must not.
        let t = TransitionTable::from_sequences(&[vec![0u32, 0], vec![1, 1]], 1, 0).expect("t");
        assert_eq!(t.counts(), &[1, 0, 0, 1]);
        assert_eq!(t.sequences(), 2);
    }

    #[test]
    fn growing_the_code_set_keeps_earlier_counts() {
        let seq: Vec<u32> = (0..40).map(|i| (i * 7 % 13) as u32).collect();
        let t = TransitionTable::from_sequences(std::slice::from_ref(&seq), 1, 0).expect("t");
        for w in seq.windows(2) {
            assert!(t.count(w[0] as usize, w[1] as usize) >= 1);
        }
        assert_eq!(t.total(), 39);
    }

    #[test]
    fn refuses_lag_zero_and_too_many_codes() {
        assert!(TransitionCounter::new(0).is_err());
        let mut c = TransitionCounter::new(1).expect("c");
        assert!(c.push(MAX_CODES as u32).is_err());
        assert!(c.push(MAX_CODES as u32 - 1).is_ok());
    }
}
