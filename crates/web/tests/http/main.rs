//! Every test that drives the real server over HTTP (the JSON API and the
//! pages), on both engines, in one test binary: one link instead of eleven.
//! (`openapi` and `logs` stay binaries of their own: a snapshot file named
//! after its module, and a process-wide log subscriber.)

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod access_log;
mod account_control;
mod accounts;
mod agreement_pages;
mod agreements;
mod checkin_pages;
mod checkins;
mod conversation_pages;
mod counselor;
mod deletion;
mod encryption;
mod ended;
mod enumeration;
mod episode_pages;
mod episodes;
mod export;
mod form_errors;
mod fuzz_bodies;
mod hardening;
mod home;
mod ledger;
mod ledger_pages;
mod lockout;
mod model;
mod nul;
mod pages;
mod passwords;
mod races;
mod reflections;
mod refresh;
mod relationships;
mod rounds;
mod sealed_api;
mod sealed_pages;
mod security;
mod visibility;
// Two-factor
mod two_factor;
