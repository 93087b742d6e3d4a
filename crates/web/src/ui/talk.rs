//! `/talk`: the places where the two of you talk things through, gathered
//! under one item of the navigation, each with a sentence on what it is for.
//! The page shows nothing of either person's words, so it needs no space:
//! each place says for itself when it opens.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::accounts::AccountKind;

use super::{icons, render, signed_in};
use crate::state::AppState;

struct Way {
    href: &'static str,
    name: &'static str,
    what: &'static str,
    icon: &'static str,
}

/// Our own sentences, one for each place.
const WAYS: [Way; 5] = [
    Way {
        href: "/values",
        name: "What matters to us",
        what: "Say how much each of a few shared values matters to you, then see both answers side by side.",
        icon: icons::VALUES,
    },
    Way {
        href: "/respect",
        name: "Respect map",
        what: "How respected each of you feels, area by area, so you can see where you meet and where you don't yet.",
        icon: icons::RESPECT,
    },
    Way {
        href: "/conversations",
        name: "Conversations",
        what: "A handful of prompts to answer on your own and then talk through together.",
        icon: icons::TALK,
    },
    Way {
        href: "/episodes",
        name: "Episodes",
        what: "After a hard moment, write down what happened turn by turn, and find your way back to each other.",
        icon: icons::EPISODES,
    },
    Way {
        href: "/counselor",
        name: "Counselor",
        what: "Invite a counselor and choose together what they may see.",
        icon: icons::COUNSELOR,
    },
];

#[derive(Template)]
#[template(path = "talk.html")]
struct TalkPage<'a> {
    exit_url: &'a str,
    ways: &'a [Way],
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return redirect,
    };
    // A counselor has no space of their own: their side is their clients.
    if who.account.kind == AccountKind::Counselor {
        return Redirect::to("/clients").into_response();
    }
    render(
        StatusCode::OK,
        &TalkPage {
            exit_url: &state.config.exit_url,
            ways: &WAYS,
        },
    )
}
