//! The session report: what a counselor reads of one couple, built only
//! from what both partners allowed (issue 18).
//!
//! Each section is read only when its category is allowed: a section the
//! couple did not allow is `None` and its data is never fetched. Inside a
//! section, each capability's own counselor read decides what is shared:
//! revealed rounds only (never a draft or a sealed answer), shared
//! check-ins and episode views only, ledger figures only when both
//! partners chose to see figures. Every read of a partner's words adds a
//! line to that partner's access log, naming the counselor.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::access_log;
use crate::agreements::{self, say};
use crate::app::App;
use crate::checkins;
use crate::episodes::patterns::{self, Patterns};
use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::{self, BalanceView};
use crate::me::Me;
use crate::questionnaires::conversations::{self, DeckComparison};
use crate::questionnaires::respect::{RespectComparison, RespectMap};
use crate::questionnaires::values::{Values, ValuesComparison};
use crate::rounds::{self, AnswerKeys};
use crate::store::{ConversationNote, Store};

use super::consent::Category;
use super::sight::{self, Sight};

/// The latest revealed values and respect rounds (each `None` until one
/// was revealed).
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesAndRespect {
    pub values: Option<ValuesComparison>,
    pub respect: Option<RespectComparison>,
}

/// The couple's agreements and how the say in them was shared.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementsSection {
    pub agreements: Vec<agreements::Brief>,
    pub say: say::Balance,
}

/// Everything a counselor's report shows; each section `None` when the
/// couple did not allow its category.
pub struct Report {
    pub relationship_id: RelationshipId,
    pub pair: [AccountId; 2],
    pub names: [String; 2],
    pub categories: BTreeSet<Category>,
    /// The reporting period: from the counselor's joining to now.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub values_and_respect: Option<ValuesAndRespect>,
    pub conversations: Option<Vec<(DeckComparison, Vec<ConversationNote>)>>,
    pub agreements: Option<AgreementsSection>,
    pub ledger: Option<BalanceView>,
    pub checkins: Option<checkins::Summary>,
    pub episodes: Option<Patterns>,
}

/// Who reads whom: the couple, its partners and their counselor.
struct Reading {
    rel: RelationshipId,
    pair: [AccountId; 2],
    counselor: AccountId,
}

/// Logs a read of both partners' words in `item` to each of them.
async fn log_both(store: &dyn Store, who: &Reading, item: &str, now: DateTime<Utc>) {
    for owner in who.pair {
        access_log::record(store, who.rel, owner, who.counselor, item, now).await;
    }
}

/// The report on couple `rel` for the counselor `me`, at `now`; not found
/// unless both partners approved, the grant is open, and `me` is their
/// counselor (checked from the rows, on this very request).
pub async fn report(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Report, DomainError> {
    let store = app.store();
    let sight: Sight = sight::open_in(store, me, rel, now).await?;
    let who = Reading {
        rel,
        pair: sight.pair,
        counselor: sight.counselor,
    };
    let allows = |c: Category| sight.categories.contains(&c);
    let keys = AnswerKeys::for_counselor(me, sight.shared);

    let values_and_respect = if allows(Category::ValuesAndRespect) {
        let values = rounds::latest_revealed(store, &keys, rel, &Values).await?;
        if values.is_some() {
            log_both(store, &who, "values", now).await;
        }
        let map = RespectMap::load_all(store, rel).await?;
        let respect = rounds::latest_revealed(store, &keys, rel, &map).await?;
        if respect.is_some() {
            log_both(store, &who, "respect", now).await;
        }
        Some(ValuesAndRespect { values, respect })
    } else {
        None
    };

    let conversations = if allows(Category::Conversations) {
        let decks = conversations::for_counselor(store, &keys, rel).await?;
        for (deck, _) in &decks {
            log_both(store, &who, &format!("deck:{}", deck.deck.key), now).await;
        }
        Some(decks)
    } else {
        None
    };

    let agreements = if allows(Category::Agreements) {
        let (agreements, say) =
            agreements::for_counselor(store, keys.shared(), &sight.rel, now).await?;
        if !agreements.is_empty() {
            log_both(store, &who, "agreements", now).await;
        }
        Some(AgreementsSection { agreements, say })
    } else {
        None
    };

    let ledger = if allows(Category::Ledger) {
        let balance =
            ledger::balance_for_counselor(store, &sight.rel, sight.pair, now.date_naive()).await?;
        log_both(store, &who, "ledger", now).await;
        Some(balance)
    } else {
        None
    };

    let checkins = if allows(Category::Checkins) {
        Some(checkins::for_counselor(store, rel, sight.pair, me.id, now).await?)
    } else {
        None
    };

    let episodes = if allows(Category::Episodes) {
        Some(patterns::for_counselor(store, rel, sight.pair, me.id, now).await?)
    } else {
        None
    };

    Ok(Report {
        relationship_id: rel,
        pair: sight.pair,
        names: sight.names,
        categories: sight.categories,
        from: sight.since,
        to: now,
        expires_at: sight.expires_at,
        values_and_respect,
        conversations,
        agreements,
        ledger,
        checkins,
        episodes,
    })
}
