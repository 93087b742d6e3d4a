//! Fixed sequences replayed through the same model and checks: the story
//! every run should reach (so a generator that stopped reaching it would
//! not hide it), and each real counterexample H3 found, by name.

use super::reference::{Action, Instrument, Model, Step};
use super::{baselines, one_case, unthrottled, Totals};
use crate::common::{DbEngine, TestApp};

fn s(actor: usize, action: Action) -> Step {
    Step { actor, action }
}

/// Replays `steps` on a fresh server; panics with the first difference.
async fn replay(engine: DbEngine, steps: Vec<Step>) {
    let Some(app) = TestApp::spawn_with(engine, unthrottled()).await else {
        return;
    };
    let baselines = baselines(&app).await;
    let mut totals = Totals::default();
    if let Err(difference) =
        one_case(&app, &baselines, Model::default(), steps, None, &mut totals).await
    {
        panic!("{difference}");
    }
    assert!(totals.checks > 0, "no check ran");
}

/// Drafts stay the author's, the reveal shows both, notes are shared, and
/// after a leave each keeps only their own words while a new partner starts
/// from nothing.
async fn a_couple_reveals_leaves_and_one_starts_again(engine: DbEngine) {
    let talk = Instrument::Talk;
    let values = Instrument::Values;
    replay(
        engine,
        vec![
            s(0, Action::Create),
            s(1, Action::Join { pick: 0 }),
            s(
                0,
                Action::Save {
                    instrument: talk,
                    level: 2,
                },
            ),
            s(
                1,
                Action::Save {
                    instrument: talk,
                    level: 4,
                },
            ),
            s(0, Action::Submit { instrument: talk }),
            s(1, Action::Submit { instrument: talk }),
            s(1, Action::Note),
            s(
                0,
                Action::Save {
                    instrument: values,
                    level: 3,
                },
            ),
            s(
                0,
                Action::Log {
                    for_partner: false,
                    effort: 3,
                },
            ),
            s(
                1,
                Action::Thank {
                    pick: 0,
                    value: 4,
                    note: true,
                },
            ),
            s(
                1,
                Action::Log {
                    for_partner: true,
                    effort: 2,
                },
            ),
            s(0, Action::Leave),
            s(1, Action::Withdraw { pick: 1 }),
            s(2, Action::Create),
            s(1, Action::Join { pick: 1 }),
            s(
                2,
                Action::Save {
                    instrument: talk,
                    level: 1,
                },
            ),
        ],
    )
    .await;
}

/// Tokens read as their owner while signed out, and fail once revoked.
async fn a_token_reads_as_its_owner_until_revoked(engine: DbEngine) {
    replay(
        engine,
        vec![
            s(0, Action::Create),
            s(1, Action::Join { pick: 0 }),
            s(0, Action::NewToken),
            s(0, Action::SignOut),
            s(
                1,
                Action::Log {
                    for_partner: false,
                    effort: 2,
                },
            ),
            s(0, Action::SignIn),
            s(0, Action::RevokeToken),
            s(0, Action::SignOut),
        ],
    )
    .await;
}

on_both_engines!(
    a_couple_reveals_leaves_and_one_starts_again,
    a_token_reads_as_its_owner_until_revoked,
);
