//! Conversions between domain values and their stored form.

use chrono::{DateTime, Utc};
use domain::store::StoreError;

pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Backend(format!("stored time out of range: {ms}")))
}

pub fn uuid(text: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(text).map_err(|_| StoreError::Backend("stored id is not a UUID".into()))
}

/// Maps a driver error: unique violations become `Conflict(rule)`, the rest `Backend`.
pub fn db_error(rule: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(rule),
        _ => backend(err),
    }
}

/// A refused respect-area insert: the name is taken, or a concurrent insert
/// took the same slot (told apart by the index that refused it).
pub fn area_error(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let on_slot = db.constraint().is_some_and(|c| c.contains("slot"))
                || db.message().contains("slot");
            StoreError::Conflict(if on_slot { "area_slot" } else { "area_name" })
        }
        _ => backend(err),
    }
}

pub fn backend(err: sqlx::Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

pub fn role(text: &str) -> Result<domain::relationship::MemberRole, StoreError> {
    domain::relationship::MemberRole::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown role {text}")))
}

pub fn status(text: &str) -> Result<domain::relationship::RelationshipStatus, StoreError> {
    domain::relationship::RelationshipStatus::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown status {text}")))
}

/// The columns of a contribution, in the order the queries select them.
pub type ContributionRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i32,
    i32,
    Option<i32>,
    i64,
    Option<i32>,
    Option<String>,
    Option<i64>,
);

pub fn contribution(row: ContributionRow) -> Result<domain::store::ContributionRecord, StoreError> {
    let (
        id,
        giver,
        receiver,
        logged_by,
        domain,
        description,
        day,
        effort,
        minutes,
        created_at,
        value,
        note,
        acked,
    ) = row;
    Ok(domain::store::ContributionRecord {
        id: uuid(&id)?,
        giver: domain::AccountId(uuid(&giver)?),
        receiver: domain::AccountId(uuid(&receiver)?),
        logged_by: domain::AccountId(uuid(&logged_by)?),
        domain: ledger_domain(&domain)?,
        description,
        day,
        effort: small(effort)?,
        minutes: minutes
            .map(|m| u32::try_from(m).map_err(|_| StoreError::Backend("negative minutes".into())))
            .transpose()?,
        created_at: time(created_at)?,
        value: value.map(small).transpose()?,
        thanks_note: note,
        acknowledged_at: acked.map(time).transpose()?,
    })
}

pub fn ledger_domain(text: &str) -> Result<domain::ledger::Domain, StoreError> {
    domain::ledger::Domain::parse(text)
        .map_err(|_| StoreError::Backend(format!("unknown domain {text}")))
}

/// A stored 1–5 rating.
pub fn small(v: i32) -> Result<u8, StoreError> {
    u8::try_from(v).map_err(|_| StoreError::Backend(format!("rating out of range: {v}")))
}

/// Session times, account columns, then one membership (or NULLs).
pub type PrincipalRow = (
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

pub fn principal(rows: Vec<PrincipalRow>) -> Result<Option<domain::store::Principal>, StoreError> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (created, seen, id, email, display_name, password_hash, account_created, ..) =
        first.clone();
    let session = match (created, seen) {
        (Some(created), Some(seen)) => Some(domain::store::Session {
            account_id: domain::AccountId(uuid(&id)?),
            created_at: time(created)?,
            last_seen_at: time(seen)?,
        }),
        _ => None,
    };
    let account = domain::store::Account {
        id: domain::AccountId(uuid(&id)?),
        email,
        display_name,
        password_hash,
        created_at: time(account_created)?,
    };
    let memberships = rows
        .into_iter()
        .filter_map(|row| match (row.7, row.8, row.9, row.10) {
            (Some(rel), Some(role_text), Some(status_text), Some(joined)) => {
                Some((rel, role_text, status_text, joined))
            }
            _ => None,
        })
        .map(|(rel, role_text, status_text, joined)| {
            Ok(domain::store::Membership {
                relationship_id: domain::RelationshipId(uuid(&rel)?),
                role: role(&role_text)?,
                status: status(&status_text)?,
                joined_at: time(joined)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(domain::store::Principal {
        account,
        session,
        memberships,
    }))
}

/// Parses the packed window of `ledger_entries`: records separated by
/// commas, fields by spaces: giver (0/1), domain name, day, effort, value
/// (0 while unacknowledged).
pub fn packed_entries(packed: &str) -> Result<Vec<domain::ledger::Entry>, StoreError> {
    let bad = || StoreError::Backend("malformed packed ledger row".into());
    let number = |field: Option<&str>| -> Result<i64, StoreError> {
        field.and_then(|f| f.parse().ok()).ok_or_else(bad)
    };
    packed
        .split(',')
        .filter(|record| !record.is_empty())
        .map(|record| {
            let mut fields = record.split(' ');
            let giver = number(fields.next())?;
            let domain = ledger_domain(fields.next().ok_or_else(bad)?)?;
            let day = i32::try_from(number(fields.next())?).map_err(|_| bad())?;
            let effort = u8::try_from(number(fields.next())?).map_err(|_| bad())?;
            let value = u8::try_from(number(fields.next())?).map_err(|_| bad())?;
            Ok(domain::ledger::Entry {
                giver: usize::from(giver != 0),
                domain: domain.index(),
                day,
                effort,
                value: (value != 0).then_some(value),
            })
        })
        .collect()
}

/// A round number as stored (an `INTEGER` on both engines).
pub fn round_number(number: u32) -> Result<i32, StoreError> {
    i32::try_from(number)
        .map_err(|_| StoreError::Backend(format!("round number out of range: {number}")))
}

/// One side of a round, with its round's columns: number, started_at,
/// account, answers, submitted_at.
pub type SideRow = (i32, i64, String, Option<String>, Option<i64>);

/// Rebuilds rounds from their sides, read ordered by round number then
/// position; every round must have exactly its two sides.
pub fn sealed_rounds(
    rows: Vec<SideRow>,
) -> Result<Vec<domain::sealed::RoundRecord<String>>, StoreError> {
    let side = |(_, _, account, answers, submitted_at): SideRow| {
        Ok(domain::sealed::SideRecord {
            account: domain::AccountId(uuid(&account)?),
            answers,
            submitted_at: submitted_at.map(time).transpose()?,
        })
    };
    let mut rows = rows.into_iter().peekable();
    let mut rounds = Vec::new();
    while let Some(first) = rows.next() {
        let (number, started_at) = (first.0, first.1);
        let second = rows
            .next_if(|row| row.0 == number)
            .ok_or_else(|| StoreError::Backend(format!("round {number} has one side")))?;
        if rows.peek().is_some_and(|row| row.0 == number) {
            return Err(StoreError::Backend(format!(
                "round {number} has more than two sides"
            )));
        }
        rounds.push(domain::sealed::RoundRecord {
            number: u32::try_from(number)
                .map_err(|_| StoreError::Backend(format!("stored round number {number}")))?,
            started_at: time(started_at)?,
            sides: [side(first)?, side(second)?],
        });
    }
    Ok(rounds)
}

/// A round without its answers: number, started_at, then per side (in
/// position order) account, whether it holds answers (0 or 1), submitted_at.
pub type OutlineRow = (i32, i64, String, i32, Option<i64>, String, i32, Option<i64>);

pub fn outline(
    (number, started_at, a, a_has, a_at, b, b_has, b_at): OutlineRow,
) -> Result<domain::sealed::RoundRecord<()>, StoreError> {
    let side = |account: String, has: i32, at: Option<i64>| {
        Ok::<_, StoreError>(domain::sealed::SideRecord {
            account: domain::AccountId(uuid(&account)?),
            answers: (has != 0).then_some(()),
            submitted_at: at.map(time).transpose()?,
        })
    };
    Ok(domain::sealed::RoundRecord {
        number: u32::try_from(number)
            .map_err(|_| StoreError::Backend(format!("stored round number {number}")))?,
        started_at: time(started_at)?,
        sides: [side(a, a_has, a_at)?, side(b, b_has, b_at)?],
    })
}

/// id, name, created_by, created_at.
pub type AreaRow = (String, String, String, i64);

pub fn custom_area(
    (id, name, created_by, created_at): AreaRow,
) -> Result<domain::store::CustomArea, StoreError> {
    Ok(domain::store::CustomArea {
        id: uuid(&id)?,
        name,
        created_by: domain::AccountId(uuid(&created_by)?),
        created_at: time(created_at)?,
    })
}

/// id, author, text, agreement_idea, created_at.
pub type NoteRow = (String, String, String, bool, i64);

pub fn conversation_note(
    (id, author, text, agreement_idea, created_at): NoteRow,
) -> Result<domain::store::ConversationNote, StoreError> {
    Ok(domain::store::ConversationNote {
        id: uuid(&id)?,
        author: domain::AccountId(uuid(&author)?),
        text,
        agreement_idea,
        created_at: time(created_at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::{packed_entries, sealed_rounds};

    #[test]
    fn packed_rows_parse_and_garbage_is_refused() {
        let entries =
            packed_entries("0 planning 20000 3 4,1 household_labor 20001 5 0").expect("parse");
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (
                entries[0].giver,
                entries[0].day,
                entries[0].effort,
                entries[0].value
            ),
            (0, 20000, 3, Some(4))
        );
        assert_eq!((entries[1].giver, entries[1].value), (1, None));
        assert!(packed_entries("").expect("empty").is_empty());
        assert!(packed_entries("0 nowhere 1 1 1").is_err());
        assert!(packed_entries("0 planning x 1 1").is_err());
    }

    #[test]
    fn a_round_needs_exactly_two_sides() {
        let side = |number: i32, account: &str| (number, 0_i64, account.to_owned(), None, None);
        let a = "00000000-0000-4000-8000-00000000000a";
        let b = "00000000-0000-4000-8000-00000000000b";
        let rounds = sealed_rounds(vec![side(1, a), side(1, b), side(2, b), side(2, a)])
            .expect("two rounds");
        assert_eq!(rounds.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(rounds[1].sides[0].account.to_string(), b);
        assert!(sealed_rounds(Vec::new()).expect("none").is_empty());
        assert!(sealed_rounds(vec![side(1, a), side(2, a), side(2, b)]).is_err());
        assert!(sealed_rounds(vec![side(1, a), side(1, b), side(1, a)]).is_err());
    }
}
