//! The ids of finished sequences, so a sequence split into two runs is
//! refused. Canonical decimal ids (1, 2, 3, … without leading zeros, the
//! usual export) are kept as ranges of consecutive numbers, so sorted numeric
//! ids take constant memory however long the file; any other id costs one
//! 64-bit hash (a false "starts again" needs two ids with equal SipHash
//! values, about 1 in 10¹¹ for a million sequences).

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

#[derive(Debug, Default)]
pub struct SeenIds {
    /// Disjoint, non-adjacent ranges start → end (inclusive).
    ranges: BTreeMap<u64, u64>,
    hashes: HashSet<u64>,
}

/// The number `id` spells in canonical decimal, if it does.
fn canonical(id: &[u8]) -> Option<u64> {
    if id.is_empty()
        || id.len() > 19
        || (id.len() > 1 && id[0] == b'0')
        || !id.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    Some(id.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

fn hash(id: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl SeenIds {
    pub fn contains(&self, id: &[u8]) -> bool {
        match canonical(id) {
            Some(x) => self
                .ranges
                .range(..=x)
                .next_back()
                .is_some_and(|(_, &end)| end >= x),
            None => self.hashes.contains(&hash(id)),
        }
    }

    pub fn insert(&mut self, id: &[u8]) {
        let Some(x) = canonical(id) else {
            self.hashes.insert(hash(id));
            return;
        };
        let before = self.ranges.range(..=x).next_back().map(|(&s, &e)| (s, e));
        if before.is_some_and(|(_, e)| e >= x) {
            return;
        }
        let after_end = x.checked_add(1).and_then(|next| self.ranges.remove(&next));
        match before {
            Some((s, e)) if e + 1 == x => {
                self.ranges.insert(s, after_end.unwrap_or(x));
            }
            _ => {
                self.ranges.insert(x, after_end.unwrap_or(x));
            }
        }
    }

    #[cfg(test)]
    fn range_count(&self) -> usize {
        self.ranges.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_numbers_collapse_into_one_range() {
        let mut s = SeenIds::default();
        for i in 1..=10_000u32 {
            s.insert(i.to_string().as_bytes());
        }
        assert_eq!(s.range_count(), 1);
        assert!(s.contains(b"1") && s.contains(b"10000"));
        assert!(!s.contains(b"0") && !s.contains(b"10001"));
    }

    #[test]
    fn gaps_and_merges_and_other_ids() {
        let mut s = SeenIds::default();
        for id in ["5", "7", "6", "1", "3", "x", "007"] {
            s.insert(id.as_bytes());
        }
        // 5–7 merged; 1 and 3 apart.
        assert_eq!(s.range_count(), 3);
        for id in ["1", "3", "5", "6", "7", "x", "007"] {
            assert!(s.contains(id.as_bytes()), "{id}");
        }
        for id in ["2", "4", "8", "y", "07"] {
            assert!(!s.contains(id.as_bytes()), "{id}");
        }
        s.insert(b"2");
        assert_eq!(s.range_count(), 2);
        s.insert(b"4");
        assert_eq!(s.range_count(), 1);
    }
}
