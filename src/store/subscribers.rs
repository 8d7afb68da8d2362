//! Job-alert subscribers (double opt-in) and the per-recipient record of what each email-list
//! delivery sent. Tokens are stored hashed; the unsubscribe token is also kept sealed with the
//! service key so that every alert can carry it.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{alert_sends, alert_subscribers};
use super::{is_unique_violation, new_id, write_transaction, DbConn};
use crate::auth::{hash_token, new_token};
use crate::broadcast::SecretKey;
use crate::domain::email::Email;
use crate::domain::opening::Opening;
use crate::i18n::Lang;

/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 48;
/// A new confirmation (or "already subscribed") mail is not sent to the same address more
/// often than this: subscribing someone else in a loop cannot flood their mailbox.
pub const RESEND_AFTER_SECS: i64 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriberState {
    Pending,
    Confirmed,
}

impl SubscriberState {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberState::Pending => "pending",
            SubscriberState::Confirmed => "confirmed",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = alert_subscribers)]
struct Row {
    id: String,
    email: String,
    language: String,
    location: Option<String>,
    skills: String,
    state: String,
    confirm_hash: Option<String>,
    confirm_expires_at: Option<NaiveDateTime>,
    confirm_sent_at: Option<NaiveDateTime>,
    unsubscribe_hash: String,
    unsubscribe_sealed: String,
    consent_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    unsubscribed_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A subscriber as the email-list channel uses it.
#[derive(Clone)]
pub struct Subscriber {
    pub id: String,
    pub email: String,
    pub language: Lang,
    pub location: Option<String>,
    pub skills: Vec<String>,
    pub confirmed: bool,
    unsubscribe_sealed: String,
}

impl std::fmt::Debug for Subscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The address is personal data: never in a log line.
        f.debug_struct("Subscriber").field("id", &self.id).field("confirmed", &self.confirmed).finish_non_exhaustive()
    }
}

impl Subscriber {
    fn from_row(r: Row) -> Self {
        Subscriber {
            id: r.id,
            email: r.email,
            language: Lang::parse(&r.language).unwrap_or_default(),
            location: r.location,
            skills: serde_json::from_str(&r.skills).unwrap_or_default(),
            confirmed: r.state == SubscriberState::Confirmed.as_str(),
            unsubscribe_sealed: r.unsubscribe_sealed,
        }
    }

    /// The token of this subscriber's unsubscribe link.
    pub fn unsubscribe_token(&self, key: &SecretKey) -> anyhow::Result<String> {
        let plain = key.open(&self.id, &self.unsubscribe_sealed)?;
        Ok(String::from_utf8(plain)?)
    }

    /// Whether an opening is for this subscriber: its language, and its filters when set
    /// (location: the city or the country, any case; skills: any one of the opening's
    /// required or nice-to-have skills, any case).
    pub fn wants(&self, o: &Opening) -> bool {
        let d = &o.draft;
        if Lang::from(d.language) != self.language {
            return false;
        }
        if let Some(loc) = self.location.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            let city = d.city.as_deref().is_some_and(|c| c.trim().to_lowercase() == loc.to_lowercase());
            let country = d.country.trim().to_lowercase() == loc.to_lowercase();
            if !city && !country {
                return false;
            }
        }
        if !self.skills.is_empty() {
            let has = |s: &String| {
                d.required_skills.iter().chain(d.nice_skills.iter()).any(|k| k.trim().to_lowercase() == s.trim().to_lowercase())
            };
            if !self.skills.iter().any(has) {
                return false;
            }
        }
        true
    }
}

/// A subscription request, validated.
pub struct NewSubscription<'a> {
    pub email: &'a Email,
    pub language: Lang,
    pub location: Option<&'a str>,
    pub skills: &'a [String],
    pub at: NaiveDateTime,
}

/// What subscribing did. The visitor sees the same answer in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscribed {
    /// New or still pending (or unsubscribed before): send this confirmation token.
    ConfirmationNeeded { id: String, confirm_token: String },
    /// Already confirmed: nothing changed; tell the address so (with its unsubscribe token).
    AlreadyConfirmed { id: String, unsubscribe_token: String },
    /// A mail went to this address moments ago: send nothing now.
    TooSoon { id: String },
}

fn new_unsubscribe(key: &SecretKey, id: &str) -> (String, String, String) {
    let token = new_token();
    let sealed = key.seal(id, token.as_bytes());
    (hash_token(&token), sealed, token)
}

/// Records a subscription request (pending until confirmed). Never creates a second row for
/// an address.
pub fn subscribe(conn: &mut DbConn, key: &SecretKey, new: NewSubscription<'_>) -> anyhow::Result<Subscribed> {
    let skills = serde_json::to_string(new.skills)?;
    let location = new.location.map(str::trim).filter(|l| !l.is_empty()).map(str::to_string);
    let at = new.at;
    for _ in 0..2 {
        let existing: Option<Row> = alert_subscribers::table
            .filter(alert_subscribers::email.eq(new.email.as_str()))
            .select(Row::as_select())
            .first(conn)
            .optional()?;
        let Some(row) = existing else {
            let id = new_id();
            let (unsub_hash, unsub_sealed, _) = new_unsubscribe(key, &id);
            let confirm_token = new_token();
            let row = Row {
                id: id.clone(),
                email: new.email.as_str().into(),
                language: new.language.code().into(),
                location: location.clone(),
                skills: skills.clone(),
                state: SubscriberState::Pending.as_str().into(),
                confirm_hash: Some(hash_token(&confirm_token)),
                confirm_expires_at: Some(at + Duration::hours(CONFIRM_HOURS)),
                confirm_sent_at: Some(at),
                unsubscribe_hash: unsub_hash,
                unsubscribe_sealed: unsub_sealed,
                consent_at: at,
                confirmed_at: None,
                unsubscribed_at: None,
                created_at: at,
                updated_at: at,
            };
            match write_transaction(conn, |c| diesel::insert_into(alert_subscribers::table).values(&row).execute(c)) {
                Ok(_) => return Ok(Subscribed::ConfirmationNeeded { id, confirm_token }),
                // The same address subscribed at the same moment: treat it as existing.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let recent = row.confirm_sent_at.is_some_and(|s| at < s + Duration::seconds(RESEND_AFTER_SECS));
        if recent {
            return Ok(Subscribed::TooSoon { id: row.id });
        }
        if row.state == SubscriberState::Confirmed.as_str() {
            let sub = Subscriber::from_row(row.clone());
            let unsubscribe_token = sub.unsubscribe_token(key)?;
            write_transaction(conn, |c| {
                diesel::update(alert_subscribers::table.find(&row.id)).set(alert_subscribers::confirm_sent_at.eq(Some(at))).execute(c)
            })?;
            return Ok(Subscribed::AlreadyConfirmed { id: row.id, unsubscribe_token });
        }
        // Pending: the newest preferences and consent count, with a fresh link (the old one stops working).
        let confirm_token = new_token();
        write_transaction(conn, |c| {
            diesel::update(alert_subscribers::table.find(&row.id))
                .set((
                    alert_subscribers::language.eq(new.language.code()),
                    alert_subscribers::location.eq(location.clone()),
                    alert_subscribers::skills.eq(&skills),
                    alert_subscribers::confirm_hash.eq(Some(hash_token(&confirm_token))),
                    alert_subscribers::confirm_expires_at.eq(Some(at + Duration::hours(CONFIRM_HOURS))),
                    alert_subscribers::confirm_sent_at.eq(Some(at)),
                    alert_subscribers::consent_at.eq(at),
                    alert_subscribers::updated_at.eq(at),
                ))
                .execute(c)
        })?;
        return Ok(Subscribed::ConfirmationNeeded { id: row.id, confirm_token });
    }
    anyhow::bail!("the subscription could not be recorded")
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed { id: String },
    /// No such token (never issued, mistyped, replaced, or already used).
    Unknown,
    Expired,
}

pub fn confirm(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> anyhow::Result<Confirmation> {
    if token.is_empty() || token.len() > 200 {
        return Ok(Confirmation::Unknown);
    }
    let hash = hash_token(token);
    write_transaction(conn, |c| {
        let row: Option<Row> =
            alert_subscribers::table.filter(alert_subscribers::confirm_hash.eq(&hash)).select(Row::as_select()).first(c).optional()?;
        let Some(row) = row else { return Ok(Confirmation::Unknown) };
        if row.confirm_expires_at.is_none_or(|e| e <= now) {
            return Ok(Confirmation::Expired);
        }
        diesel::update(alert_subscribers::table.find(&row.id))
            .set((
                alert_subscribers::state.eq(SubscriberState::Confirmed.as_str()),
                alert_subscribers::confirm_hash.eq(None::<String>),
                alert_subscribers::confirm_expires_at.eq(None::<NaiveDateTime>),
                alert_subscribers::confirmed_at.eq(Some(now)),
                alert_subscribers::updated_at.eq(now),
            ))
            .execute(c)?;
        Ok(Confirmation::Confirmed { id: row.id })
    })
}

/// The subscriber an unsubscribe token belongs to.
pub fn find_by_unsubscribe_token(conn: &mut DbConn, token: &str) -> anyhow::Result<Option<Subscriber>> {
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let row = alert_subscribers::table
        .filter(alert_subscribers::unsubscribe_hash.eq(hash_token(token)))
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Subscriber::from_row))
}

/// Unsubscribes: the address is deleted from the list. Returns the subscriber's id, or None
/// when no subscriber has this token (already unsubscribed, or a wrong token).
pub fn unsubscribe(conn: &mut DbConn, token: &str) -> anyhow::Result<Option<String>> {
    let Some(sub) = find_by_unsubscribe_token(conn, token)? else { return Ok(None) };
    write_transaction(conn, |c| diesel::delete(alert_subscribers::table.find(&sub.id)).execute(c))?;
    Ok(Some(sub.id))
}

/// Deletes requests never confirmed whose link expired before `now`. Returns how many.
pub fn purge_unconfirmed(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    write_transaction(conn, |c| {
        diesel::delete(
            alert_subscribers::table
                .filter(alert_subscribers::state.eq(SubscriberState::Pending.as_str()))
                .filter(alert_subscribers::confirm_expires_at.lt(now)),
        )
        .execute(c)
    })
}

pub fn find(conn: &mut DbConn, id: &str) -> anyhow::Result<Option<Subscriber>> {
    Ok(alert_subscribers::table.find(id).select(Row::as_select()).first(conn).optional()?.map(Subscriber::from_row))
}

/// Confirmed subscribers of a language, oldest first.
pub fn confirmed(conn: &mut DbConn, lang: Lang) -> anyhow::Result<Vec<Subscriber>> {
    let rows: Vec<Row> = alert_subscribers::table
        .filter(alert_subscribers::state.eq(SubscriberState::Confirmed.as_str()))
        .filter(alert_subscribers::language.eq(lang.code()))
        .order((alert_subscribers::created_at.asc(), alert_subscribers::id.asc()))
        .select(Row::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Subscriber::from_row).collect())
}

/// Counts of subscribers by state (pending, confirmed), for the admin.
pub fn counts(conn: &mut DbConn) -> QueryResult<(i64, i64)> {
    let count = |c: &mut DbConn, s: SubscriberState| {
        alert_subscribers::table.filter(alert_subscribers::state.eq(s.as_str())).count().get_result::<i64>(c)
    };
    Ok((count(conn, SubscriberState::Pending)?, count(conn, SubscriberState::Confirmed)?))
}

// ---- What a delivery sent to whom ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    /// Recorded before the SMTP transaction: if it stays so, the outcome is unknown.
    Sending,
    Sent,
    /// Refused for good by the mail server.
    Failed,
}

impl SendState {
    pub fn as_str(self) -> &'static str {
        match self {
            SendState::Sending => "sending",
            SendState::Sent => "sent",
            SendState::Failed => "failed",
        }
    }
}

/// Subscribers this delivery already has a record for (in any state): never mailed again.
pub fn recorded(conn: &mut DbConn, delivery_id: &str) -> QueryResult<Vec<String>> {
    alert_sends::table.filter(alert_sends::delivery_id.eq(delivery_id)).select(alert_sends::subscriber_id).load(conn)
}

/// Records "sending" for (delivery, subscriber) before the mail goes out. `false` when a
/// record exists already (a retry, or another worker): the mail must not be sent.
pub fn claim(conn: &mut DbConn, delivery_id: &str, subscriber_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let r = write_transaction(conn, |c| {
        diesel::insert_into(alert_sends::table)
            .values((
                alert_sends::delivery_id.eq(delivery_id),
                alert_sends::subscriber_id.eq(subscriber_id),
                alert_sends::state.eq(SendState::Sending.as_str()),
                alert_sends::created_at.eq(now),
                alert_sends::updated_at.eq(now),
            ))
            .execute(c)
    });
    match r {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Records the outcome of a claimed send.
pub fn finish(conn: &mut DbConn, delivery_id: &str, subscriber_id: &str, state: SendState, detail: Option<&str>, now: NaiveDateTime) -> QueryResult<()> {
    write_transaction(conn, |c| {
        diesel::update(alert_sends::table.find((delivery_id, subscriber_id)))
            .set((alert_sends::state.eq(state.as_str()), alert_sends::detail.eq(detail), alert_sends::updated_at.eq(now)))
            .execute(c)
            .map(|_| ())
    })
}

/// Forgets a claim whose mail was certainly not accepted (no connection, a 4xx reply): the
/// next attempt sends it.
pub fn release(conn: &mut DbConn, delivery_id: &str, subscriber_id: &str) -> QueryResult<()> {
    write_transaction(conn, |c| {
        diesel::delete(alert_sends::table.find((delivery_id, subscriber_id)).filter(alert_sends::state.eq(SendState::Sending.as_str())))
            .execute(c)
            .map(|_| ())
    })
}

/// What a delivery sent: confirmed, refused, and unknown ("sending" left by a crash or a timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub sent: i64,
    pub failed: i64,
    pub unconfirmed: i64,
}

pub fn tally(conn: &mut DbConn, delivery_id: &str) -> QueryResult<Tally> {
    let states: Vec<String> = alert_sends::table.filter(alert_sends::delivery_id.eq(delivery_id)).select(alert_sends::state).load(conn)?;
    let n = |s: SendState| states.iter().filter(|x| x.as_str() == s.as_str()).count() as i64;
    Ok(Tally { sent: n(SendState::Sent), failed: n(SendState::Failed), unconfirmed: n(SendState::Sending) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::opening::{OpeningDraft, OpeningInput};

    fn opening() -> Opening {
        let input = OpeningInput {
            title: "Rust developer".into(),
            company: "Acme".into(),
            city: Some("Lyon".into()),
            country: "fr".into(),
            remote_policy: "hybrid".into(),
            employment_type: "permanent".into(),
            required_skills: vec!["Rust".into()],
            nice_to_have_skills: vec!["PostgreSQL".into()],
            language: "fr".into(),
            ..Default::default()
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        Opening::unsaved(OpeningDraft::parse(&input, today).unwrap(), today.and_hms_opt(0, 0, 0).unwrap())
    }

    fn sub(lang: Lang, location: Option<&str>, skills: &[&str]) -> Subscriber {
        Subscriber {
            id: "s".into(),
            email: "a@example.org".into(),
            language: lang,
            location: location.map(Into::into),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            confirmed: true,
            unsubscribe_sealed: String::new(),
        }
    }

    #[test]
    fn filters_match_language_location_and_skills_in_any_case() {
        let o = opening();
        assert!(sub(Lang::Fr, None, &[]).wants(&o));
        assert!(!sub(Lang::En, None, &[]).wants(&o), "another language");
        assert!(sub(Lang::Fr, Some("LYON"), &[]).wants(&o), "city");
        assert!(sub(Lang::Fr, Some("fr"), &[]).wants(&o), "country");
        assert!(!sub(Lang::Fr, Some("Paris"), &[]).wants(&o));
        assert!(sub(Lang::Fr, None, &["cobol", "rust"]).wants(&o), "a required skill");
        assert!(sub(Lang::Fr, None, &["postgresql"]).wants(&o), "a nice-to-have skill");
        assert!(!sub(Lang::Fr, Some("Lyon"), &["COBOL"]).wants(&o), "both filters must match");
    }

    #[test]
    fn debug_shows_no_address() {
        assert!(!format!("{:?}", sub(Lang::Fr, None, &[])).contains("example.org"));
    }
}
