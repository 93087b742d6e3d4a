//! SECURITY.md §3 harnesses H1 and H2 over the real server, on both engines:
//! the authorization matrix generated from the route table (`matrix.rs`,
//! driven by `matrix.toml`) and the canary leak scanner (`leaks.rs`). Both
//! plant `MARKER-<field>-<uuid>` strings in every personal text field through
//! the same scripted cast and worlds (`world.rs`).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod leaks;
mod matrix;
mod world;
