//! The one integration-test binary. Each module covers one area; most tests run on
//! both SQLite and PostgreSQL (see `on_both_backends!`).
mod helpers;

mod api;
mod bluesky;
mod cli;
mod compose;
mod email;
mod health;
mod links;
mod preview;
mod public;
mod store;
mod ui;
