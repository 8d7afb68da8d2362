//! Connected channel accounts. Credentials are stored sealed (see `broadcast::secret`) and
//! opened only by the code that sends; settings are plain JSON.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::channel_accounts;
use super::{new_id, write_transaction, DbConn};
use crate::broadcast::{AccountConfig, Credentials, PostSettings, SecretKey};
use crate::compose::Network;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = channel_accounts)]
pub struct AccountRow {
    pub id: String,
    pub network: String,
    pub name: String,
    pub config: String,
    pub secret: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub checked_at: Option<NaiveDateTime>,
    pub token_expires_at: Option<NaiveDateTime>,
    pub next_send_at: NaiveDateTime,
    pub min_interval_ms: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
    pub post_settings: Option<String>,
}

/// Health of an account, checked before publishing and after every send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Connected,
    /// The network refused the credentials: an admin must reconnect the account.
    ReconnectNeeded,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Connected => "connected",
            AccountStatus::ReconnectNeeded => "reconnect_needed",
        }
    }
    pub fn parse(s: &str) -> AccountStatus {
        if s == "connected" {
            AccountStatus::Connected
        } else {
            AccountStatus::ReconnectNeeded
        }
    }
}

/// An account as the app shows and uses it (without its credentials).
#[derive(Debug, Clone)]
pub struct ChannelAccount {
    pub id: String,
    pub network: Network,
    pub name: String,
    pub config: AccountConfig,
    pub status: AccountStatus,
    /// The network's words when it refused the credentials.
    pub status_reason: Option<String>,
    pub checked_at: Option<NaiveDateTime>,
    pub token_expires_at: Option<NaiveDateTime>,
    pub next_send_at: NaiveDateTime,
    pub min_interval_ms: i64,
    pub created_at: NaiveDateTime,
    pub archived: bool,
    /// How this account wants its posts written.
    pub post: PostSettings,
}

impl TryFrom<AccountRow> for ChannelAccount {
    type Error = anyhow::Error;
    fn try_from(r: AccountRow) -> anyhow::Result<Self> {
        let config: AccountConfig = serde_json::from_str(&r.config)?;
        let post = r.post_settings.as_deref().map(serde_json::from_str).transpose()?.unwrap_or_default();
        Ok(ChannelAccount {
            network: config.network(),
            id: r.id,
            name: r.name,
            config,
            status: AccountStatus::parse(&r.status),
            status_reason: r.status_reason,
            checked_at: r.checked_at,
            token_expires_at: r.token_expires_at,
            next_send_at: r.next_send_at,
            min_interval_ms: r.min_interval_ms,
            created_at: r.created_at,
            archived: r.archived_at.is_some(),
            post,
        })
    }
}

/// What connecting an account writes.
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub config: &'a AccountConfig,
    pub credentials: &'a Credentials,
    pub token_expires_at: Option<NaiveDateTime>,
    pub created_by: Option<&'a str>,
}

pub fn create(conn: &mut DbConn, key: &SecretKey, a: NewAccount<'_>) -> anyhow::Result<ChannelAccount> {
    let id = new_id();
    let now = super::now();
    let row = AccountRow {
        id: id.clone(),
        network: a.config.network().as_str().into(),
        name: a.name.into(),
        config: serde_json::to_string(a.config)?,
        secret: Some(a.credentials.to_sealed(key, &id)),
        status: AccountStatus::Connected.as_str().into(),
        status_reason: None,
        checked_at: Some(now),
        token_expires_at: a.token_expires_at,
        next_send_at: now,
        min_interval_ms: a.config.default_min_interval_ms(),
        created_by: a.created_by.map(Into::into),
        created_at: now,
        updated_at: now,
        archived_at: None,
        post_settings: None,
    };
    write_transaction(conn, |c| diesel::insert_into(channel_accounts::table).values(&row).execute(c))?;
    row.try_into()
}

/// Accounts, oldest first; archived ones only when asked.
pub fn list(conn: &mut DbConn, include_archived: bool) -> anyhow::Result<Vec<ChannelAccount>> {
    let mut q = channel_accounts::table.select(AccountRow::as_select()).order((channel_accounts::created_at.asc(), channel_accounts::id.asc())).into_boxed();
    if !include_archived {
        q = q.filter(channel_accounts::archived_at.is_null());
    }
    q.load(conn)?.into_iter().map(ChannelAccount::try_from).collect()
}

pub fn find(conn: &mut DbConn, id: &str) -> anyhow::Result<Option<ChannelAccount>> {
    channel_accounts::table.find(id).select(AccountRow::as_select()).first(conn).optional()?.map(ChannelAccount::try_from).transpose()
}

/// The account's credentials, opened with the key.
pub fn credentials(conn: &mut DbConn, key: &SecretKey, id: &str) -> anyhow::Result<Credentials> {
    let sealed: Option<String> = channel_accounts::table.find(id).select(channel_accounts::secret).first(conn)?;
    match sealed {
        Some(s) => Credentials::from_sealed(key, id, &s),
        None => Ok(Credentials::None),
    }
}

/// Writes already-sealed credentials (a token refresh).
pub fn save_secret(conn: &mut DbConn, id: &str, sealed: &str) -> QueryResult<()> {
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id))
            .set((channel_accounts::secret.eq(sealed), channel_accounts::updated_at.eq(super::now())))
            .execute(c)
            .map(|_| ())
    })
}

/// Reconnecting: new credentials and settings, status back to connected.
pub fn reconnect(
    conn: &mut DbConn,
    key: &SecretKey,
    id: &str,
    config: &AccountConfig,
    creds: &Credentials,
    token_expires_at: Option<NaiveDateTime>,
) -> anyhow::Result<()> {
    let sealed = creds.to_sealed(key, id);
    let config = serde_json::to_string(config)?;
    let now = super::now();
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id))
            .set((
                channel_accounts::secret.eq(sealed),
                channel_accounts::config.eq(config),
                channel_accounts::status.eq(AccountStatus::Connected.as_str()),
                channel_accounts::status_reason.eq(None::<String>),
                channel_accounts::checked_at.eq(Some(now)),
                channel_accounts::token_expires_at.eq(token_expires_at),
                channel_accounts::updated_at.eq(now),
            ))
            .execute(c)
    })?;
    Ok(())
}

/// Records a health check's outcome.
pub fn set_status(conn: &mut DbConn, id: &str, status: AccountStatus, reason: Option<&str>, at: NaiveDateTime) -> QueryResult<()> {
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id))
            .set((
                channel_accounts::status.eq(status.as_str()),
                channel_accounts::status_reason.eq(reason),
                channel_accounts::checked_at.eq(Some(at)),
                channel_accounts::updated_at.eq(super::now()),
            ))
            .execute(c)
            .map(|_| ())
    })
}

/// Marks a connected account "reconnect needed"; true only for the caller that changed it
/// (so the admins are told once, however many workers met the refusal).
pub fn mark_reconnect_needed(conn: &mut DbConn, id: &str, reason: &str, at: NaiveDateTime) -> QueryResult<bool> {
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id).filter(channel_accounts::status.eq(AccountStatus::Connected.as_str())))
            .set((
                channel_accounts::status.eq(AccountStatus::ReconnectNeeded.as_str()),
                channel_accounts::status_reason.eq(Some(reason)),
                channel_accounts::checked_at.eq(Some(at)),
                channel_accounts::updated_at.eq(super::now()),
            ))
            .execute(c)
            .map(|n| n == 1)
    })
}

/// Updates the non-secret settings (e.g. limits read from a Mastodon instance).
pub fn save_config(conn: &mut DbConn, id: &str, config: &AccountConfig) -> anyhow::Result<()> {
    let json = serde_json::to_string(config)?;
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id))
            .set((channel_accounts::config.eq(json), channel_accounts::updated_at.eq(super::now())))
            .execute(c)
    })?;
    Ok(())
}

/// Saves how the account wants its posts written (checked by `PostSettings::parse`).
pub fn save_post_settings(conn: &mut DbConn, id: &str, post: &PostSettings) -> anyhow::Result<()> {
    let json = serde_json::to_string(post)?;
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id))
            .set((channel_accounts::post_settings.eq(json), channel_accounts::updated_at.eq(super::now())))
            .execute(c)
    })?;
    Ok(())
}

/// Nothing is sent through an account after no send may start before `at` (a 429's reset).
pub fn pause_until(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id).filter(channel_accounts::next_send_at.lt(at)))
            .set(channel_accounts::next_send_at.eq(at))
            .execute(c)
            .map(|_| ())
    })
}

/// Sets the minimum time between two sends (the per-account budget).
pub fn set_min_interval(conn: &mut DbConn, id: &str, ms: i64) -> QueryResult<()> {
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id)).set(channel_accounts::min_interval_ms.eq(ms)).execute(c).map(|_| ())
    })
}

/// Archives (disconnects) an account: its credentials are erased; its history stays.
pub fn archive(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    write_transaction(conn, |c| {
        diesel::update(channel_accounts::table.find(id).filter(channel_accounts::archived_at.is_null()))
            .set((channel_accounts::archived_at.eq(Some(super::now())), channel_accounts::secret.eq(None::<String>)))
            .execute(c)
            .map(|n| n > 0)
    })
}
