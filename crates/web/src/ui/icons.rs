//! Our own small line icons, drawn for this app on a 24-unit grid: one for
//! each place of the navigation, one for each conversation deck, and the
//! mark in the bar. They are inline SVG (no request, no third-party
//! artwork), drawn in `currentColor` so they follow the text colour in
//! light and dark, and hidden from screen readers: the words beside them
//! say the same.
//!
//! SECURITY: only presentation attributes, never a `style` attribute or a
//! script, so the strict Content-Security-Policy holds.

use domain::catalog::decks::DECKS;

use super::chrome::Place;

/// Wraps the drawing in the one `<svg>` every icon shares.
macro_rules! icon {
    ($paths:literal) => {
        concat!(
            r#"<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">"#,
            $paths,
            "</svg>"
        )
    };
}

/// Two circles that overlap: two people, each whole, with a part in common.
pub const MARK: &str = icon!(
    r#"<circle cx="9" cy="12" r="6"/><circle cx="15" cy="12" r="6"/><path d="M12 6.8a6 6 0 0 1 0 10.4a6 6 0 0 1 0-10.4z" fill="currentColor" stroke="none"/>"#
);

const HOME: &str = icon!(
    r#"<path d="M3 11.5 12 4l9 7.5"/><path d="M5.5 10v10h13V10"/><path d="M10 20v-5.5h4V20"/>"#
);
const NOTICED: &str = icon!(
    r#"<path d="M12 3.5l2.3 5.2 5.7.6-4.3 3.8 1.3 5.6L12 15.8l-5 2.9 1.3-5.6L4 9.3l5.7-.6z"/>"#
);
pub const TALK: &str =
    icon!(r#"<path d="M3.5 4.5h11v8H9l-4 3v-3H3.5z"/><path d="M14.5 8.5h6v8h-1.5v3l-4-3H11v-2"/>"#);
const AGREEMENTS: &str = icon!(
    r#"<path d="M6 3h8.5L19 7.5V21H6z"/><path d="M14.5 3v4.5H19"/><path d="M9 14l2.2 2.2L15.5 12"/>"#
);
const CHECK_IN: &str = icon!(
    r#"<path d="M4 16a8 8 0 1 1 16 0"/><path d="M12 16l3.5-4.5"/><path d="M4 20h16"/><circle cx="12" cy="16" r="1" fill="currentColor"/>"#
);
const ACCOUNT: &str =
    icon!(r#"<circle cx="12" cy="8" r="4"/><path d="M4.5 20.5c1-4.2 4.2-6 7.5-6s6.5 1.8 7.5 6"/>"#);
const CLIENTS: &str = icon!(
    r#"<circle cx="9" cy="8" r="3.5"/><circle cx="17" cy="9" r="2.5"/><path d="M2.5 20c.8-3.8 3.5-5.5 6.5-5.5s5.7 1.7 6.5 5.5"/><path d="M16.5 14.5c2.5 0 4.3 1.5 5 4.5"/>"#
);

/// The icon of a place in the navigation.
pub fn place(place: Place) -> &'static str {
    match place {
        Place::Home => HOME,
        Place::Noticed => NOTICED,
        Place::Talk => TALK,
        Place::Agreements => AGREEMENTS,
        Place::CheckIn => CHECK_IN,
        Place::Account => ACCOUNT,
        Place::Clients => CLIENTS,
    }
}

/// Values and the respect map have icons of their own on the Talk page.
pub const VALUES: &str =
    icon!(r#"<circle cx="12" cy="12" r="8.5"/><path d="M15.5 8.5l-2 5-5 2 2-5z"/>"#);
pub const RESPECT: &str = icon!(
    r#"<path d="M3.5 6.5l5-2 7 2 5-2v13l-5 2-7-2-5 2z"/><path d="M8.5 4.5v13M15.5 6.5v13"/>"#
);
pub const EPISODES: &str = icon!(r#"<path d="M3 12h3l2-5 3 10 3-8 2 3h5"/>"#);
pub const COUNSELOR: &str = icon!(
    r#"<circle cx="7" cy="8" r="3"/><circle cx="17" cy="8" r="3"/><path d="M2.5 19c.6-3.2 2.4-5 4.5-5s3.9 1.8 4.5 5"/><path d="M12.5 19c.6-3.2 2.4-5 4.5-5s3.9 1.8 4.5 5"/>"#
);

/// One drawing per conversation deck, by the deck's key in the catalogue.
fn deck_by_key(key: &str) -> &'static str {
    match key {
        // A heart.
        "defining_love" => icon!(
            r#"<path d="M12 20s-7.5-4.6-7.5-10.2A4.2 4.2 0 0 1 12 7.2a4.2 4.2 0 0 1 7.5 2.6C19.5 15.4 12 20 12 20z"/>"#
        ),
        // A pair of scales, level.
        "defining_respect" => {
            icon!(r#"<path d="M12 4v16M8 20h8M5 7h14"/><path d="M5 7l-2.5 6h5zM19 7l-2.5 6h5z"/>"#)
        }
        // A basket: what each of you carries.
        "goods_and_labor" => icon!(
            r#"<path d="M3.5 10h17l-2 10h-13z"/><path d="M8 10l4-5.5 4 5.5"/><path d="M9 14v3M12 14v3M15 14v3"/>"#
        ),
        // A candle flame.
        "intimacy" => icon!(
            r#"<path d="M12 3c2.2 3 4.2 4.6 4.2 8a4.2 4.2 0 0 1-8.4 0c0-1.9 1-3.2 2-4.2.2 1.8 1 2.8 2.1 3.1-.4-2.1-.6-4.3.1-6.9z"/><path d="M8.5 20.5h7"/>"#
        ),
        // A compass.
        "our_values" => VALUES,
        // A winding road and the way on.
        "handling_change" => icon!(
            r#"<path d="M3.5 20c4.5 0 4-6.5 8.5-6.5s4-6 8.5-6"/><path d="M17.5 4.5l3 3-3 3"/>"#
        ),
        // An umbrella: a plan for the rain.
        "negativity_plan" => icon!(
            r#"<path d="M3 12.5a9 9 0 0 1 18 0z"/><path d="M12 12.5v6a2 2 0 0 0 4 0"/><path d="M12 3.5v-1"/>"#
        ),
        _ => TALK,
    }
}

/// The icon of the deck whose number (in its URL, counted from 1) is `slug`.
pub fn deck(slug: usize) -> &'static str {
    slug.checked_sub(1)
        .and_then(|i| DECKS.get(i))
        .map_or(TALK, |d| deck_by_key(d.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_deck_has_a_drawing_of_its_own() {
        let drawings: Vec<&str> = (1..=DECKS.len()).map(deck).collect();
        assert_eq!(deck(0), TALK);
        for (i, d) in drawings.iter().enumerate() {
            assert_ne!(*d, TALK, "deck {i} fell back to the generic icon");
            assert!(!d.contains("style"), "no style attribute under the CSP");
            for other in &drawings[i + 1..] {
                assert_ne!(d, other, "two decks share a drawing");
            }
        }
    }
}
