//! What changed between two versions of an agreement's words, word by word,
//! so a partner reading a counter-proposal sees exactly what moved.

use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

/// One run of words in a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Added(String),
    Removed(String),
}

/// The longest the comparisons of one page may take together. Versions
/// that edit a few words compare in microseconds, exactly; only wholesale
/// rewrites of long terms come near this, and past it each comparison is
/// still correct (every word shown as kept, removed or added), only less
/// tight. This keeps a long negotiation's page fast whatever was written.
pub const BUDGET: Duration = Duration::from_millis(3);

/// `text` cut into words, each with the whitespace after it (and any
/// leading whitespace on its own): half the tokens of words-and-spaces,
/// and no runs of matching spaces for the comparison to wade through.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = text.starts_with(char::is_whitespace);
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if in_space && !space && i > start {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `before` → `after` as runs of unchanged, removed and added words
/// (Myers' algorithm over words), within [`BUDGET`].
pub fn words(before: &str, after: &str) -> Vec<Piece> {
    words_until(before, after, Instant::now() + BUDGET)
}

/// The same, tightest by `deadline` (shared by the comparisons of a page).
/// Adjacent runs of one kind are joined so a page shows one mark per
/// change, not one per word.
pub fn words_until(before: &str, after: &str, deadline: Instant) -> Vec<Piece> {
    let (old, new) = (tokens(before), tokens(after));
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &old, &new, Some(deadline));
    let mut pieces: Vec<Piece> = Vec::new();
    let mut push = |piece: Piece| match (pieces.last_mut(), piece) {
        (Some(Piece::Same(run)), Piece::Same(t))
        | (Some(Piece::Added(run)), Piece::Added(t))
        | (Some(Piece::Removed(run)), Piece::Removed(t)) => run.push_str(&t),
        (_, piece) => pieces.push(piece),
    };
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_text: String = old[old_range].concat();
        let new_text: String = new[new_range].concat();
        match tag {
            DiffTag::Equal => push(Piece::Same(new_text)),
            DiffTag::Delete => push(Piece::Removed(old_text)),
            DiffTag::Insert => push(Piece::Added(new_text)),
            DiffTag::Replace => {
                push(Piece::Removed(old_text));
                push(Piece::Added(new_text));
            }
        }
    }
    pieces
}

/// Whether anything changed at all.
pub fn changed(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| !matches!(p, Piece::Same(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_words_that_moved() {
        let pieces = words("I cook on weekdays", "I cook on weekends and Fridays");
        assert_eq!(
            pieces,
            vec![
                Piece::Same("I cook on ".into()),
                Piece::Removed("weekdays".into()),
                Piece::Added("weekends and Fridays".into()),
            ]
        );
        assert!(changed(&pieces));
        assert!(!changed(&words("same words", "same words")));
    }

    #[test]
    fn words_keep_their_spaces() {
        assert_eq!(tokens(" a  b\nc "), [" ", "a  ", "b\n", "c "]);
        assert_eq!(tokens(""), Vec::<&str>::new());
        assert_eq!(tokens("é ü"), ["é ", "ü"]);
    }

    #[test]
    fn reading_the_new_side_gives_the_new_text() {
        let after = "We take turns:\nyou wash, I dry.";
        let rebuilt: String = words("We take turns. I wash.", after)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Same(t) | Piece::Added(t) => Some(t),
                Piece::Removed(_) => None,
            })
            .collect();
        assert_eq!(rebuilt, after);
    }
}
