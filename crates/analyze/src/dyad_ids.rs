//! The ids of dyads already closed (two rows read), so a third row for one
//! of them is caught without keeping the ids themselves. The idea of
//! `seen.rs`, widened to the ids couples data use: an id that is a
//! canonical decimal number (`17`), or a short prefix followed by one
//! (`c17`, `couple_17`), is kept as a range of consecutive numbers per
//! prefix, so ids in order cost constant memory however many dyads there
//! are; the range being extended is kept outside the tree, so ids in order
//! cost no tree operation at all. Any other id costs one 64-bit hash (a
//! false "third row" needs two ids with equal SipHash values, about 1 in
//! 10¹¹ for a million dyads).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Prefixes kept as ranges; ids with further prefixes are hashed, so a file
/// of ids such as `a1`, `b1`, `c1`, … cannot grow a map of tiny trees.
const MAX_PREFIXES: usize = 64;
/// Longest prefix kept as ranges.
const MAX_PREFIX_LEN: usize = 32;

/// Disjoint ranges of numbers (start → end, inclusive), with the one most
/// recently grown kept aside in `hot`.
#[derive(Debug, Default)]
struct Ranges {
    hot: Option<(u64, u64)>,
    tree: BTreeMap<u64, u64>,
}

impl Ranges {
    fn contains(&self, x: u64) -> bool {
        if self.hot.is_some_and(|(s, e)| s <= x && x <= e) {
            return true;
        }
        self.tree
            .range(..=x)
            .next_back()
            .is_some_and(|(_, &end)| end >= x)
    }

    /// Adds `x`, which the caller knows is not in the set yet.
    fn insert(&mut self, x: u64) {
        if let Some((s, e)) = self.hot {
            if e.checked_add(1) == Some(x) {
                let end = x
                    .checked_add(1)
                    .and_then(|next| self.tree.remove(&next))
                    .unwrap_or(x);
                self.hot = Some((s, end));
                return;
            }
            self.tree.insert(s, e);
        }
        // Take out the neighbours x − 1 and x + 1 belong to, and grow `x`
        // into one range with them.
        let mut start = x;
        if let Some((&s, &e)) = self.tree.range(..x).next_back() {
            if e.checked_add(1) == Some(x) {
                self.tree.remove(&s);
                start = s;
            }
        }
        let end = x
            .checked_add(1)
            .and_then(|next| self.tree.remove(&next))
            .unwrap_or(x);
        self.hot = Some((start, end));
    }

    #[cfg(test)]
    fn count(&self) -> usize {
        self.tree.len() + usize::from(self.hot.is_some())
    }
}

#[derive(Debug, Default)]
pub struct ClosedIds {
    /// Ranges of the bare numbers.
    numbers: Ranges,
    /// Ranges per prefix, e.g. `c` for `c17`.
    prefixed: HashMap<Box<[u8]>, Ranges>,
    /// The prefix looked up last, whose ranges are most likely next.
    last_prefix: Option<Box<[u8]>>,
    hashes: HashSet<u64>,
}

/// `id` as (prefix, number) when it ends in a canonical decimal number
/// (no leading zero, at most 19 digits) after a prefix that does not end
/// in a digit.
fn split(id: &[u8]) -> Option<(&[u8], u64)> {
    let digits = id.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (prefix, number) = id.split_at(id.len() - digits);
    if number.is_empty() || number.len() > 19 || (number.len() > 1 && number[0] == b'0') {
        return None;
    }
    Some((
        prefix,
        number
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0')),
    ))
}

fn hash(id: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl ClosedIds {
    pub fn contains(&self, id: &[u8]) -> bool {
        match split(id) {
            Some((b"", x)) => self.numbers.contains(x),
            Some((prefix, x)) if self.prefixed.contains_key(prefix) => {
                self.prefixed.get(prefix).is_some_and(|r| r.contains(x))
            }
            _ => self.hashes.contains(&hash(id)),
        }
    }

    /// Records `id` as closed; the caller knows it is not closed yet.
    pub fn insert(&mut self, id: &[u8]) {
        match split(id) {
            Some((b"", x)) => self.numbers.insert(x),
            Some((prefix, x)) if prefix.len() <= MAX_PREFIX_LEN => {
                if self.last_prefix.as_deref() != Some(prefix) {
                    if !self.prefixed.contains_key(prefix) {
                        if self.prefixed.len() >= MAX_PREFIXES {
                            self.hashes.insert(hash(id));
                            return;
                        }
                        self.prefixed.insert(prefix.into(), Ranges::default());
                    }
                    self.last_prefix = Some(prefix.into());
                }
                if let Some(r) = self.prefixed.get_mut(prefix) {
                    r.insert(x);
                }
            }
            _ => {
                self.hashes.insert(hash(id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_order_take_one_range_and_no_tree() {
        let mut s = ClosedIds::default();
        for i in 1..=10_000u32 {
            s.insert(i.to_string().as_bytes());
        }
        assert_eq!(s.numbers.count(), 1);
        assert!(s.numbers.tree.is_empty());
        assert!(s.contains(b"1") && s.contains(b"10000"));
        assert!(!s.contains(b"0") && !s.contains(b"10001") && !s.contains(b"01"));
    }

    #[test]
    fn prefixed_ids_out_of_order_merge_and_others_hash() {
        let mut s = ClosedIds::default();
        for id in ["c5", "c7", "c6", "c1", "c3", "x", "c007", "d2", "7"] {
            s.insert(id.as_bytes());
        }
        for id in ["c1", "c3", "c5", "c6", "c7", "x", "c007", "d2", "7"] {
            assert!(s.contains(id.as_bytes()), "{id}");
        }
        for id in ["c2", "c4", "c8", "c07", "d1", "y", "6", "5", "c"] {
            assert!(!s.contains(id.as_bytes()), "{id}");
        }
        let c: &[u8] = b"c";
        assert_eq!(s.prefixed[c].count(), 3, "c1, c3, c5–c7");
        s.insert(b"c2");
        s.insert(b"c4");
        assert_eq!(s.prefixed[c].count(), 1);
        assert!((1..=7).all(|i| s.contains(format!("c{i}").as_bytes())));
    }

    #[test]
    fn descending_and_huge_numbers() {
        let mut s = ClosedIds::default();
        for i in (1..=1000u64).rev() {
            s.insert(i.to_string().as_bytes());
        }
        assert_eq!(s.numbers.count(), 1);
        s.insert(u64::MAX.to_string().as_bytes());
        s.insert((u64::MAX - 1).to_string().as_bytes());
        assert!(s.contains(u64::MAX.to_string().as_bytes()));
        assert!(!s.contains((u64::MAX - 2).to_string().as_bytes()));
        // 20 digits: not a u64, hashed.
        s.insert(b"99999999999999999999");
        assert!(s.contains(b"99999999999999999999"));
    }
}
