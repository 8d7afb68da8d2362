//! Every column sealed with the secret key (`SecretKey::seal`), and re-sealing them all under
//! a new key in one transaction (`hirecast rotate-key`). A sealed value is bound to its row by
//! the context given to `seal`: the column list below says which one.
use diesel::prelude::*;

use super::schema::{alert_subscribers, channel_accounts, oauth_flows, user_totp};
use super::{write_transaction, DbConn};
use crate::broadcast::SecretKey;

#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("the current key does not open the sealed {what} (row {row}): it is not the key these secrets were sealed with")]
    WrongKey { what: &'static str, row: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for RotateError {
    fn from(e: diesel::result::Error) -> Self {
        RotateError::Unexpected(e.into())
    }
}

/// How many values of each kind were re-sealed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub channel_credentials: usize,
    pub oauth_flows: usize,
    pub unsubscribe_tokens: usize,
    pub totp_secrets: usize,
}

impl Rotated {
    pub fn total(&self) -> usize {
        self.channel_credentials + self.oauth_flows + self.unsubscribe_tokens + self.totp_secrets
    }
}

fn reseal(old: &SecretKey, new: &SecretKey, what: &'static str, context: &str, sealed: &str) -> Result<String, RotateError> {
    let plain = old.open(context, sealed).map_err(|_| RotateError::WrongKey { what, row: context.to_string() })?;
    Ok(new.seal(context, &plain))
}

/// Opens every sealed value with `old` and seals it again with `new`, all in one transaction:
/// one value that `old` cannot open and nothing is changed.
pub fn rotate(conn: &mut DbConn, old: &SecretKey, new: &SecretKey) -> Result<Rotated, RotateError> {
    write_transaction(conn, |c| {
        let mut n = Rotated::default();
        let rows: Vec<(String, Option<String>)> = channel_accounts::table.select((channel_accounts::id, channel_accounts::secret)).load(c)?;
        for (id, sealed) in rows {
            let Some(sealed) = sealed else { continue };
            let again = reseal(old, new, "channel credentials", &id, &sealed)?;
            diesel::update(channel_accounts::table.find(&id)).set(channel_accounts::secret.eq(Some(again))).execute(c)?;
            n.channel_credentials += 1;
        }
        let rows: Vec<(String, String)> = oauth_flows::table.select((oauth_flows::state_hash, oauth_flows::secret)).load(c)?;
        for (hash, sealed) in rows {
            let again = reseal(old, new, "OAuth flow", &hash, &sealed)?;
            diesel::update(oauth_flows::table.find(&hash)).set(oauth_flows::secret.eq(again)).execute(c)?;
            n.oauth_flows += 1;
        }
        let rows: Vec<(String, String)> = alert_subscribers::table.select((alert_subscribers::id, alert_subscribers::unsubscribe_sealed)).load(c)?;
        for (id, sealed) in rows {
            let again = reseal(old, new, "unsubscribe token", &id, &sealed)?;
            diesel::update(alert_subscribers::table.find(&id)).set(alert_subscribers::unsubscribe_sealed.eq(again)).execute(c)?;
            n.unsubscribe_tokens += 1;
        }
        let rows: Vec<(String, String)> = user_totp::table.select((user_totp::user_id, user_totp::secret_sealed)).load(c)?;
        for (id, sealed) in rows {
            let again = reseal(old, new, "TOTP secret", &id, &sealed)?;
            diesel::update(user_totp::table.find(&id)).set(user_totp::secret_sealed.eq(again)).execute(c)?;
            n.totp_secrets += 1;
        }
        Ok(n)
    })
}
