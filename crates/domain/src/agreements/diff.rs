//! What changed between two versions of an agreement's words, word by word,
//! so a partner reading a counter-proposal sees exactly what moved.

use similar::{ChangeTag, TextDiff};

/// One run of words in a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Added(String),
    Removed(String),
}

/// `before` → `after` as runs of unchanged, added and removed words
/// (whitespace kept with the word it follows). Adjacent runs of one kind
/// are joined so a page shows one mark per change, not one per word.
pub fn words(before: &str, after: &str) -> Vec<Piece> {
    let diff = TextDiff::from_words(before, after);
    let mut pieces: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match (pieces.last_mut(), change.tag()) {
            (Some(Piece::Same(run)), ChangeTag::Equal)
            | (Some(Piece::Added(run)), ChangeTag::Insert)
            | (Some(Piece::Removed(run)), ChangeTag::Delete) => run.push_str(text),
            (_, ChangeTag::Equal) => pieces.push(Piece::Same(text.to_owned())),
            (_, ChangeTag::Insert) => pieces.push(Piece::Added(text.to_owned())),
            (_, ChangeTag::Delete) => pieces.push(Piece::Removed(text.to_owned())),
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
