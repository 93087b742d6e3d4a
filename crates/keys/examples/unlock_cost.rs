//! What a signed-in request pays to open its keys (issue 14's cost note):
//! `cargo run --release -p keys --example unlock_cost`.

use std::time::Instant;

use keys::{AccountKeys, SessionSecret};

fn main() {
    let keys = AccountKeys::generate();
    let credential = "a-session-id-of-43-characters-xxxxxxxxxxxxx";
    let locked = SessionSecret::of_credential(credential)
        .expect("derive")
        .lock(&keys, "row");
    let rounds = 2_000;
    let start = Instant::now();
    for _ in 0..rounds {
        let secret = SessionSecret::of_credential(credential).expect("derive");
        std::hint::black_box(secret.unlock(&locked, "row").expect("open"));
    }
    let derive_and_open = start.elapsed() / rounds;
    let secret = SessionSecret::of_credential(credential).expect("derive");
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(secret.unlock(&locked, "row").expect("open"));
    }
    let open_only = start.elapsed() / rounds;
    println!("derive + open: {derive_and_open:?} per request; open alone: {open_only:?}");
}
