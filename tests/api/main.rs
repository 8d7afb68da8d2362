//! The one integration-test binary. Each module covers one area; most tests run on
//! both SQLite and PostgreSQL (see `on_both_backends!`).
mod helpers;

mod access;
mod analytics;
mod api;
mod bluesky;
mod broadcast_flow;
mod broadcast_ui;
mod cli;
mod compose;
mod crash;
mod email;
mod fetch;
mod health;
mod links;
mod logs;
mod mastodon;
mod outbox;
mod preview;
mod privacy;
mod public;
mod review;
mod scale;
mod security;
mod sourcing;
mod store;
mod ui;
mod webhooks;
mod worker;
mod x_linkedin;
