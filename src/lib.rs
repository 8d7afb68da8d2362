//! Hirecast: write a job opening once, spread it over social networks and the careers
//! site, and pull candidates back out. See docs/ARCHITECTURE.md for the map.
pub mod auth;
pub mod broadcast;
pub mod cli;
pub mod clock;
pub mod compose;
pub mod config;
pub mod demo;
pub mod scale;
pub mod domain;
pub mod fetch;
pub mod i18n;
pub mod notify;
pub mod privacy;
pub mod sourcing;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod totp;
pub mod web;
