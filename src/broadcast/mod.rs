//! The broadcast engine: connected channel accounts, the durable outbox and its workers, and
//! one client per network. Publishing writes deliveries (`store::deliveries`) in the same
//! transaction as the opening's status change; workers (`worker`) claim them, send them
//! through a [`Channel`], and never send twice: a delivery whose outcome is unknown becomes
//! "unconfirmed" and is reconciled by reading the account's posts for its marker first.
use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::compose::{Network, Post};
use crate::domain::opening::Opening;

pub mod account;
pub mod bluesky;
pub mod connect;
pub mod email_list;
pub mod http;
pub mod linkedin;
pub mod mastodon;
pub mod rate;
pub mod secret;
pub mod webhook;
pub mod worker;
pub mod x;

pub use account::{AccountConfig, Credentials, CredentialsHandle, PostSettings, WebhookFlavour};
pub use secret::SecretKey;

/// A boxed future, for the object-safe [`Channel`] trait.
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a delivery does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// The opening's post (or thread).
    Post,
    /// The same opening posted again N days later, with a varied text.
    Repost,
    /// "Position filled", as a reply under the original post.
    FilledReply,
    /// Removes the original post.
    Delete,
}

impl DeliveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Post => "post",
            DeliveryKind::Repost => "repost",
            DeliveryKind::FilledReply => "filled_reply",
            DeliveryKind::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DeliveryKind::Post, DeliveryKind::Repost, DeliveryKind::FilledReply, DeliveryKind::Delete]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Due later (a chosen time, a re-post, a retry after a rate limit or an error).
    Scheduled,
    /// Due now, waiting for a worker.
    Queued,
    /// A worker holds it (until its lease ends) and may have sent it.
    Sending,
    Published,
    /// The outcome of a send is unknown; the account's posts are read before any new send.
    Unconfirmed,
    /// Refused by the network, or out of attempts; `last_error` says why.
    Failed,
    /// The opening was closed or the recruiter cancelled it before it was sent.
    Cancelled,
}

impl DeliveryState {
    pub const ALL: &'static [DeliveryState] = &[
        DeliveryState::Scheduled,
        DeliveryState::Queued,
        DeliveryState::Sending,
        DeliveryState::Published,
        DeliveryState::Unconfirmed,
        DeliveryState::Failed,
        DeliveryState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Scheduled => "scheduled",
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Published => "published",
            DeliveryState::Unconfirmed => "unconfirmed",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// Nothing more will happen to it without a person.
    pub fn is_final(self) -> bool {
        matches!(self, DeliveryState::Published | DeliveryState::Failed | DeliveryState::Cancelled)
    }
}

/// A post as it exists on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RemotePost {
    /// The first post's id (status id, AT URI, tweet id, post URN, message id).
    pub id: String,
    /// Its public address, when the network has one.
    pub url: Option<String>,
    /// Every post's id, first to last (a thread has several).
    pub ids: Vec<String>,
}

/// Why a send did not succeed, as the worker needs to know it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Nothing was posted (connection refused, 5xx, 429): try again, not before `at` if given.
    #[error("{reason}")]
    Retry { reason: String, at: Option<NaiveDateTime> },
    /// The request may have reached the network (timeout, connection lost after sending):
    /// the delivery becomes unconfirmed and is reconciled before anything is sent again.
    #[error("{reason}")]
    Unknown { reason: String },
    /// The network refused the post (4xx other than 401/403/429): sending it again would not help.
    #[error("{reason}")]
    Rejected { status: Option<u16>, reason: String },
    /// The account's credentials no longer work (revoked, expired): an admin must reconnect it.
    #[error("{reason}")]
    Reconnect { reason: String },
    /// The network cannot be read back (webhooks, email): reconciliation is impossible.
    #[error("this channel cannot be read back")]
    Unsupported,
}

impl SendError {
    pub fn reason(&self) -> String {
        self.to_string()
    }
}

/// One delivery, as a channel client needs it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: String,
    pub kind: DeliveryKind,
    /// Sent where the network supports one (Mastodon `Idempotency-Key`, the generic webhook's
    /// `X-Hirecast-Delivery`). The same on every attempt of a delivery.
    pub idempotency_key: String,
    /// The post, or the posts of a thread (each replying to the previous one).
    pub posts: Vec<Post>,
    /// What identifies this delivery's post when reading the account back: its tracked link
    /// (the full short URL, e.g. `https://jobs.example.org/r/ab12cd34`).
    pub marker: String,
    /// No post older than this can be this delivery's (the first attempt's start, minus a margin).
    pub since: NaiveDateTime,
    /// For `FilledReply` and `Delete`: the original post.
    pub parent: Option<RemotePost>,
    /// The opening, for channels that send more than text (email lists, the generic webhook).
    pub opening: Opening,
    /// The opening's public page (with no tracking), for channels that link it separately.
    pub job_url: String,
}

/// A network client bound to one account. Object-safe so the worker can hold any of them.
pub trait Channel: Send + Sync {
    /// Sends the delivery: creates the post (or thread, reply), or deletes the parent for `Delete`.
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>>;

    /// Reads the account's own recent posts for one carrying `out.marker` created since
    /// `out.since`. `Ok(None)` means it was certainly not posted. `Err(SendError::Unsupported)`
    /// when the network cannot be read back.
    fn find<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>>;

    /// Checks that the credentials still work (and refreshes them if needed).
    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>>;

    /// The account's settings as the network describes them now, when they differ from
    /// `current` (a Mastodon instance's limits); None when nothing changed or there is nothing
    /// to read. Called by the health checks after a successful [`Channel::check`].
    fn refreshed_config<'a>(&'a self, current: &'a AccountConfig) -> BoxFut<'a, Result<Option<AccountConfig>, SendError>> {
        let _ = current;
        Box::pin(async { Ok(None) })
    }
}

/// The network a channel account posts to, as stored in `channel_accounts.network`.
pub fn network_of(config: &AccountConfig) -> Network {
    config.network()
}

/// What a channel client is built with: shared, cheap to clone.
#[derive(Clone)]
pub struct ChannelContext {
    pub pool: crate::store::Pool,
    pub settings: crate::config::Settings,
    /// Built with [`http::client`] and the send timeout.
    pub http: reqwest::Client,
    pub clock: crate::clock::Clock,
    pub key: SecretKey,
}

impl ChannelContext {
    pub fn new(pool: crate::store::Pool, settings: crate::config::Settings, clock: crate::clock::Clock, key: SecretKey) -> Self {
        let http = http::client(std::time::Duration::from_secs(settings.broadcast.send_timeout_secs));
        Self { pool, settings, http, clock, key }
    }

    /// The public address of a path on this service.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url, path)
    }
}

/// The client for an account, with its credentials.
pub fn open_channel(
    account: &crate::store::channels::ChannelAccount,
    creds: CredentialsHandle,
    ctx: &ChannelContext,
) -> Box<dyn Channel> {
    match &account.config {
        AccountConfig::Mastodon { .. } => Box::new(mastodon::MastodonChannel::new(account, creds, ctx)),
        AccountConfig::Bluesky { .. } => Box::new(bluesky::BlueskyChannel::new(account, creds, ctx)),
        AccountConfig::X { .. } => Box::new(x::XChannel::new(account, creds, ctx)),
        AccountConfig::LinkedIn { .. } => Box::new(linkedin::LinkedInChannel::new(account, creds, ctx)),
        AccountConfig::Webhook { .. } => Box::new(webhook::WebhookChannel::new(account, creds, ctx)),
        AccountConfig::Email { .. } => Box::new(email_list::EmailListChannel::new(account, creds, ctx)),
    }
}

/// The channels an opening's preview shows: each connected account of the social networks,
/// with its own limits and post settings, and the network's defaults where none is
/// connected; the organization's templates fill in where an account has none.
pub fn preview_channels(conn: &mut crate::store::DbConn, lang: crate::i18n::Lang) -> anyhow::Result<Vec<(Option<crate::store::channels::ChannelAccount>, crate::compose::ChannelProfile)>> {
    let accounts = crate::store::channels::list(conn, false)?;
    let mut out = Vec::new();
    for &network in crate::compose::PREVIEW_NETWORKS {
        let mine: Vec<_> = accounts.iter().filter(|a| a.network == network).collect();
        if mine.is_empty() {
            out.push((None, crate::compose::ChannelProfile::new(network, lang)));
        }
        for a in mine {
            out.push((Some(a.clone()), worker::profile_for(a, lang)));
        }
    }
    let mut profiles: Vec<_> = out.iter().map(|(_, p)| p.clone()).collect();
    crate::store::post_templates::apply(conn, &mut profiles)?;
    for ((_, p), filled) in out.iter_mut().zip(profiles) {
        *p = filled;
    }
    Ok(out)
}
