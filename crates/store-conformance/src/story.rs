//! The conformance story: every `Store` method, with the outcomes the
//! domain relies on, on whichever engine it is given.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::accounts::AccountKind;
use domain::ledger::Domain;
use domain::relationship::{hash_invite, MemberRole, RelationshipStatus};
use domain::sealed::{RoundRecord, SideRecord};
use domain::secret::SecretHash;
use domain::store::{
    AccessEntry, ContributionFilter, ConversationNote, Credential, CustomArea, HeldForm,
    JoinOutcome, NewAccount, NewContribution, NewRelationship, NewSession, NewToken,
    PasswordChange, ProposalStatus, Reflection, ResetKeys, ResetProof, RoundProposal,
    SecurityEvent, SecurityEventKind, Store, StoreError, Sweep,
};
use domain::values::Email;
use domain::{AccountId, RelationshipId};

/// Keys as the store sees them: opaque text it keeps and returns (the
/// `keys` crate's own tests cover what they open).
fn stored_keys(owner: &str) -> domain::store::StoredAccountKeys {
    domain::store::StoredAccountKeys {
        by_password: format!("ak1$password-of-{owner}"),
        by_recovery_code: format!("ak1$recovery-of-{owner}"),
        public_key: format!("public-key-of-{owner}"),
        sealed_secret_key: format!("rk1.secret-of-{owner}"),
    }
}

fn relationship_keys(tag: &str) -> domain::store::NewRelationshipKeys {
    domain::store::NewRelationshipKeys {
        for_creator: format!("rs1.creator-{tag}"),
        for_invitation: format!("ak1$invitation-{tag}"),
        check: format!("rk1.check-{tag}"),
    }
}

fn t0() -> DateTime<Utc> {
    // A fixed instant with milliseconds, to check they survive the round trip.
    Utc.timestamp_millis_opt(1_780_000_000_123)
        .single()
        .expect("valid time")
}

async fn account(store: &dyn Store, email: &str, name: &str) -> AccountId {
    let id = AccountId::new();
    store
        .insert_account(&NewAccount {
            id,
            email: Email::parse(email).expect("email"),
            display_name: name.to_owned(),
            password_hash: format!("$argon2id$fake${name}"),
            recovery_hash: SecretHash::of(&format!("recovery-{email}")),
            created_at: t0(),
            keys: stored_keys(email),
            kind: AccountKind::Partner,
        })
        .await
        .expect("insert account");
    id
}

pub async fn accounts(store: &dyn Store) {
    assert!(!store.engine_name().is_empty());
    store.ping().await.expect("ping");
    let id = account(store, "Sam@Example.org", "Sam").await;
    let email = Email::parse("sam@example.org").expect("email");
    let by_email = store
        .account_by_email(&email)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(by_email.id, id);
    assert_eq!(by_email.email, "sam@example.org");
    assert_eq!(by_email.display_name, "Sam");
    assert_eq!(by_email.password_hash, "$argon2id$fake$Sam");
    assert_eq!(by_email.created_at, t0());
    assert_eq!(store.account_by_id(id).await.expect("read"), Some(by_email));
    assert_eq!(
        store.account_by_id(AccountId::new()).await.expect("read"),
        None
    );
    let missing = Email::parse("nobody@example.org").expect("email");
    assert_eq!(store.account_by_email(&missing).await.expect("read"), None);

    let duplicate = store
        .insert_account(&NewAccount {
            id: AccountId::new(),
            email: email.clone(),
            display_name: "Other".into(),
            password_hash: "x".into(),
            recovery_hash: SecretHash::of("other"),
            created_at: t0(),
            keys: stored_keys("other"),
            kind: AccountKind::Partner,
        })
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict("email"))),
        "{duplicate:?}"
    );
}

pub async fn server_secrets(store: &dyn Store) {
    let first = store.server_secret("k", "one").await.expect("secret");
    let second = store.server_secret("k", "two").await.expect("secret");
    assert_eq!(first, "one");
    assert_eq!(second, "one", "the first stored value wins");
    assert_eq!(
        store.server_secret("other", "three").await.expect("secret"),
        "three"
    );
}

/// The session behind `hash`, read the way requests read it.
async fn session_of(store: &dyn Store, hash: &SecretHash) -> Option<domain::store::Session> {
    store
        .principal(Credential::Session(hash))
        .await
        .expect("principal")
        .and_then(|p| p.session)
}

fn new_session(
    hash: &SecretHash,
    account: AccountId,
    at: DateTime<Utc>,
    persistent: bool,
) -> NewSession {
    NewSession {
        id: uuid::Uuid::new_v4(),
        id_hash: hash.clone(),
        account_id: account,
        created_at: at,
        device: "Firefox on Linux".into(),
        persistent,
        sealed_keys: "rk1.session-keys".into(),
    }
}

/// The sweep the server runs at `now` with its default limits.
fn sweep_at(now: DateTime<Utc>) -> Sweep {
    Sweep {
        idle_before: now - Duration::minutes(15),
        started_before: now - Duration::hours(12),
        remembered_before: now - Duration::days(30),
        now,
        events_before: now - Duration::days(90),
        held_before: now - Duration::minutes(30),
    }
}

pub async fn sessions_and_tokens(store: &dyn Store) {
    let id = account(store, "s@example.org", "S").await;
    let hash = SecretHash::of("session-secret");
    store
        .insert_session(&new_session(&hash, id, t0(), false))
        .await
        .expect("insert session");
    let session = session_of(store, &hash).await.expect("present");
    assert_eq!(
        (session.account_id, session.created_at, session.last_seen_at),
        (id, t0(), t0())
    );
    assert_eq!(session_of(store, &SecretHash::of("other")).await, None);

    let later = t0() + Duration::minutes(5);
    store
        .touch_session(&hash, later, later - Duration::minutes(1))
        .await
        .expect("touch");
    let touched = session_of(store, &hash).await.expect("present");
    assert_eq!((touched.created_at, touched.last_seen_at), (t0(), later));
    // A second touch racing the first finds it already done and writes nothing.
    store
        .touch_session(
            &hash,
            later + Duration::seconds(5),
            later - Duration::minutes(1),
        )
        .await
        .expect("touch");
    let same = session_of(store, &hash).await.expect("present");
    assert_eq!(same.last_seen_at, later);

    let principal = store
        .principal(Credential::Session(&hash))
        .await
        .expect("principal")
        .expect("present");
    assert_eq!(principal.account.id, id);
    assert_eq!(principal.session.map(|s| s.last_seen_at), Some(later));
    assert!(principal.memberships.is_empty());
    let unknown = store
        .principal(Credential::Session(&SecretHash::of("x")))
        .await;
    assert!(unknown.expect("principal").is_none());

    // A second, older session: the sweep removes what is idle or too old.
    let old = SecretHash::of("old-session");
    store
        .insert_session(&new_session(&old, id, t0() - Duration::hours(20), false))
        .await
        .expect("insert session");
    let removed = store.sweep(&sweep_at(t0())).await.expect("sweep");
    assert_eq!(removed, 1);
    assert!(session_of(store, &old).await.is_none());
    assert!(session_of(store, &hash).await.is_some());

    store.delete_session(&hash).await.expect("delete");
    assert!(session_of(store, &hash).await.is_none());

    let token = SecretHash::of("rcp_token");
    store
        .insert_token(&NewToken {
            id: uuid::Uuid::new_v4(),
            account_id: id,
            name: "script".into(),
            token_hash: token.clone(),
            created_at: t0(),
            expires_at: t0() + Duration::days(90),
            sealed_keys: "rk1.token-keys".into(),
        })
        .await
        .expect("insert token");
    let by_token = store
        .principal(Credential::Token(&token))
        .await
        .expect("principal");
    let by_token = by_token.expect("present");
    assert_eq!((by_token.account.id, by_token.session), (id, None));
    let nope = store
        .principal(Credential::Token(&SecretHash::of("nope")))
        .await;
    assert!(nope.expect("principal").is_none());
    let by_token = store
        .principal(Credential::Token(&token))
        .await
        .expect("principal")
        .expect("present");
    assert_eq!((by_token.account.id, by_token.session), (id, None));
    assert!(store
        .principal(Credential::Token(&SecretHash::of("nope")))
        .await
        .expect("principal")
        .is_none());
}

pub async fn relationships(store: &dyn Store) {
    let a = account(store, "a@example.org", "Ada").await;
    let b = account(store, "b@example.org", "Bo").await;
    let c = account(store, "c@example.org", "Cy").await;
    let rel = RelationshipId::new();
    store
        .create_relationship(&NewRelationship {
            id: rel,
            creator: a,
            invite_hash: hash_invite("code-one"),
            invite_expires_at: t0() + Duration::days(7),
            created_at: t0(),
            keys: relationship_keys("r"),
        })
        .await
        .expect("create");

    let pending = store
        .relationship(rel)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(pending.status, RelationshipStatus::Pending);
    assert_eq!(pending.invite_expires_at, Some(t0() + Duration::days(7)));
    assert_eq!(pending.members.len(), 1);
    assert_eq!(pending.members[0].account_id, a);
    assert_eq!(pending.members[0].role, MemberRole::Partner);
    assert!(store
        .relationship(RelationshipId::new())
        .await
        .expect("read")
        .is_none());

    // The creator cannot spend their own invitation.
    let own = store
        .join_relationship(&hash_invite("code-one"), a, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(own, JoinOutcome::OwnInvitation);

    // Renewing replaces the code: the old one no longer works.
    store
        .replace_invite(
            rel,
            &hash_invite("code-two"),
            t0() + Duration::days(7),
            None,
        )
        .await
        .expect("renew");
    let old = store
        .join_relationship(&hash_invite("code-one"), b, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(old, JoinOutcome::InvalidCode);

    // An expired code does not work, and is not spent by the attempt.
    let late = store
        .join_relationship(
            &hash_invite("code-two"),
            b,
            t0() + Duration::days(8),
            Some("rs1.joiner"),
        )
        .await
        .expect("join");
    assert_eq!(late, JoinOutcome::InvalidCode);

    let joined_at = t0() + Duration::minutes(1);
    let joined = store
        .join_relationship(&hash_invite("code-two"), b, joined_at, Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(joined, JoinOutcome::Joined(rel));
    // Single use: the same code fails for the next person.
    let reused = store
        .join_relationship(&hash_invite("code-two"), c, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(reused, JoinOutcome::InvalidCode);

    let active = store
        .relationship(rel)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(active.status, RelationshipStatus::Active);
    assert_eq!(active.invite_expires_at, None);
    // Members are listed in the order they joined.
    let names: Vec<&str> = active
        .members
        .iter()
        .map(|m| m.display_name.as_str())
        .collect();
    assert_eq!(names, ["Ada", "Bo"]);

    let of_b = store.memberships_of(b).await.expect("read");
    let b_token = SecretHash::of("b-token");
    store
        .insert_token(&NewToken {
            id: uuid::Uuid::new_v4(),
            account_id: b,
            name: "b".into(),
            token_hash: b_token.clone(),
            created_at: t0(),
            expires_at: t0() + Duration::days(90),
            sealed_keys: "rk1.token-keys".into(),
        })
        .await
        .expect("token");
    let b_principal = store
        .principal(Credential::Token(&b_token))
        .await
        .expect("principal");
    let b_principal = b_principal.expect("present");
    assert_eq!(
        b_principal.memberships, of_b,
        "one query gives the same memberships"
    );
    assert_eq!(of_b.len(), 1);
    assert_eq!(
        (of_b[0].relationship_id, of_b[0].status, of_b[0].joined_at),
        (rel, RelationshipStatus::Active, joined_at)
    );
    assert!(store.memberships_of(c).await.expect("read").is_empty());

    let left_at = t0() + Duration::days(1);
    store
        .leave_relationship(rel, b, left_at)
        .await
        .expect("leave");
    let ended = store
        .relationship(rel)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(ended.status, RelationshipStatus::Ended);
    let leaver = ended
        .members
        .iter()
        .find(|m| m.account_id == b)
        .expect("member");
    assert_eq!(leaver.left_at, Some(left_at));
    let stayer = ended
        .members
        .iter()
        .find(|m| m.account_id == a)
        .expect("member");
    assert_eq!(stayer.left_at, None);
    assert_eq!(
        store.memberships_of(a).await.expect("read")[0].status,
        RelationshipStatus::Ended
    );

    // Leaving a pending relationship spends its invitation too.
    let rel2 = RelationshipId::new();
    store
        .create_relationship(&NewRelationship {
            id: rel2,
            creator: c,
            invite_hash: hash_invite("code-three"),
            invite_expires_at: t0() + Duration::days(7),
            created_at: t0(),
            keys: relationship_keys("r"),
        })
        .await
        .expect("create");
    store
        .leave_relationship(rel2, c, t0())
        .await
        .expect("leave");
    let after = store
        .join_relationship(&hash_invite("code-three"), a, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(after, JoinOutcome::InvalidCode);
}

/// Each rule is part of its write: a write that breaks it changes nothing
/// and says so, whatever was read before.
pub async fn rules_in_writes(store: &dyn Store) {
    let (rel, a, b) = couple_tagged(store, "w").await;
    let window = t0() - Duration::days(1);

    // A correction or deletion loses to a thanks that landed first.
    let entry = gift(rel, a, b, 10);
    assert!(store.insert_contribution(&entry).await.expect("insert"));
    assert!(store
        .acknowledge_contribution(rel, entry.id, b, 4, None, t0())
        .await
        .expect("thank"));
    let mut record = store
        .contribution(rel, entry.id)
        .await
        .expect("read")
        .expect("present");
    let thanked = record.clone();
    record.description = "rewritten after the thanks".into();
    assert!(!store
        .update_contribution(rel, a, &record, window)
        .await
        .expect("update"));
    assert!(!store
        .delete_contribution(rel, a, entry.id, window)
        .await
        .expect("delete"));
    assert_eq!(
        store.contribution(rel, entry.id).await.expect("read"),
        Some(thanked),
        "a thanked entry stays as it was thanked"
    );

    // Only its author, only inside the window.
    let young = gift(rel, a, b, 11);
    assert!(store.insert_contribution(&young).await.expect("insert"));
    assert!(!store
        .delete_contribution(rel, b, young.id, window)
        .await
        .expect("delete by the other"));
    assert!(!store
        .delete_contribution(rel, a, young.id, young.created_at)
        .await
        .expect("delete after the window"));

    // Respect areas stop at the cap, however many ask.
    for i in 0..3 {
        let area = CustomArea {
            id: uuid::Uuid::new_v4(),
            name: format!("area {i}"),
            created_by: a,
            created_at: t0(),
        };
        assert_eq!(
            store.insert_custom_area(rel, &area, 2).await.expect("area"),
            i < 2,
            "area {i} of a cap of 2"
        );
    }

    // One open relationship per account: a second membership is refused by
    // the store itself, not only by a check before it.
    let again = store
        .create_relationship(&NewRelationship {
            id: RelationshipId::new(),
            creator: a,
            invite_hash: hash_invite("w-second"),
            invite_expires_at: t0() + Duration::days(7),
            created_at: t0(),
            keys: relationship_keys("r"),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("open_relationship"))),
        "{again:?}"
    );

    // Once ended, nothing more is written, and both are free again.
    store.leave_relationship(rel, b, t0()).await.expect("leave");
    let late = gift(rel, a, b, 12);
    assert!(!store.insert_contribution(&late).await.expect("insert"));
    assert!(store
        .contribution(rel, late.id)
        .await
        .expect("read")
        .is_none());
    assert!(!store
        .acknowledge_contribution(rel, young.id, b, 3, None, t0())
        .await
        .expect("thank"));
    assert!(!store
        .set_show_numbers(rel, a, true, t0())
        .await
        .expect("preference"));
    assert!(!store
        .insert_round(rel, "values", &fresh_round(1, a, b))
        .await
        .expect("round"));
    let area = CustomArea {
        id: uuid::Uuid::new_v4(),
        name: "late".into(),
        created_by: a,
        created_at: t0(),
    };
    assert!(!store.insert_custom_area(rel, &area, 8).await.expect("area"));
    store
        .create_relationship(&NewRelationship {
            id: RelationshipId::new(),
            creator: a,
            invite_hash: hash_invite("w-after"),
            invite_expires_at: t0() + Duration::days(7),
            created_at: t0(),
            keys: relationship_keys("r"),
        })
        .await
        .expect("a new relationship after the old one ended");
}

/// An active couple for the ledger chapter.
async fn couple(store: &dyn Store) -> (RelationshipId, AccountId, AccountId) {
    couple_tagged(store, "l").await
}

/// An active couple whose emails and invitation start with `tag`, so a
/// chapter can make several on one store.
async fn couple_tagged(store: &dyn Store, tag: &str) -> (RelationshipId, AccountId, AccountId) {
    let a = account(store, &format!("{tag}a@example.org"), &format!("{tag}-a")).await;
    let b = account(store, &format!("{tag}b@example.org"), &format!("{tag}-b")).await;
    let code = format!("{tag}-code");
    let rel = RelationshipId::new();
    store
        .create_relationship(&NewRelationship {
            id: rel,
            creator: a,
            invite_hash: hash_invite(&code),
            invite_expires_at: t0() + Duration::days(7),
            created_at: t0(),
            keys: relationship_keys("r"),
        })
        .await
        .expect("create");
    let joined = store
        .join_relationship(&hash_invite(&code), b, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(joined, JoinOutcome::Joined(rel));
    (rel, a, b)
}

fn gift(rel: RelationshipId, giver: AccountId, receiver: AccountId, day: i32) -> NewContribution {
    NewContribution {
        id: uuid::Uuid::new_v4(),
        relationship_id: rel,
        giver,
        receiver,
        logged_by: giver,
        domain: Domain::HouseholdLabor,
        description: format!("dishes on day {day}"),
        day,
        effort: 3,
        minutes: Some(20),
        created_at: t0() + Duration::seconds(i64::from(day)),
        value: None,
        thanks_note: None,
    }
}

pub async fn ledger(store: &dyn Store) {
    let (rel, a, b) = couple(store).await;
    let first = gift(rel, a, b, 100);
    store.insert_contribution(&first).await.expect("insert");
    let stored = store
        .contribution(rel, first.id)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(
        (
            stored.giver,
            stored.receiver,
            stored.logged_by,
            stored.day,
            stored.effort,
            stored.minutes
        ),
        (a, b, a, 100, 3, Some(20))
    );
    assert_eq!((stored.value, stored.acknowledged_at), (None, None));
    assert!(
        store
            .contribution(RelationshipId::new(), first.id)
            .await
            .expect("read")
            .is_none(),
        "a contribution is only found through its own relationship"
    );

    // Only the receiver acknowledges, and only once.
    let later = t0() + Duration::hours(1);
    assert!(!store
        .acknowledge_contribution(rel, first.id, a, 4, None, later)
        .await
        .expect("ack"));
    assert!(store
        .acknowledge_contribution(rel, first.id, b, 4, Some("thank you"), later)
        .await
        .expect("ack"));
    assert!(!store
        .acknowledge_contribution(rel, first.id, b, 5, None, later)
        .await
        .expect("ack"));
    let thanked = store
        .contribution(rel, first.id)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(
        (
            thanked.value,
            thanked.thanks_note.as_deref(),
            thanked.acknowledged_at
        ),
        (Some(4), Some("thank you"), Some(later))
    );

    // Logged by the receiver: acknowledged from the start.
    let mut for_me = gift(rel, b, a, 101);
    for_me.logged_by = a;
    for_me.value = Some(5);
    for_me.domain = Domain::EmotionalSupport;
    store.insert_contribution(&for_me).await.expect("insert");
    let mut waiting = gift(rel, b, a, 102);
    waiting.description = "dishes on day 100".into();
    store.insert_contribution(&waiting).await.expect("insert");

    let all = store
        .contributions(
            rel,
            &ContributionFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let days: Vec<i32> = all.iter().map(|c| c.day).collect();
    assert_eq!(days, [102, 101, 100], "newest first");
    let from_b = store
        .contributions(
            rel,
            &ContributionFilter {
                giver: Some(b),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(from_b.len(), 2);
    let support = store
        .contributions(
            rel,
            &ContributionFilter {
                domain: Some(Domain::EmotionalSupport),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(
        support.iter().map(|c| c.id).collect::<Vec<_>>(),
        [for_me.id]
    );
    let to_thank = store
        .contributions(
            rel,
            &ContributionFilter {
                awaiting: Some(a),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(
        to_thank.iter().map(|c| c.id).collect::<Vec<_>>(),
        [waiting.id]
    );
    let one = store
        .contributions(
            rel,
            &ContributionFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(one.len(), 1);

    let window = store
        .ledger_entries(rel, a, 101, 102)
        .await
        .expect("entries");
    assert_eq!(window.len(), 2);
    // Giver 0 is the `first` account asked for (a), giver 1 the other (b).
    assert!(window.iter().any(|e| e.value == Some(5)
        && e.domain == Domain::EmotionalSupport.index()
        && e.giver == 1
        && e.day == 101
        && e.effort == 3));
    assert!(window.iter().any(|e| e.value.is_none() && e.day == 102));
    let from_a = store
        .ledger_entries(rel, b, 100, 100)
        .await
        .expect("entries");
    assert_eq!(from_a.len(), 1);
    assert_eq!(
        (from_a[0].giver, from_a[0].value),
        (1, Some(4)),
        "now a is giver 1"
    );
    assert!(store
        .ledger_entries(rel, a, 200, 300)
        .await
        .expect("entries")
        .is_empty());

    let mut corrected = waiting.clone();
    let mut record = store
        .contribution(rel, corrected.id)
        .await
        .expect("read")
        .expect("present");
    record.description = "cooked dinner".into();
    record.effort = 5;
    record.minutes = None;
    record.domain = Domain::Planning;
    record.day = 99;
    let window = t0() - Duration::days(1);
    assert!(store
        .update_contribution(rel, b, &record, window)
        .await
        .expect("update"));
    assert_eq!(
        store.contribution(rel, record.id).await.expect("read"),
        Some(record.clone())
    );
    corrected.description = record.description.clone();

    let texts = |found: Vec<(uuid::Uuid, String)>| -> Vec<String> {
        found.into_iter().map(|(_, text)| text).collect()
    };
    let suggestions = store.recent_descriptions(rel, b, 8).await.expect("recent");
    assert_eq!(texts(suggestions), ["cooked dinner"]);
    assert_eq!(
        texts(store.recent_descriptions(rel, a, 8).await.expect("recent")),
        ["dishes on day 101", "dishes on day 100"]
    );

    assert!(store
        .delete_contribution(rel, b, record.id, window)
        .await
        .expect("delete"));
    assert!(store
        .contribution(rel, record.id)
        .await
        .expect("read")
        .is_none());

    assert!(
        store.show_numbers(rel).await.expect("prefs").is_empty(),
        "nobody chose yet"
    );
    store
        .set_show_numbers(rel, a, true, t0())
        .await
        .expect("pref");
    store
        .set_show_numbers(rel, b, true, t0())
        .await
        .expect("pref");
    store
        .set_show_numbers(rel, b, false, t0())
        .await
        .expect("pref");
    let mut prefs = store.show_numbers(rel).await.expect("prefs");
    prefs.sort_by_key(|(id, _)| *id != a);
    assert_eq!(prefs, [(a, true), (b, false)]);
}

fn empty_side(account: AccountId) -> SideRecord<String> {
    SideRecord {
        account,
        answers: None,
        submitted_at: None,
    }
}

fn fresh_round(number: u32, a: AccountId, b: AccountId) -> RoundRecord<String> {
    RoundRecord {
        number,
        started_at: t0() + Duration::days(i64::from(number)),
        sides: [empty_side(a), empty_side(b)],
    }
}

fn draft(account: AccountId, answers: &str) -> SideRecord<String> {
    SideRecord {
        account,
        answers: Some(answers.to_owned()),
        submitted_at: None,
    }
}

pub async fn sealed_rounds(store: &dyn Store) {
    let (rel, a, b) = couple_tagged(store, "s").await;
    assert!(store
        .sealed_rounds(rel, "values", 1..=u32::MAX)
        .await
        .expect("rounds")
        .is_empty());

    // Sides come back in the order they were given, not by account.
    let first = fresh_round(1, b, a);
    store
        .insert_round(rel, "values", &first)
        .await
        .expect("insert round");
    let mut expected = first.clone();
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [first]
    );

    // Drafts replace each other until the side is submitted.
    assert!(store
        .save_side(rel, "values", 1, &draft(b, "{\"v\":1}"))
        .await
        .expect("save"));
    expected.sides[0] = draft(b, "{\"v\":1}");
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [expected.clone()]
    );
    assert!(store
        .save_side(rel, "values", 1, &draft(b, "{\"v\":2}"))
        .await
        .expect("save"));
    expected.sides[0] = draft(b, "{\"v\":2}");
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [expected.clone()]
    );

    let submitted = SideRecord {
        account: b,
        answers: Some("{\"v\":3}".to_owned()),
        submitted_at: Some(t0() + Duration::hours(2)),
    };
    assert!(store
        .save_side(rel, "values", 1, &submitted)
        .await
        .expect("submit"));
    expected.sides[0] = submitted.clone();
    // Once submitted, neither a late draft nor a second submit changes it.
    assert!(!store
        .save_side(rel, "values", 1, &draft(b, "{\"late\":1}"))
        .await
        .expect("save"));
    let again = SideRecord {
        submitted_at: Some(t0() + Duration::hours(3)),
        ..draft(b, "{\"v\":4}")
    };
    assert!(!store
        .save_side(rel, "values", 1, &again)
        .await
        .expect("submit"));
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [expected.clone()]
    );
    // The other side is still open and still empty.
    assert_eq!(expected.sides[1], empty_side(a));

    // Two partners starting the same round at once: only one wins.
    let duplicate = store
        .insert_round(rel, "values", &fresh_round(1, a, b))
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict("round"))),
        "{duplicate:?}"
    );
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [expected.clone()],
        "the losing insert left nothing behind"
    );

    // Rounds of another kind, or of another couple, are apart.
    store
        .insert_round(rel, "respect", &fresh_round(1, a, b))
        .await
        .expect("another kind");
    let (other_rel, c, d) = couple_tagged(store, "o").await;
    store
        .insert_round(other_rel, "values", &fresh_round(1, c, d))
        .await
        .expect("another couple");
    assert!(!store
        .save_side(other_rel, "values", 1, &draft(a, "{}"))
        .await
        .expect("save"));
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [expected.clone()]
    );
    assert_eq!(
        store
            .sealed_rounds(rel, "respect", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [fresh_round(1, a, b)]
    );
    assert_eq!(
        store
            .sealed_rounds(other_rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [fresh_round(1, c, d)]
    );

    // Oldest first.
    let second = fresh_round(2, a, b);
    store
        .insert_round(rel, "values", &second)
        .await
        .expect("round two");
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=u32::MAX)
            .await
            .expect("rounds"),
        [expected.clone(), second.clone()]
    );
    // A range reads only its rounds; the outline reads every round's state
    // without a single answer.
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 2..=2)
            .await
            .expect("rounds"),
        std::slice::from_ref(&second)
    );
    assert_eq!(
        store
            .sealed_rounds(rel, "values", 1..=1)
            .await
            .expect("rounds"),
        std::slice::from_ref(&expected)
    );
    assert!(store
        .sealed_rounds(rel, "values", 3..=u32::MAX)
        .await
        .expect("rounds")
        .is_empty());
    let outline = store.round_outline(rel, "values").await.expect("outline");
    assert_eq!(outline.len(), 2);
    for (shape, full) in outline.iter().zip([&expected, &second]) {
        assert_eq!(
            (shape.number, shape.started_at),
            (full.number, full.started_at)
        );
        for (side, stored) in shape.sides.iter().zip(&full.sides) {
            assert_eq!(side.account, stored.account);
            assert_eq!(side.answers.is_some(), stored.answers.is_some());
            assert_eq!(side.submitted_at, stored.submitted_at);
        }
    }
    assert!(store
        .round_outline(rel, "deck:unknown")
        .await
        .expect("outline")
        .is_empty());
    assert!(!store
        .save_side(rel, "values", 3, &draft(a, "{}"))
        .await
        .expect("save"));
    assert!(!store
        .save_side(rel, "deck:unknown", 1, &draft(a, "{}"))
        .await
        .expect("save"));

    // Custom respect-map areas: oldest first, names unique without case.
    assert!(store.custom_areas(rel).await.expect("areas").is_empty());
    let chores = CustomArea {
        id: uuid::Uuid::new_v4(),
        name: "Chores".into(),
        created_by: a,
        created_at: t0() + Duration::minutes(1),
    };
    let music = CustomArea {
        id: uuid::Uuid::new_v4(),
        name: "Music practice".into(),
        created_by: b,
        created_at: t0() + Duration::minutes(2),
    };
    store
        .insert_custom_area(rel, &music, 8)
        .await
        .expect("insert area");
    store
        .insert_custom_area(rel, &chores, 8)
        .await
        .expect("insert area");
    assert_eq!(
        store.custom_areas(rel).await.expect("areas"),
        [chores.clone(), music.clone()]
    );
    let shouting = store
        .insert_custom_area(
            rel,
            &CustomArea {
                id: uuid::Uuid::new_v4(),
                name: "CHORES".into(),
                created_by: b,
                created_at: t0() + Duration::minutes(3),
            },
            8,
        )
        .await;
    assert!(
        matches!(shouting, Err(StoreError::Conflict("area_name"))),
        "{shouting:?}"
    );
    // Another couple may use the same name.
    store
        .insert_custom_area(
            other_rel,
            &CustomArea {
                id: uuid::Uuid::new_v4(),
                name: "chores".into(),
                created_by: c,
                created_at: t0(),
            },
            8,
        )
        .await
        .expect("insert area");
    assert_eq!(
        store.custom_areas(rel).await.expect("areas"),
        [chores, music]
    );

    // Notes belong to one conversation: a deck and a round number.
    assert!(store
        .conversation_notes(rel, "deck:money", 1)
        .await
        .expect("notes")
        .is_empty());
    let agreed = ConversationNote {
        id: uuid::Uuid::new_v4(),
        author: a,
        text: "We agreed on a monthly budget talk.".into(),
        agreement_idea: false,
        created_at: t0() + Duration::minutes(10),
    };
    let idea = ConversationNote {
        id: uuid::Uuid::new_v4(),
        author: b,
        text: "Propose: no purchase over 100 without asking.".into(),
        agreement_idea: true,
        created_at: t0() + Duration::minutes(11),
    };
    store
        .insert_conversation_note(rel, "deck:money", 1, &idea)
        .await
        .expect("note");
    store
        .insert_conversation_note(rel, "deck:money", 1, &agreed)
        .await
        .expect("note");
    let elsewhere = ConversationNote {
        id: uuid::Uuid::new_v4(),
        ..agreed.clone()
    };
    store
        .insert_conversation_note(rel, "deck:money", 2, &elsewhere)
        .await
        .expect("note");
    store
        .insert_conversation_note(
            rel,
            "deck:chores",
            1,
            &ConversationNote {
                id: uuid::Uuid::new_v4(),
                ..agreed.clone()
            },
        )
        .await
        .expect("note");
    store
        .insert_conversation_note(
            other_rel,
            "deck:money",
            1,
            &ConversationNote {
                id: uuid::Uuid::new_v4(),
                author: c,
                ..agreed.clone()
            },
        )
        .await
        .expect("note");
    assert_eq!(
        store
            .conversation_notes(rel, "deck:money", 1)
            .await
            .expect("notes"),
        [agreed, idea]
    );
    assert_eq!(
        store
            .conversation_notes(rel, "deck:money", 2)
            .await
            .expect("notes"),
        [elsewhere]
    );
}

/// Sessions and tokens the owner lists and ends, passwords changed and
/// reset (each proof used once), security events and held forms.
pub async fn account_control(store: &dyn Store) {
    let sam = account(store, "sam@example.org", "Sam").await;
    let kim = account(store, "kim@example.org", "Kim").await;
    let phone = SecretHash::of("phone");
    let laptop = SecretHash::of("laptop");
    let kims = SecretHash::of("kims");
    let remembered = new_session(&laptop, sam, t0() - Duration::hours(20), true);
    for session in [
        new_session(&phone, sam, t0(), false),
        remembered.clone(),
        new_session(&kims, kim, t0(), false),
    ] {
        store.insert_session(&session).await.expect("session");
    }
    let listed = store.sessions_of(sam).await.expect("list");
    assert_eq!(listed.len(), 2, "only Sam's own sessions");
    assert_eq!(listed[0].device, "Firefox on Linux");
    assert!(listed.iter().any(|s| s.id == remembered.id && s.persistent));
    // A remembered session outlives the ordinary limits; the sweep spares it.
    assert_eq!(store.sweep(&sweep_at(t0())).await.expect("sweep"), 0);
    assert_eq!(store.sessions_of(sam).await.expect("list").len(), 2);
    assert_eq!(
        store
            .sweep(&sweep_at(t0() + Duration::days(31)))
            .await
            .expect("sweep"),
        3,
        "a month later every session has run out"
    );
    for session in [
        new_session(&phone, sam, t0(), false),
        remembered.clone(),
        new_session(&kims, kim, t0(), false),
    ] {
        store.insert_session(&session).await.expect("session");
    }
    // Kim cannot end Sam's session by its id.
    assert!(!store.end_session_of(kim, remembered.id).await.expect("end"));
    assert!(store.end_session_of(sam, remembered.id).await.expect("end"));
    assert!(!store.end_session_of(sam, remembered.id).await.expect("end"));
    store
        .insert_session(&new_session(&laptop, sam, t0(), false))
        .await
        .expect("session");
    assert_eq!(store.end_other_sessions(sam, &phone).await.expect("end"), 1);
    assert!(session_of(store, &phone).await.is_some());
    assert!(session_of(store, &laptop).await.is_none());
    assert!(session_of(store, &kims).await.is_some(), "Kim's untouched");

    // Tokens: listed without secrets, revoked only by their owner, touched
    // at most once per window, swept once expired.
    let token_id = uuid::Uuid::new_v4();
    let token = SecretHash::of("rcp_sam");
    store
        .insert_token(&NewToken {
            id: token_id,
            account_id: sam,
            name: "backup".into(),
            token_hash: token.clone(),
            created_at: t0(),
            expires_at: t0() + Duration::days(90),
            sealed_keys: "rk1.token-keys".into(),
        })
        .await
        .expect("token");
    let tokens = store.tokens_of(sam).await.expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        (
            tokens[0].id,
            tokens[0].name.as_str(),
            tokens[0].last_used_at
        ),
        (token_id, "backup", None)
    );
    assert_eq!(tokens[0].expires_at, t0() + Duration::days(90));
    assert!(store.tokens_of(kim).await.expect("tokens").is_empty());
    let used = t0() + Duration::minutes(3);
    store
        .touch_token(token_id, used, used - Duration::minutes(1))
        .await
        .expect("touch");
    store
        .touch_token(
            token_id,
            used + Duration::seconds(5),
            used - Duration::minutes(1),
        )
        .await
        .expect("touch");
    let principal = store
        .principal(Credential::Token(&token))
        .await
        .expect("principal")
        .expect("present");
    let token_use = principal.token.expect("a token principal");
    assert_eq!(
        (token_use.id, token_use.last_used_at, token_use.expires_at),
        (token_id, Some(used), t0() + Duration::days(90))
    );
    assert!(!store.revoke_token(kim, token_id).await.expect("revoke"));
    assert!(store.revoke_token(sam, token_id).await.expect("revoke"));
    assert!(store
        .principal(Credential::Token(&token))
        .await
        .expect("principal")
        .is_none());

    // A password change ends every other session and every token, and of
    // two changes made against the same old hash only the first lands.
    store
        .insert_session(&new_session(&laptop, sam, t0(), false))
        .await
        .expect("session");
    store
        .insert_token(&NewToken {
            id: uuid::Uuid::new_v4(),
            account_id: sam,
            name: "script".into(),
            token_hash: token.clone(),
            created_at: t0(),
            expires_at: t0() + Duration::days(1),
            sealed_keys: "rk1.token-keys".into(),
        })
        .await
        .expect("token");
    let change = PasswordChange {
        account_id: sam,
        expected_hash: "$argon2id$fake$Sam",
        new_hash: "$argon2id$new",
        new_key_by_password: Some("ak1$rewrapped"),
        keep_session: &phone,
    };
    let keep_keys = ResetKeys::Kept {
        by_password: "ak1$by-new-password",
        by_recovery: "ak1$by-next-code",
    };
    assert!(store.change_password(&change).await.expect("change"));
    assert!(!store.change_password(&change).await.expect("change"));
    assert!(session_of(store, &phone).await.is_some(), "the asker stays");
    assert!(session_of(store, &laptop).await.is_none());
    assert!(store.tokens_of(sam).await.expect("tokens").is_empty());
    assert!(session_of(store, &kims).await.is_some(), "Kim's untouched");
    let sam_now = store.account_by_id(sam).await.expect("read").expect("sam");
    assert_eq!(sam_now.password_hash, "$argon2id$new");
    assert!(sam_now.has_recovery_code);

    // The recovery code resets the password once; the next code replaces it.
    let code = SecretHash::of("recovery-sam@example.org");
    let next = SecretHash::of("next-code");
    let wrong = SecretHash::of("wrong");
    let by_code = |code_hash| ResetProof::RecoveryCode {
        email: "sam@example.org",
        code_hash,
        next_code_hash: &next,
    };
    assert_eq!(
        store
            .reset_password(&by_code(&wrong), "$argon2id$x", &keep_keys)
            .await
            .expect("reset"),
        None
    );
    assert_eq!(
        store
            .reset_password(&by_code(&code), "$argon2id$reset", &keep_keys)
            .await
            .expect("reset"),
        Some(sam)
    );
    assert!(
        session_of(store, &phone).await.is_none(),
        "every session ends"
    );
    assert_eq!(
        store
            .reset_password(&by_code(&code), "$argon2id$again", &keep_keys)
            .await
            .expect("reset"),
        None,
        "a used code works no more"
    );
    let other_email = ResetProof::RecoveryCode {
        email: "kim@example.org",
        code_hash: &next,
        next_code_hash: &wrong,
    };
    assert_eq!(
        store
            .reset_password(&other_email, "$argon2id$x", &keep_keys)
            .await
            .expect("reset"),
        None,
        "Sam's code opens only Sam's account"
    );

    // An operator's link: once, and only before it expires.
    let link = SecretHash::of("link");
    store
        .insert_reset_link(sam, &link, t0(), t0() + Duration::hours(24))
        .await
        .expect("link");
    let late = ResetProof::Link {
        token_hash: &link,
        now: t0() + Duration::hours(25),
    };
    assert_eq!(
        store
            .reset_password(&late, "$argon2id$x", &keep_keys)
            .await
            .expect("reset"),
        None
    );
    let on_time = ResetProof::Link {
        token_hash: &link,
        now: t0() + Duration::hours(1),
    };
    assert_eq!(
        store
            .reset_password(&on_time, "$argon2id$link", &keep_keys)
            .await
            .expect("reset"),
        Some(sam)
    );
    assert_eq!(
        store
            .reset_password(&on_time, "$argon2id$y", &keep_keys)
            .await
            .expect("reset"),
        None
    );
    let sam_now = store.account_by_id(sam).await.expect("read").expect("sam");
    assert_eq!(sam_now.password_hash, "$argon2id$link");
    store
        .set_recovery_code(sam, &SecretHash::of("fresh"), Some("ak1$fresh"))
        .await
        .expect("recovery");

    // Security events: the owner's own, newest first, every kind round-trips.
    for (i, kind) in SecurityEventKind::ALL.into_iter().enumerate() {
        store
            .insert_security_event(&SecurityEvent {
                id: uuid::Uuid::new_v4(),
                account_id: sam,
                kind,
                at: t0() + Duration::seconds(i as i64),
                device: "Safari on iPhone".into(),
                client: "192.0.2.x".into(),
            })
            .await
            .expect("event");
    }
    let events = store.security_events_of(sam, 100).await.expect("events");
    let kinds: Vec<_> = events.iter().rev().map(|e| e.kind).collect();
    assert_eq!(kinds, SecurityEventKind::ALL);
    assert_eq!(events[0].client, "192.0.2.x");
    assert_eq!(
        store
            .security_events_of(sam, 3)
            .await
            .expect("events")
            .len(),
        3
    );
    assert!(store
        .security_events_of(kim, 100)
        .await
        .expect("events")
        .is_empty());

    // A held form: taken once, by its owner, while fresh.
    let form = HeldForm {
        id: uuid::Uuid::new_v4(),
        account_id: sam,
        path: "/r/x/values/answers".into(),
        sealed: "c2VhbGVk".into(),
        created_at: t0(),
    };
    store.insert_held_form(&form).await.expect("hold");
    let since = t0() - Duration::minutes(30);
    assert_eq!(
        store
            .take_held_form(form.id, kim, since)
            .await
            .expect("take"),
        None
    );
    assert_eq!(
        store
            .take_held_form(form.id, sam, t0() + Duration::seconds(1))
            .await
            .expect("take"),
        None,
        "too old"
    );
    assert_eq!(
        store
            .take_held_form(form.id, sam, since)
            .await
            .expect("take"),
        Some(form.clone())
    );
    assert_eq!(
        store
            .take_held_form(form.id, sam, since)
            .await
            .expect("take"),
        None,
        "taken once"
    );
}

/// Keys and the access log: what encryption at rest and the owner's log
/// ask of a store. The store keeps key material as opaque text; each rule
/// is in a conditional write, so the second of two racing requests changes
/// nothing.
pub async fn keys_and_access_log(store: &dyn Store) {
    let (rel, a, b) = couple_tagged(store, "k").await;
    // What was stored comes back, with each member's copy of the key.
    let read = store.account_by_id(a).await.expect("read").expect("a");
    assert_eq!(read.keys, Some(stored_keys("ka@example.org")));
    let found = store.relationship(rel).await.expect("read").expect("rel");
    assert_eq!(found.key_check.as_deref(), Some("rk1.check-r"));
    assert!(!found.clear_text_allowed, "made with keys: no clear texts");
    let member = |who| {
        found
            .members
            .iter()
            .find(|m| m.account_id == who)
            .expect("member")
    };
    assert_eq!(member(a).sealed_key.as_deref(), Some("rs1.creator-r"));
    assert_eq!(member(b).sealed_key.as_deref(), Some("rs1.joiner"));
    assert_eq!(
        member(a).public_key.as_deref(),
        Some("public-key-of-ka@example.org")
    );
    // A copy is given only to a member who has none; a key is made only
    // for a relationship that has none.
    assert!(!store
        .give_relationship_key(rel, b, "rs1.other")
        .await
        .expect("give"));
    assert!(!store
        .create_relationship_key(rel, a, "rs1.other", "rk1.other")
        .await
        .expect("create"));
    // Keys for an account that has none, once.
    assert!(!store
        .set_account_keys(a, &stored_keys("again"))
        .await
        .expect("set"));

    // The access log: once per viewer, item and day; the owner's alone.
    let line = |viewer, owner, item: &str, day| AccessEntry {
        owner,
        viewer,
        viewer_name: String::new(),
        relationship_id: rel,
        item: item.to_owned(),
        day,
        first_at: t0() + Duration::days(i64::from(day)),
    };
    for entry in [
        line(b, a, "ledger", 1),
        line(b, a, "ledger", 1),
        line(b, a, "values", 1),
        line(b, a, "ledger", 2),
        line(a, b, "ledger", 2),
    ] {
        store.record_access(&entry).await.expect("record");
    }
    let log = store.access_log_of(a, 10).await.expect("log");
    let seen: Vec<(&str, i32, &str)> = log
        .iter()
        .map(|l| (l.item.as_str(), l.day, l.viewer_name.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("ledger", 2, "k-b"),
            ("ledger", 1, "k-b"),
            ("values", 1, "k-b")
        ]
    );
    assert!(log.iter().all(|l| l.owner == a && l.viewer == b));
    assert_eq!(store.access_log_of(b, 10).await.expect("log").len(), 1);
    assert_eq!(store.access_log_of(a, 1).await.expect("log").len(), 1);

    // First looks of a new day, all at once: each finds no line yet, each
    // writes, and every write succeeds (the insert of a line already there
    // does nothing), leaving one line.
    let first = line(b, a, "respect", 3);
    let look = || store.record_access(&first);
    let racing = tokio::join!(
        look(),
        look(),
        look(),
        look(),
        look(),
        look(),
        look(),
        look()
    );
    for (i, result) in [
        racing.0, racing.1, racing.2, racing.3, racing.4, racing.5, racing.6, racing.7,
    ]
    .into_iter()
    .enumerate()
    {
        result.unwrap_or_else(|e| panic!("racing look {i}: {e}"));
    }
    let log = store.access_log_of(a, 10).await.expect("log");
    assert_eq!(
        log.iter()
            .filter(|l| l.item == "respect" && l.day == 3)
            .count(),
        1,
        "{log:?}"
    );
}

/// Private reflections: stored and listed for their author alone, newest
/// first; written only by a member of a space that has not ended (the rule
/// is in the insert); deleted only by their author.
pub async fn reflections(store: &dyn Store) {
    let (rel, a, b) = couple_tagged(store, "f").await;
    let outsider = account(store, "f-out@example.org", "f-out").await;
    let reflection = |author, minutes, text: &str| Reflection {
        id: uuid::Uuid::new_v4(),
        relationship_id: rel,
        author,
        prompt: (minutes == 2).then(|| "after_reveal".to_owned()),
        text: text.to_owned(),
        created_at: t0() + Duration::minutes(minutes),
    };
    let first = reflection(a, 1, "rk1.a-first");
    let second = reflection(a, 2, "rk1.a-second");
    let bos = reflection(b, 3, "rk1.b");
    for r in [&first, &second, &bos] {
        assert!(store.insert_reflection(r).await.expect("insert"));
    }
    // Someone who is not a member writes nothing there.
    assert!(!store
        .insert_reflection(&reflection(outsider, 4, "rk1.out"))
        .await
        .expect("insert"));
    let mine = store.reflections_of(a, rel, 10).await.expect("list");
    assert_eq!(
        mine,
        vec![second.clone(), first.clone()],
        "newest first, hers only"
    );
    assert_eq!(
        store.reflections_of(a, rel, 1).await.expect("list"),
        vec![second.clone()]
    );
    assert_eq!(
        store.reflections_of(b, rel, 10).await.expect("list"),
        vec![bos.clone()]
    );
    assert!(store
        .reflections_of(outsider, rel, 10)
        .await
        .expect("list")
        .is_empty());
    // Only the author deletes, and only in the space it was written in.
    assert!(!store
        .delete_reflection(b, rel, first.id)
        .await
        .expect("delete"));
    assert!(!store
        .delete_reflection(a, RelationshipId::new(), first.id)
        .await
        .expect("delete"));
    assert!(store
        .delete_reflection(a, rel, first.id)
        .await
        .expect("delete"));
    assert!(!store
        .delete_reflection(a, rel, first.id)
        .await
        .expect("delete"));
    // Once the space ended: no new reflection; the old ones stay, deletable.
    store
        .leave_relationship(rel, b, t0() + Duration::hours(1))
        .await
        .expect("leave");
    assert!(!store
        .insert_reflection(&reflection(a, 90, "rk1.late"))
        .await
        .expect("insert"));
    assert_eq!(
        store.reflections_of(a, rel, 10).await.expect("list"),
        vec![second.clone()]
    );
    assert!(store
        .delete_reflection(b, rel, bos.id)
        .await
        .expect("delete"));
}

/// Deleting an account: one conditional transaction. The person's words
/// and credentials go, their open relationship ends as by a leave, the
/// partner's words stay, and the account row is left as a tombstone.
pub async fn deletion(store: &dyn Store) {
    let ada = account(store, "da@example.org", "d-a").await;
    let bo = account(store, "db@example.org", "d-b").await;
    let cy = account(store, "dc@example.org", "d-c").await;
    let ada_hash = "$argon2id$fake$d-a";
    let space = |creator, code: &'static str| async move {
        let id = RelationshipId::new();
        store
            .create_relationship(&NewRelationship {
                id,
                creator,
                invite_hash: hash_invite(code),
                invite_expires_at: t0() + Duration::days(7),
                created_at: t0(),
                keys: relationship_keys("d"),
            })
            .await
            .expect("create");
        id
    };
    // An earlier space of Ada's with Cy, ended by Cy, holding her words.
    let old = space(ada, "d-old").await;
    let joined = store
        .join_relationship(&hash_invite("d-old"), cy, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(joined, JoinOutcome::Joined(old));
    let old_gift = gift(old, ada, cy, 5);
    store.insert_contribution(&old_gift).await.expect("insert");
    store
        .leave_relationship(old, cy, t0())
        .await
        .expect("leave");
    let rel = space(ada, "d-now").await;
    let joined = store
        .join_relationship(&hash_invite("d-now"), bo, t0(), Some("rs1.joiner"))
        .await
        .expect("join");
    assert_eq!(joined, JoinOutcome::Joined(rel));

    // The ledger: Ada logs a gift Bo thanks; Bo logs a gift Ada thanks;
    // Bo logs what Ada did for him (thanked at once, his words).
    let ada_gift = gift(rel, ada, bo, 10);
    store.insert_contribution(&ada_gift).await.expect("insert");
    assert!(store
        .acknowledge_contribution(rel, ada_gift.id, bo, 4, Some("bo thanks"), t0())
        .await
        .expect("ack"));
    let bo_gift = gift(rel, bo, ada, 11);
    store.insert_contribution(&bo_gift).await.expect("insert");
    assert!(store
        .acknowledge_contribution(rel, bo_gift.id, ada, 5, Some("ada thanks"), t0())
        .await
        .expect("ack"));
    let mut for_bo = gift(rel, ada, bo, 12);
    for_bo.logged_by = bo;
    for_bo.value = Some(3);
    for_bo.thanks_note = Some("bo's own words".into());
    store.insert_contribution(&for_bo).await.expect("insert");
    for who in [ada, bo] {
        assert!(store
            .set_show_numbers(rel, who, true, t0())
            .await
            .expect("numbers"));
    }

    // Sealed rounds: round 1 revealed, round 2 with Ada's draft and Bo's
    // submitted answers.
    store
        .insert_round(rel, "values", &fresh_round(1, ada, bo))
        .await
        .expect("round");
    for (who, text) in [(ada, "{\"ada\":1}"), (bo, "{\"bo\":1}")] {
        let side = SideRecord {
            submitted_at: Some(t0() + Duration::hours(1)),
            ..draft(who, text)
        };
        assert!(store
            .save_side(rel, "values", 1, &side)
            .await
            .expect("submit"));
    }
    store
        .insert_round(rel, "values", &fresh_round(2, ada, bo))
        .await
        .expect("round");
    assert!(store
        .save_side(rel, "values", 2, &draft(ada, "{\"ada\":2}"))
        .await
        .expect("draft"));
    let bo_submitted = SideRecord {
        submitted_at: Some(t0() + Duration::hours(2)),
        ..draft(bo, "{\"bo\":2}")
    };
    assert!(store
        .save_side(rel, "values", 2, &bo_submitted)
        .await
        .expect("submit"));

    // Areas and notes by both.
    for (who, name) in [(ada, "Ada's area"), (bo, "Bo's area")] {
        let area = CustomArea {
            id: uuid::Uuid::new_v4(),
            name: name.into(),
            created_by: who,
            created_at: t0(),
        };
        assert!(store.insert_custom_area(rel, &area, 8).await.expect("area"));
    }
    for (who, text) in [(ada, "ada's note"), (bo, "bo's note")] {
        let note = ConversationNote {
            id: uuid::Uuid::new_v4(),
            author: who,
            text: text.into(),
            agreement_idea: false,
            created_at: t0(),
        };
        assert!(store
            .insert_conversation_note(rel, "deck", 1, &note)
            .await
            .expect("note"));
    }

    // Credentials and the rest of Ada's account; one session of Bo's.
    let ada_session = SecretHash::of("d-ada-session");
    let bo_session = SecretHash::of("d-bo-session");
    store
        .insert_session(&new_session(&ada_session, ada, t0(), true))
        .await
        .expect("session");
    store
        .insert_session(&new_session(&bo_session, bo, t0(), false))
        .await
        .expect("session");
    let ada_token = SecretHash::of("rcp_d_ada");
    store
        .insert_token(&NewToken {
            id: uuid::Uuid::new_v4(),
            account_id: ada,
            name: "ada's script".into(),
            token_hash: ada_token.clone(),
            created_at: t0(),
            expires_at: t0() + Duration::days(90),
            sealed_keys: "rk1.token-keys".into(),
        })
        .await
        .expect("token");
    let link = SecretHash::of("d-reset-link");
    store
        .insert_reset_link(ada, &link, t0(), t0() + Duration::days(1))
        .await
        .expect("link");
    store
        .insert_security_event(&SecurityEvent {
            id: uuid::Uuid::new_v4(),
            account_id: ada,
            kind: SecurityEventKind::SignedIn,
            at: t0(),
            device: "Firefox on Linux".into(),
            client: "192.0.2.x".into(),
        })
        .await
        .expect("event");
    let held = HeldForm {
        id: uuid::Uuid::new_v4(),
        account_id: ada,
        path: "/ledger/log".into(),
        sealed: "c2VhbGVk".into(),
        created_at: t0(),
    };
    store.insert_held_form(&held).await.expect("hold");
    // Each looked at the other's shared items once.
    for (owner, viewer) in [(ada, bo), (bo, ada)] {
        store
            .record_access(&AccessEntry {
                owner,
                viewer,
                viewer_name: String::new(),
                relationship_id: rel,
                item: "ledger".into(),
                day: 3,
                first_at: t0(),
            })
            .await
            .expect("record");
    }

    // Against a hash that is no longer the stored one, nothing changes.
    let later = t0() + Duration::days(1);
    assert!(!store
        .delete_account(ada, "$argon2id$stale", later)
        .await
        .expect("delete"));
    assert!(store
        .account_by_email(&Email::parse("da@example.org").expect("email"))
        .await
        .expect("read")
        .is_some());
    assert!(session_of(store, &ada_session).await.is_some());
    assert_eq!(
        store
            .relationship(rel)
            .await
            .expect("read")
            .expect("rel")
            .status,
        RelationshipStatus::Active
    );

    assert!(store
        .delete_account(ada, ada_hash, later)
        .await
        .expect("delete"));
    // A second deletion (or anything checked against the old hash) finds
    // the hash gone; an empty hash never matches either.
    assert!(!store
        .delete_account(ada, ada_hash, later)
        .await
        .expect("delete"));
    assert!(!store.delete_account(ada, "", later).await.expect("delete"));

    // The tombstone: no address, a neutral name, nothing to sign in with.
    let email = Email::parse("da@example.org").expect("email");
    assert!(store
        .account_by_email(&email)
        .await
        .expect("read")
        .is_none());
    let tomb = store
        .account_by_id(ada)
        .await
        .expect("read")
        .expect("the row stays");
    assert_eq!(tomb.email, domain::deletion::tombstone_email(ada));
    assert_eq!(tomb.display_name, domain::deletion::FORMER_MEMBER);
    assert_eq!(tomb.password_hash, "");
    assert!(!tomb.has_recovery_code);
    assert!(domain::deletion::is_deleted(&tomb));
    let next = SecretHash::of("next");
    let code = SecretHash::of("recovery-da@example.org");
    assert_eq!(
        store
            .reset_password(
                &ResetProof::RecoveryCode {
                    email: "da@example.org",
                    code_hash: &code,
                    next_code_hash: &next,
                },
                "$argon2id$back",
                &ResetKeys::Kept {
                    by_password: "ak1$p",
                    by_recovery: "ak1$r",
                },
            )
            .await
            .expect("reset"),
        None,
        "the recovery code went"
    );
    assert_eq!(
        store
            .reset_password(
                &ResetProof::Link {
                    token_hash: &link,
                    now: t0(),
                },
                "$argon2id$back",
                &ResetKeys::Kept {
                    by_password: "ak1$p",
                    by_recovery: "ak1$r",
                },
            )
            .await
            .expect("reset"),
        None,
        "the reset link went"
    );

    // Ada's own access log went; the line in Bo's log saying she looked
    // at his items is his record and stays (R27: append-only, not for the
    // other partner to remove), naming her as a former member.
    assert!(store.access_log_of(ada, 10).await.expect("log").is_empty());
    let bos = store.access_log_of(bo, 10).await.expect("log");
    assert_eq!(bos.len(), 1);
    assert_eq!(bos[0].viewer, ada);
    assert_eq!(bos[0].viewer_name, domain::deletion::FORMER_MEMBER);

    // Credentials and the owner's own records are gone; Bo's are not.
    assert!(session_of(store, &ada_session).await.is_none());
    assert!(store
        .principal(Credential::Token(&ada_token))
        .await
        .expect("principal")
        .is_none());
    assert!(store.sessions_of(ada).await.expect("list").is_empty());
    assert!(store.tokens_of(ada).await.expect("list").is_empty());
    assert!(store
        .security_events_of(ada, 10)
        .await
        .expect("list")
        .is_empty());
    assert_eq!(
        store
            .take_held_form(held.id, ada, t0() - Duration::minutes(30))
            .await
            .expect("take"),
        None
    );
    assert!(session_of(store, &bo_session).await.is_some());

    // The space ended as by a leave: Ada left, both memberships closed.
    let ended = store.relationship(rel).await.expect("read").expect("rel");
    assert_eq!(ended.status, RelationshipStatus::Ended);
    let member = |who| {
        ended
            .members
            .iter()
            .find(|m| m.account_id == who)
            .expect("member")
            .clone()
    };
    assert_eq!(member(ada).left_at, Some(later));
    assert_eq!(member(ada).display_name, domain::deletion::FORMER_MEMBER);
    assert_eq!(member(bo).left_at, None);
    let bo_memberships = store.memberships_of(bo).await.expect("memberships");
    assert_eq!(bo_memberships[0].status, RelationshipStatus::Ended);

    // The ledger: what Ada logged went; Bo's entries stay, Ada's thanks on
    // them cleared; Bo's thanks on his own entry stays.
    assert!(store
        .contribution(rel, ada_gift.id)
        .await
        .expect("read")
        .is_none());
    assert!(
        store
            .contribution(old, old_gift.id)
            .await
            .expect("read")
            .is_none(),
        "her words in an earlier, ended space went too"
    );
    let old_ended = store.relationship(old).await.expect("read").expect("old");
    assert!(
        old_ended
            .members
            .iter()
            .all(|m| m.account_id != ada || m.left_at.is_none()),
        "an ended space is left as it ended"
    );
    let bo_kept = store
        .contribution(rel, bo_gift.id)
        .await
        .expect("read")
        .expect("Bo's entry stays");
    assert_eq!(bo_kept.description, bo_gift.description);
    assert_eq!(
        (bo_kept.value, bo_kept.thanks_note, bo_kept.acknowledged_at),
        (None, None, None),
        "reads as never thanked"
    );
    let for_bo_kept = store
        .contribution(rel, for_bo.id)
        .await
        .expect("read")
        .expect("Bo's entry stays");
    assert_eq!(
        (for_bo_kept.value, for_bo_kept.thanks_note.as_deref()),
        (Some(3), Some("bo's own words"))
    );
    assert_eq!(
        store.show_numbers(rel).await.expect("numbers"),
        [(bo, true)]
    );

    // Sealed rounds keep their numbers and Bo's side; Ada's side is empty.
    let rounds = store
        .sealed_rounds(rel, "values", 1..=u32::MAX)
        .await
        .expect("rounds");
    assert_eq!(rounds.len(), 2);
    for round in &rounds {
        assert_eq!(round.sides[0], empty_side(ada));
        assert_eq!(round.sides[1].account, bo);
        assert!(round.sides[1].answers.is_some());
        assert!(round.sides[1].submitted_at.is_some());
    }
    assert_eq!(rounds[1].sides[1], bo_submitted);

    let areas = store.custom_areas(rel).await.expect("areas");
    assert_eq!(
        areas.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["Bo's area"]
    );
    let notes = store
        .conversation_notes(rel, "deck", 1)
        .await
        .expect("notes");
    assert_eq!(
        notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["bo's note"]
    );

    // The address is free again, for a new account.
    let again = account(store, "da@example.org", "d-a again").await;
    assert_ne!(again, ada);
    // The sweep (which checkpoints on SQLite) still runs.
    store.sweep(&sweep_at(later)).await.expect("sweep");

    // A pending space ends too, its invitation spent; of two deletions at
    // once, exactly one wins.
    store
        .create_relationship(&NewRelationship {
            id: RelationshipId::new(),
            creator: again,
            invite_hash: hash_invite("d-pending"),
            invite_expires_at: t0() + Duration::days(7),
            created_at: t0(),
            keys: relationship_keys("d"),
        })
        .await
        .expect("create");
    let hash = "$argon2id$fake$d-a again";
    let (first, second) = tokio::join!(
        store.delete_account(again, hash, later),
        store.delete_account(again, hash, later)
    );
    let wins = [first.expect("delete"), second.expect("delete")];
    assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
    let pending = store.memberships_of(again).await.expect("memberships");
    assert_eq!(pending[0].status, RelationshipStatus::Ended);
    assert_eq!(
        store
            .join_relationship(&hash_invite("d-pending"), cy, later, Some("rs1.joiner"))
            .await
            .expect("join"),
        JoinOutcome::InvalidCode
    );
}

// Two-factor

/// Two-step sign-in: the account kind stored and read back, enrolment that
/// a confirmed authenticator refuses to restart, a confirmation bound to
/// the secret checked, codes and recovery codes spent once by the write,
/// a counselor's second step kept, and deletion taking it all.
pub async fn two_factor(store: &dyn Store) {
    let sam = account(store, "tf-sam@example.org", "tf-sam").await;
    let counselor = AccountId::new();
    store
        .insert_account(&NewAccount {
            id: counselor,
            email: Email::parse("tf-c@example.org").expect("email"),
            display_name: "tf-c".into(),
            password_hash: "$argon2id$fake$tf-c".into(),
            recovery_hash: SecretHash::of("recovery-tf-c"),
            created_at: t0(),
            keys: stored_keys("tf-c"),
            kind: AccountKind::Counselor,
        })
        .await
        .expect("insert counselor");
    let read = store
        .account_by_id(counselor)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(read.kind, AccountKind::Counselor);
    assert!(!read.two_factor);
    let read = store
        .account_by_id(sam)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(read.kind, AccountKind::Partner);
    assert_eq!(store.two_factor_of(sam).await.expect("read"), None);

    // Enrolling, twice: the second secret replaces the first.
    assert!(store
        .start_two_factor(sam, "rk1.first", t0())
        .await
        .expect("start"));
    assert!(store
        .start_two_factor(sam, "rk1.second", t0())
        .await
        .expect("restart"));
    let record = store
        .two_factor_of(sam)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(record.secret, "rk1.second");
    assert_eq!(record.confirmed_at, None);
    assert_eq!(record.created_at, t0());
    // Not on yet: no step and no recovery code is accepted.
    assert!(!store.use_two_factor_step(sam, 5).await.expect("step"));
    // A confirmation checked against the first secret finds it replaced.
    let hashes: Vec<SecretHash> = (0..3)
        .map(|i| SecretHash::of(&format!("tf-code-{i}")))
        .collect();
    assert!(!store
        .confirm_two_factor(sam, "rk1.first", 10, t0(), &hashes)
        .await
        .expect("confirm"));
    assert!(store
        .confirm_two_factor(sam, "rk1.second", 10, t0(), &hashes)
        .await
        .expect("confirm"));
    assert!(!store
        .confirm_two_factor(sam, "rk1.second", 11, t0(), &hashes)
        .await
        .expect("confirm once"));
    let record = store
        .two_factor_of(sam)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(record.confirmed_at, Some(t0()));
    assert_eq!(record.last_step, Some(10));
    assert_eq!(record.recovery_codes_left, 3);
    assert!(
        store
            .account_by_id(sam)
            .await
            .expect("read")
            .expect("present")
            .two_factor
    );
    // Confirmed: a restart changes nothing.
    assert!(!store
        .start_two_factor(sam, "rk1.third", t0())
        .await
        .expect("start"));
    assert_eq!(
        store
            .two_factor_of(sam)
            .await
            .expect("read")
            .expect("present")
            .secret,
        "rk1.second"
    );

    // Steps move forward only: the confirmation's step and earlier are spent.
    assert!(!store.use_two_factor_step(sam, 10).await.expect("step"));
    assert!(!store.use_two_factor_step(sam, 9).await.expect("step"));
    assert!(store.use_two_factor_step(sam, 11).await.expect("step"));
    assert!(!store.use_two_factor_step(sam, 11).await.expect("step once"));
    // A recovery code works once, and only one of the account's.
    assert!(store
        .use_two_factor_recovery_code(sam, &hashes[0], t0())
        .await
        .expect("use"));
    assert!(!store
        .use_two_factor_recovery_code(sam, &hashes[0], t0())
        .await
        .expect("use once"));
    assert!(!store
        .use_two_factor_recovery_code(counselor, &hashes[1], t0())
        .await
        .expect("not theirs"));
    assert!(!store
        .use_two_factor_recovery_code(sam, &SecretHash::of("unknown"), t0())
        .await
        .expect("unknown"));
    assert_eq!(
        store
            .two_factor_of(sam)
            .await
            .expect("read")
            .expect("present")
            .recovery_codes_left,
        2
    );

    // A counselor's second step stays, whatever is asked.
    assert!(store
        .start_two_factor(counselor, "rk1.c", t0())
        .await
        .expect("start"));
    assert!(store
        .confirm_two_factor(counselor, "rk1.c", 3, t0(), &[SecretHash::of("c-code")])
        .await
        .expect("confirm"));
    assert!(!store.remove_two_factor(counselor).await.expect("remove"));
    assert!(
        store
            .account_by_id(counselor)
            .await
            .expect("read")
            .expect("present")
            .two_factor
    );

    // A partner turns it off: the codes go with it.
    assert!(store.remove_two_factor(sam).await.expect("remove"));
    assert!(!store.remove_two_factor(sam).await.expect("nothing left"));
    assert_eq!(store.two_factor_of(sam).await.expect("read"), None);
    assert!(!store
        .use_two_factor_recovery_code(sam, &hashes[1], t0())
        .await
        .expect("gone"));

    // Deleting the account deletes its authenticator and codes.
    assert!(store
        .delete_account(counselor, "$argon2id$fake$tf-c", t0())
        .await
        .expect("delete"));
    assert_eq!(store.two_factor_of(counselor).await.expect("read"), None);
}

/// A proposal of a next round by `by`, following round `after`.
fn proposal(by: AccountId, after: u32, minutes: i64) -> RoundProposal {
    RoundProposal {
        id: uuid::Uuid::new_v4(),
        after,
        proposed_by: by,
        proposed_at: t0() + Duration::minutes(minutes),
        status: ProposalStatus::Open,
        closed_at: None,
    }
}

pub async fn round_proposals(store: &dyn Store) {
    let (rel, a, b) = couple_tagged(store, "p").await;
    store
        .insert_round(rel, "values", &fresh_round(1, a, b))
        .await
        .expect("round 1");
    assert_eq!(
        store
            .latest_round_proposal(rel, "values")
            .await
            .expect("none"),
        None
    );

    // One open proposal per relationship and kind: the partner's second
    // meets the unique index; another kind is apart.
    let asked = proposal(a, 1, 1);
    assert!(store
        .insert_round_proposal(rel, "values", &asked)
        .await
        .expect("propose"));
    let second_open = store
        .insert_round_proposal(rel, "values", &proposal(b, 1, 2))
        .await;
    assert!(
        matches!(second_open, Err(StoreError::Conflict("round_proposal"))),
        "{second_open:?}"
    );
    let respect = proposal(b, 1, 2);
    assert!(store
        .insert_round_proposal(rel, "respect", &respect)
        .await
        .expect("another kind"));
    assert_eq!(
        store
            .latest_round_proposal(rel, "values")
            .await
            .expect("read"),
        Some(asked.clone())
    );

    // Each close carries its rule: only the other partner declines or
    // agrees, only the proposer withdraws.
    let at = t0() + Duration::minutes(3);
    for (by, outcome) in [
        (a, ProposalStatus::Declined),
        (b, ProposalStatus::Withdrawn),
    ] {
        assert!(!store
            .close_round_proposal(rel, "values", asked.id, by, outcome, at)
            .await
            .expect("refused close"));
    }
    assert!(!store
        .agree_round_proposal(rel, "values", asked.id, a, &fresh_round(2, a, b), at)
        .await
        .expect("own agree"));
    assert_eq!(
        store
            .round_outline(rel, "values")
            .await
            .expect("outline")
            .len(),
        1,
        "no round from a refused agree"
    );

    // Two agrees at once: exactly one starts round 2.
    let second = fresh_round(2, a, b);
    let (x, y) = tokio::join!(
        store.agree_round_proposal(rel, "values", asked.id, b, &second, at),
        store.agree_round_proposal(rel, "values", asked.id, b, &second, at),
    );
    let started = [x.expect("agree"), y.expect("agree")];
    assert_eq!(started.iter().filter(|s| **s).count(), 1, "{started:?}");
    let outline = store.round_outline(rel, "values").await.expect("outline");
    assert_eq!(outline.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    let agreed = store
        .latest_round_proposal(rel, "values")
        .await
        .expect("read")
        .expect("the proposal");
    assert_eq!(
        (agreed.status, agreed.closed_at),
        (ProposalStatus::Agreed, Some(at))
    );

    // After a close, a new one may be opened: declined, then withdrawn.
    let again = proposal(b, 2, 10);
    assert!(store
        .insert_round_proposal(rel, "values", &again)
        .await
        .expect("propose again"));
    assert!(store
        .close_round_proposal(rel, "values", again.id, a, ProposalStatus::Declined, at)
        .await
        .expect("decline"));
    assert!(!store
        .close_round_proposal(rel, "values", again.id, b, ProposalStatus::Withdrawn, at)
        .await
        .expect("closed already"));
    assert_eq!(
        store
            .latest_round_proposal(rel, "values")
            .await
            .expect("read")
            .map(|p| (p.id, p.status)),
        Some((again.id, ProposalStatus::Declined))
    );
    let third = proposal(a, 2, 20);
    assert!(store
        .insert_round_proposal(rel, "values", &third)
        .await
        .expect("propose a third time"));
    assert!(store
        .close_round_proposal(rel, "values", third.id, a, ProposalStatus::Withdrawn, at)
        .await
        .expect("withdraw"));

    // Both ask at the same moment: the unique index lets one in, whatever
    // either read before writing.
    let (from_a, from_b) = (proposal(a, 2, 25), proposal(b, 2, 25));
    let (x, y) = tokio::join!(
        store.insert_round_proposal(rel, "values", &from_a),
        store.insert_round_proposal(rel, "values", &from_b),
    );
    let placed = [&x, &y].iter().filter(|r| matches!(r, Ok(true))).count();
    let refused = [&x, &y]
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict("round_proposal"))))
        .count();
    assert_eq!((placed, refused), (1, 1), "{x:?} {y:?}");
    let open = store
        .latest_round_proposal(rel, "values")
        .await
        .expect("read")
        .expect("the one placed");
    assert_eq!(open.status, ProposalStatus::Open);
    assert!(store
        .close_round_proposal(
            rel,
            "values",
            open.id,
            open.proposed_by,
            ProposalStatus::Withdrawn,
            at
        )
        .await
        .expect("withdraw"));

    // Nothing is written once the relationship ended.
    store.leave_relationship(rel, b, at).await.expect("leave");
    assert!(!store
        .insert_round_proposal(rel, "values", &proposal(a, 2, 30))
        .await
        .expect("ended"));
    assert!(!store
        .close_round_proposal(rel, "respect", respect.id, a, ProposalStatus::Declined, at)
        .await
        .expect("ended"));
}
