//! The couple's home: what is waiting for one partner, each item named so
//! the page (or a program) can point at the place where it is done.
//!
//! One use case, [`waiting`], reads through the capabilities' own use cases
//! and rules (the ledger's, the seal's, agreements', check-ins', patterns',
//! the counselor's) and returns a [`Home`] holding only what the caller may
//! see.
//!
//! SECURITY: sealed rounds are read from their outlines (`round_outline`:
//! who has answers and who submitted, never the answers), through
//! [`Round::view_for`], so what a [`SealedWaiting`] can say about the
//! partner is the seal's one bool: whether they have sent. Nothing here can
//! tell whether the partner has a draft, and no type here has a field for
//! anyone's sealed words.

use chrono::{DateTime, Duration, Utc};

use crate::access::{self, Standing};
use crate::app::App;
use crate::catalog::decks::DECKS;
use crate::catalog::Deck;
use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::{self, EntryView};
use crate::me::Me;
use crate::sealed::{Own, Round, RoundState, RoundView};
use crate::store::ContributionFilter;

/// How many things to thank the home names one by one (the count says the rest).
pub const TO_THANK_LISTED: usize = 3;
/// How many unthanked entries are counted at most (the ledger page lists as many).
pub const TO_THANK_COUNTED: u32 = 50;
/// How far back "recent thanks" reach.
pub const RECENT_THANKS_DAYS: i64 = 14;
/// How many recent thanks the home shows.
pub const RECENT_THANKS_LISTED: usize = 4;
/// How many of the latest entries are looked through for recent thanks.
const RECENT_ENTRIES_READ: u32 = 100;

/// Everything the home shows one partner. Built only by [`waiting`].
#[derive(Debug, Clone, PartialEq)]
pub struct Home {
    /// The partner's entries for the caller not yet thanked.
    pub to_thank: ToThank,
    /// Sealed rounds where one of the two has sent and the other has not.
    pub sealed: Vec<SealedWaiting>,
    /// The caller's next check-in is due.
    pub checkin_due: bool,
    /// Agreements whose latest version waits for the caller's answer.
    pub agreements_awaiting: Vec<AgreementLine>,
    /// Agreements in force whose review date has come.
    pub agreements_due: Vec<AgreementLine>,
    /// Spirals have come back often lately (the pattern page's rule).
    pub spiral_note: bool,
    /// A counselor was invited and waits for the caller's approval.
    pub counselor_awaiting: bool,
    /// The conversation to have next, if any deck is free.
    pub next_conversation: Option<Suggestion>,
    /// Thanks given and received lately, newest first.
    pub recent_thanks: Vec<ThanksLine>,
    /// Nothing has been started yet: the home explains what the app does.
    pub first_time: bool,
}

/// The partner's entries for the caller that wait for a thank-you.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToThank {
    /// How many (at most [`TO_THANK_COUNTED`]).
    pub count: usize,
    /// The newest few, by id and description (the partner shared them).
    pub items: Vec<(uuid::Uuid, String)>,
}

/// Which sealed questionnaire a waiting round belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sealed {
    Values,
    Respect,
    Conversation(&'static Deck),
    /// An episode's repair: the episode and its title (both see it: shared).
    Repair {
        episode: uuid::Uuid,
        title: Option<String>,
    },
}

/// Whose turn it is in a half-sent round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// The partner has sent; the caller has not.
    Yours,
    /// The caller has sent; the partner has not.
    Partners,
}

/// A round where one has sent and the other has not. SECURITY: which round
/// and whose turn, nothing else: no answers, no draft, no time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedWaiting {
    pub what: Sealed,
    pub round: u32,
    pub whose: Whose,
}

/// An agreement the home points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementLine {
    pub id: uuid::Uuid,
    pub title: String,
}

/// Why a deck is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The caller started writing and has not sent yet.
    Continue,
    /// The two of you have never talked it through.
    New,
    /// Every deck has been talked through; this one longest ago.
    Again,
}

/// The conversation suggested next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    pub deck: &'static Deck,
    pub why: Why,
}

/// A thank-you, either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThanksLine {
    pub entry: uuid::Uuid,
    /// True when the partner thanked the caller; false when the caller thanked.
    pub received: bool,
    pub description: String,
    pub at: DateTime<Utc>,
}

/// Where the caller stands in a round, as the seal lets them see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MySide {
    Nothing,
    Draft,
    Sent,
}

/// One deck as the caller may see it: the input of [`next_conversation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeckSeen {
    pub deck: &'static Deck,
    /// Rounds both have sent (talked through).
    pub talked: u32,
    /// When the latest of them was revealed.
    pub last_talked: Option<DateTime<Utc>>,
    /// The caller's side of the unrevealed round, if one is open.
    pub mine: MySide,
    /// The partner has sent in the unrevealed round.
    pub partner_sent: bool,
}

/// Whose turn a round is, from the caller's view; `None` when nobody is
/// waiting on anyone (open, or revealed). Only the seal's bool about the
/// partner goes in.
pub fn whose_turn<A>(view: &RoundView<A>) -> Option<Whose> {
    match view {
        RoundView::Sealed {
            mine: Own::Drafting { .. },
            partner_submitted: true,
        } => Some(Whose::Yours),
        RoundView::Sealed {
            mine: Own::Submitted { .. },
            partner_submitted: false,
        } => Some(Whose::Partners),
        _ => None,
    }
}

/// The next conversation, by this rule (catalog order breaks ties):
/// 1. a deck waiting on one of you is not suggested: the home lists it;
/// 2. else a deck the caller started writing and has not sent (finish it);
/// 3. else the first deck the two have never talked through;
/// 4. else the deck talked through longest ago (talk again: things change).
///
/// `None` when every deck is waiting on one of you.
pub fn next_conversation(decks: &[DeckSeen]) -> Option<Suggestion> {
    let free: Vec<&DeckSeen> = decks
        .iter()
        .filter(|d| d.mine != MySide::Sent && !d.partner_sent)
        .collect();
    let pick = |deck: &DeckSeen, why| Suggestion {
        deck: deck.deck,
        why,
    };
    if let Some(d) = free.iter().find(|d| d.mine == MySide::Draft) {
        return Some(pick(d, Why::Continue));
    }
    if let Some(d) = free.iter().find(|d| d.talked == 0) {
        return Some(pick(d, Why::New));
    }
    // `min_by_key` keeps the first of equals: catalog order.
    free.iter()
        .min_by_key(|d| d.last_talked)
        .map(|d| pick(d, Why::Again))
}

/// The thanks of the last [`RECENT_THANKS_DAYS`] days, either way, newest
/// first, at most [`RECENT_THANKS_LISTED`]. Only entries whose words the
/// caller may read.
pub fn recent_thanks(me: AccountId, entries: &[EntryView], now: DateTime<Utc>) -> Vec<ThanksLine> {
    let since = now - Duration::days(RECENT_THANKS_DAYS);
    let mut lines: Vec<ThanksLine> = entries
        .iter()
        .filter(|e| e.giver != e.receiver && (e.giver == me || e.receiver == me))
        .filter_map(|e| {
            let at = e.thanks.as_ref()?.at?;
            let details = e.details.as_ref()?;
            (at >= since && at <= now).then(|| ThanksLine {
                entry: e.id,
                received: e.giver == me,
                description: details.description.clone(),
                at,
            })
        })
        .collect();
    lines.sort_by(|a, b| b.at.cmp(&a.at).then(a.entry.cmp(&b.entry)));
    lines.truncate(RECENT_THANKS_LISTED);
    lines
}

/// What has been started in the space, as the caller can see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Started {
    pub ledger: bool,
    pub rounds: bool,
    pub agreements: bool,
    pub checkins: bool,
}

impl Started {
    /// A first-time home: none of the four has begun.
    pub fn nothing(self) -> bool {
        !(self.ledger || self.rounds || self.agreements || self.checkins)
    }
}

/// The sealed questionnaire a stored kind names; `None` for kinds the home
/// does not list.
fn sealed_of(kind: &str) -> Option<Sealed> {
    match kind {
        "values" => Some(Sealed::Values),
        "respect" => Some(Sealed::Respect),
        _ => {
            if let Some(key) = kind.strip_prefix("deck:") {
                return DECKS
                    .iter()
                    .find(|d| d.key == key)
                    .map(Sealed::Conversation);
            }
            let id = kind.strip_prefix(crate::episodes::repair::KIND_PREFIX)?;
            Some(Sealed::Repair {
                episode: id.parse().ok()?,
                title: None,
            })
        }
    }
}

/// What the caller may see of one kind's rounds (oldest first): the
/// latest round's view, and the revealed ones.
fn deck_seen(deck: &'static Deck, rounds: &[Round<()>], me: AccountId) -> DeckSeen {
    let mut seen = DeckSeen {
        deck,
        talked: 0,
        last_talked: None,
        mine: MySide::Nothing,
        partner_sent: false,
    };
    for round in rounds {
        if let RoundState::Revealed { at } = round.state() {
            seen.talked += 1;
            seen.last_talked = seen.last_talked.max(Some(at));
        }
    }
    if let Some(Ok(RoundView::Sealed {
        mine,
        partner_submitted,
    })) = rounds.last().map(|r| r.view_for(me))
    {
        seen.partner_sent = partner_submitted;
        seen.mine = match mine {
            Own::Drafting { draft: None } => MySide::Nothing,
            Own::Drafting { draft: Some(()) } => MySide::Draft,
            Own::Submitted { .. } => MySide::Sent,
        };
    }
    seen
}

/// Whether the caller can see anything of a round: their own side, or the
/// partner's sending. SECURITY: a round holding only the partner's draft
/// looks like no round at all.
fn visible_to(round: &Round<()>, me: AccountId) -> bool {
    match round.view_for(me) {
        Ok(RoundView::Revealed { .. }) => true,
        Ok(RoundView::Sealed {
            mine,
            partner_submitted,
        }) => partner_submitted || mine != Own::Drafting { draft: None },
        Err(_) => false,
    }
}

/// What waits for `me` in `rel`. Not found for anyone who is not in the
/// space now (a stranger, an ex-partner: an ended space waits for nothing);
/// `not_active` (409) while the partner has not joined.
pub async fn waiting(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Home, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    match reader.standing {
        Standing::Former => return Err(DomainError::NotFound),
        Standing::Waiting => return Err(access::not_active()),
        Standing::Together { .. } => {}
    }

    // The ledger: unthanked entries for me, and the latest entries for thanks.
    let awaiting = ledger::list(
        app,
        me,
        rel,
        ContributionFilter {
            awaiting: Some(me.id),
            limit: TO_THANK_COUNTED,
            ..Default::default()
        },
        now,
    )
    .await?;
    let to_thank = ToThank {
        count: awaiting.len(),
        items: awaiting
            .iter()
            .filter_map(|e| Some((e.id, e.details.as_ref()?.description.clone())))
            .take(TO_THANK_LISTED)
            .collect(),
    };
    let latest = ledger::list(
        app,
        me,
        rel,
        ContributionFilter {
            limit: RECENT_ENTRIES_READ,
            ..Default::default()
        },
        now,
    )
    .await?;
    let recent_thanks = recent_thanks(me.id, &latest, now);

    // Sealed rounds, every kind in one read of outlines (no answers).
    let mut by_kind: Vec<(String, Vec<Round<()>>)> = Vec::new();
    for (kind, record) in store.outlines_with_prefix(rel, "").await? {
        let round = Round::from_record(record)?;
        match by_kind.last_mut() {
            Some((k, rounds)) if *k == kind => rounds.push(round),
            _ => by_kind.push((kind, vec![round])),
        }
    }
    let mut sealed = Vec::new();
    let mut decks = Vec::new();
    let mut any_round = false;
    for (kind, rounds) in &by_kind {
        any_round |= rounds.iter().any(|r| visible_to(r, me.id));
        let Some(what) = sealed_of(kind) else {
            continue;
        };
        if let Sealed::Conversation(deck) = what {
            decks.push(deck_seen(deck, rounds, me.id));
        }
        let Some(latest) = rounds.last() else {
            continue;
        };
        if let Some(whose) = whose_turn(&latest.view_for(me.id)?) {
            sealed.push(SealedWaiting {
                what,
                round: latest.number(),
                whose,
            });
        }
    }
    // Repairs: only episodes the caller may see, with their titles.
    let repair_ids: Vec<uuid::Uuid> = sealed
        .iter()
        .filter_map(|s| match s.what {
            Sealed::Repair { episode, .. } => Some(episode),
            _ => None,
        })
        .collect();
    let titles = crate::episodes::repair::titled(app, me, &reader, &repair_ids).await?;
    sealed.retain_mut(|s| match &mut s.what {
        Sealed::Repair { episode, title } => match titles.iter().find(|(id, _)| id == episode) {
            Some((_, t)) => {
                *title = t.clone();
                true
            }
            None => false,
        },
        _ => true,
    });
    // Your turn first, then in a fixed order (values, respect, decks, repairs).
    sealed.sort_by_key(|s| {
        (
            s.whose != Whose::Yours,
            match s.what {
                Sealed::Values => 0,
                Sealed::Respect => 1,
                Sealed::Conversation(_) => 2,
                Sealed::Repair { .. } => 3,
            },
        )
    });
    // Every deck in catalog order, those never started included.
    let decks: Vec<DeckSeen> = DECKS
        .iter()
        .map(|deck| {
            decks
                .iter()
                .find(|d| d.deck.key == deck.key)
                .copied()
                .unwrap_or(DeckSeen {
                    deck,
                    talked: 0,
                    last_talked: None,
                    mine: MySide::Nothing,
                    partner_sent: false,
                })
        })
        .collect();

    let agreements = crate::agreements::list(app, me, rel, now).await?;
    let line = |a: &crate::agreements::Summary| AgreementLine {
        id: a.id,
        title: a.title.clone(),
    };
    let agreements_awaiting = agreements
        .iter()
        .filter(|a| a.awaiting_me)
        .map(line)
        .collect();
    let agreements_due = agreements
        .iter()
        .filter(|a| a.due && !a.awaiting_me)
        .map(line)
        .collect();

    // One read of my check-ins answers both "due?" and "any yet?".
    let checkins = crate::checkins::due(app, me, rel, now).await?;
    let (checkin_due, any_checkin) = (checkins.due, checkins.ever);
    let spiral_note = crate::episodes::patterns::spirals_recur(app, me, &reader, now).await?;
    let counselor_awaiting = crate::counselor::engagements::view(app, me, rel, now)
        .await?
        .is_some_and(|c| c.mine.is_none());

    let started = Started {
        ledger: !latest.is_empty(),
        rounds: any_round,
        agreements: !agreements.is_empty(),
        checkins: any_checkin,
    };
    Ok(Home {
        to_thank,
        sealed,
        checkin_due,
        agreements_awaiting,
        agreements_due,
        spiral_note,
        counselor_awaiting,
        next_conversation: next_conversation(&decks),
        recent_thanks,
        first_time: started.nothing(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Domain, EntryDetails, Thanks};
    use crate::sealed::{RoundRecord, SideRecord};
    use chrono::TimeZone;

    fn t(days: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
            .single()
            .expect("time")
            + Duration::days(days)
    }

    fn seen(
        i: usize,
        talked: u32,
        last: Option<i64>,
        mine: MySide,
        partner_sent: bool,
    ) -> DeckSeen {
        DeckSeen {
            deck: &DECKS[i],
            talked,
            last_talked: last.map(t),
            mine,
            partner_sent,
        }
    }

    fn fresh(i: usize) -> DeckSeen {
        seen(i, 0, None, MySide::Nothing, false)
    }

    #[test]
    fn a_couple_with_nothing_talked_about_starts_with_the_first_deck() {
        let decks: Vec<DeckSeen> = (0..DECKS.len()).map(fresh).collect();
        assert_eq!(
            next_conversation(&decks),
            Some(Suggestion {
                deck: &DECKS[0],
                why: Why::New
            })
        );
    }

    #[test]
    fn a_deck_waiting_on_someone_is_never_the_suggestion() {
        // Deck 0 waits for the partner, deck 1 for me: deck 2 is next.
        let mut decks: Vec<DeckSeen> = (0..DECKS.len()).map(fresh).collect();
        decks[0] = seen(0, 0, None, MySide::Sent, false);
        decks[1] = seen(1, 0, None, MySide::Nothing, true);
        assert_eq!(
            next_conversation(&decks).map(|s| (s.deck.key, s.why)),
            Some((DECKS[2].key, Why::New))
        );
        // Every deck waiting: nothing to suggest.
        let waiting: Vec<DeckSeen> = (0..DECKS.len())
            .map(|i| seen(i, 1, Some(0), MySide::Sent, false))
            .collect();
        assert_eq!(next_conversation(&waiting), None);
    }

    #[test]
    fn my_unsent_draft_comes_before_a_new_deck() {
        let mut decks: Vec<DeckSeen> = (0..DECKS.len()).map(fresh).collect();
        decks[3] = seen(3, 2, Some(-40), MySide::Draft, false);
        assert_eq!(
            next_conversation(&decks).map(|s| (s.deck.key, s.why)),
            Some((DECKS[3].key, Why::Continue))
        );
    }

    #[test]
    fn talked_decks_are_skipped_then_the_oldest_talk_comes_back() {
        // Deck 0 talked through: deck 1 is new.
        let mut decks: Vec<DeckSeen> = (0..DECKS.len()).map(fresh).collect();
        decks[0] = seen(0, 1, Some(-3), MySide::Nothing, false);
        assert_eq!(
            next_conversation(&decks).map(|s| (s.deck.key, s.why)),
            Some((DECKS[1].key, Why::New))
        );
        // All talked through; deck 2's latest talk is the oldest (day -90
        // against -10 for the others, by hand): talk about it again.
        let mut all: Vec<DeckSeen> = (0..DECKS.len())
            .map(|i| seen(i, 1, Some(-10), MySide::Nothing, false))
            .collect();
        all[2] = seen(2, 3, Some(-90), MySide::Nothing, false);
        assert_eq!(
            next_conversation(&all).map(|s| (s.deck.key, s.why)),
            Some((DECKS[2].key, Why::Again))
        );
    }

    fn outline(
        me: AccountId,
        them: AccountId,
        number: u32,
        mine: (bool, Option<i64>),
        theirs: (bool, Option<i64>),
    ) -> Round<()> {
        let side = |account, (answers, sent): (bool, Option<i64>)| SideRecord {
            account,
            answers: answers.then_some(()),
            submitted_at: sent.map(t),
        };
        Round::from_record(RoundRecord {
            number,
            started_at: t(-100),
            sides: [side(them, theirs), side(me, mine)],
        })
        .expect("round")
    }

    #[test]
    fn whose_turn_says_only_who_has_sent() {
        let (me, them) = (AccountId::new(), AccountId::new());
        let turn = |mine, theirs| {
            whose_turn(
                &outline(me, them, 1, mine, theirs)
                    .view_for(me)
                    .expect("view"),
            )
        };
        // They sent, I have a draft or nothing: mine to do.
        assert_eq!(turn((true, None), (true, Some(0))), Some(Whose::Yours));
        assert_eq!(turn((false, None), (true, Some(0))), Some(Whose::Yours));
        // I sent, they have a draft or nothing: the same answer either way
        // (their draft is theirs alone).
        assert_eq!(turn((true, Some(0)), (true, None)), Some(Whose::Partners));
        assert_eq!(turn((true, Some(0)), (false, None)), Some(Whose::Partners));
        // Both sent, or neither: nobody waits.
        assert_eq!(turn((true, Some(0)), (true, Some(1))), None);
        assert_eq!(turn((true, None), (true, None)), None);
    }

    #[test]
    fn a_round_with_only_the_partners_draft_is_invisible() {
        let (me, them) = (AccountId::new(), AccountId::new());
        assert!(!visible_to(
            &outline(me, them, 1, (false, None), (true, None)),
            me
        ));
        assert!(visible_to(
            &outline(me, them, 1, (true, None), (false, None)),
            me
        ));
        assert!(visible_to(
            &outline(me, them, 1, (false, None), (true, Some(0))),
            me
        ));
        // And the deck reads as never started.
        let d = deck_seen(
            &DECKS[0],
            &[outline(me, them, 1, (false, None), (true, None))],
            me,
        );
        assert_eq!(d, seen(0, 0, None, MySide::Nothing, false));
    }

    #[test]
    fn a_deck_counts_its_revealed_rounds_and_reads_the_latest() {
        let (me, them) = (AccountId::new(), AccountId::new());
        // Rounds 1 and 2 revealed (on days 3 and 7: the later send of
        // each), round 3 drafted by me: talked twice, last on day 7.
        let rounds = [
            outline(me, them, 1, (true, Some(3)), (true, Some(1))),
            outline(me, them, 2, (true, Some(5)), (true, Some(7))),
            outline(me, them, 3, (true, None), (false, None)),
        ];
        assert_eq!(
            deck_seen(&DECKS[1], &rounds, me),
            seen(1, 2, Some(7), MySide::Draft, false)
        );
    }

    fn entry(giver: AccountId, receiver: AccountId, what: &str, at: Option<i64>) -> EntryView {
        EntryView {
            id: uuid::Uuid::new_v4(),
            giver,
            receiver,
            logged_by: giver,
            created_at: t(-30),
            details: Some(EntryDetails {
                domain: Domain::ALL[0],
                description: what.to_owned(),
                day: 0,
                effort: 3,
                minutes: None,
            }),
            thanks: at.map(|d| Thanks {
                value: None,
                note: None,
                at: Some(t(d)),
            }),
            editable: false,
        }
    }

    #[test]
    fn recent_thanks_go_both_ways_newest_first_within_two_weeks() {
        let (me, them) = (AccountId::new(), AccountId::new());
        let now = t(0);
        let entries = [
            entry(me, them, "dishes", Some(-1)), // they thanked me, yesterday
            entry(them, me, "soup", Some(-3)),   // I thanked them
            entry(them, me, "not yet thanked", None), // not a thanks
            entry(me, them, "long ago", Some(-15)), // outside 14 days
            entry(me, them, "just in", Some(-14)), // exactly 14 days: kept
        ];
        let lines = recent_thanks(me, &entries, now);
        let got: Vec<(&str, bool)> = lines
            .iter()
            .map(|l| (l.description.as_str(), l.received))
            .collect();
        assert_eq!(got, [("dishes", true), ("soup", false), ("just in", true)]);
    }

    #[test]
    fn recent_thanks_keep_the_newest_few() {
        let (me, them) = (AccountId::new(), AccountId::new());
        let entries: Vec<EntryView> = (0..6)
            .map(|d| entry(me, them, &format!("day {d}"), Some(-d)))
            .collect();
        let lines = recent_thanks(me, &entries, t(0));
        assert_eq!(lines.len(), RECENT_THANKS_LISTED);
        assert_eq!(lines[0].description, "day 0");
        assert_eq!(lines[3].description, "day 3");
    }

    #[test]
    fn a_first_time_home_is_one_where_nothing_began() {
        assert!(Started::default().nothing());
        for one in [
            Started {
                ledger: true,
                ..Started::default()
            },
            Started {
                rounds: true,
                ..Started::default()
            },
            Started {
                agreements: true,
                ..Started::default()
            },
            Started {
                checkins: true,
                ..Started::default()
            },
        ] {
            assert!(!one.nothing());
        }
    }

    #[test]
    fn stored_kinds_name_their_questionnaire() {
        assert_eq!(sealed_of("values"), Some(Sealed::Values));
        assert_eq!(sealed_of("respect"), Some(Sealed::Respect));
        assert_eq!(
            sealed_of(&format!("deck:{}", DECKS[1].key)),
            Some(Sealed::Conversation(&DECKS[1]))
        );
        let id = uuid::Uuid::new_v4();
        assert_eq!(
            sealed_of(&format!("repair:{id}")),
            Some(Sealed::Repair {
                episode: id,
                title: None
            })
        );
        assert_eq!(sealed_of("deck:no_such_deck"), None);
        assert_eq!(sealed_of("repair:garbage"), None);
        assert_eq!(sealed_of("something_new"), None);
    }
}
