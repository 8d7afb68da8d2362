//! Broadcasting an opening: the panel on its page (publish to chosen channels, now or later,
//! and what happens on close), its deliveries and their manual actions, a delivery's history,
//! and the failures page.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::{db_err, safe_next, FieldErrors, FormData, Layout, Notice, Opt};
use crate::broadcast::{DeliveryKind, DeliveryState};
use crate::compose::Network;
use crate::i18n::broadcast::BroadcastText;
use crate::i18n::Lang;
use crate::store::channels::{AccountStatus, ChannelAccount};
use crate::store::deliveries::{self, ActionError, DeliveryView, OnClose, PublishError, PublishPlan, Target};
use crate::store::DbConn;
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

// ---------- time zones ----------

/// The user's time zone (users.time_zone), Europe/Paris when unset or unknown.
pub fn time_zone_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Tz> {
    use crate::store::schema::users;
    let name: Option<String> = users::table.find(user_id).select(users::time_zone).first(conn).optional()?;
    Ok(name.and_then(|n| n.parse::<Tz>().ok()).unwrap_or(chrono_tz::Europe::Paris))
}

pub fn set_time_zone(conn: &mut DbConn, user_id: &str, tz: Tz) -> QueryResult<()> {
    use crate::store::schema::users;
    diesel::update(users::table.find(user_id)).set(users::time_zone.eq(tz.name())).execute(conn).map(|_| ())
}

/// A stored UTC time as the user reads it: "2026-12-01 09:30".
pub fn local_time(t: &NaiveDateTime, tz: Tz) -> String {
    tz.from_utc_datetime(t).format("%Y-%m-%d %H:%M").to_string()
}

#[derive(Debug, PartialEq, Eq)]
pub enum LocalTimeError {
    /// Not a date and time.
    Malformed,
    /// Skipped by a clock change (spring forward).
    DoesNotExist,
}

/// A local date and time typed in a form (`2026-12-01T09:30`, `2026-12-01 09:30[:00]`), in
/// `tz`, to UTC. An hour repeated by a clock change is taken at its first occurrence.
pub fn local_to_utc(raw: &str, tz: Tz) -> Result<NaiveDateTime, LocalTimeError> {
    let raw = raw.trim();
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .ok_or(LocalTimeError::Malformed)?;
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(t.naive_utc()),
        chrono::LocalResult::Ambiguous(first, _) => Ok(first.naive_utc()),
        chrono::LocalResult::None => Err(LocalTimeError::DoesNotExist),
    }
}

// ---------- labels and rules ----------

pub fn state_label(b: &BroadcastText, s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Scheduled => b.state_scheduled,
        DeliveryState::Queued => b.state_queued,
        DeliveryState::Sending => b.state_sending,
        DeliveryState::Published => b.state_published,
        DeliveryState::Unconfirmed => b.state_unconfirmed,
        DeliveryState::Failed => b.state_failed,
        DeliveryState::Cancelled => b.state_cancelled,
    }
}

pub fn kind_label(b: &BroadcastText, k: DeliveryKind) -> &'static str {
    match k {
        DeliveryKind::Post => b.kind_post,
        DeliveryKind::Repost => b.kind_repost,
        DeliveryKind::FilledReply => b.kind_filled_reply,
        DeliveryKind::Delete => b.kind_delete,
    }
}

/// What a channel can do when its opening closes: a "position filled" reply needs a thread
/// (not LinkedIn, email or webhooks); deleting needs a post to delete (not webhooks or email).
pub fn on_close_allowed(network: Network, choice: OnClose) -> bool {
    match choice {
        OnClose::Nothing => true,
        OnClose::Reply => matches!(network, Network::X | Network::Mastodon | Network::Bluesky),
        OnClose::Delete => matches!(network, Network::X | Network::Mastodon | Network::Bluesky | Network::LinkedIn),
    }
}

// ---------- the nav badge ----------

/// How many deliveries need a person, as the signed-in user may see them.
#[derive(Clone, Copy)]
struct Attention(i64);

pub fn attention_of(req: &HttpRequest) -> i64 {
    req.extensions().get::<Attention>().map(|a| a.0).unwrap_or(0)
}

fn count_attention(conn: &mut DbConn, manager_id: Option<&str>) -> QueryResult<i64> {
    use crate::store::schema::{deliveries as d, opening_managers};
    let mut q = d::table
        .filter(
            d::state
                .eq(DeliveryState::Failed.as_str())
                .or(d::state.eq(DeliveryState::Unconfirmed.as_str()).and(d::needs_review.eq(true))),
        )
        .into_boxed();
    if let Some(m) = manager_id {
        q = q.filter(d::opening_id.eq_any(opening_managers::table.filter(opening_managers::user_id.eq(m.to_string())).select(opening_managers::opening_id)));
    }
    q.count().get_result(conn)
}

/// Counts, for the pages of a signed-in user, the deliveries needing attention (the nav badge).
pub async fn attention_middleware(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::GET {
        if let (Ok(me), Some(state)) = (SignedIn::extract(req.request()).await, req.app_data::<web::Data<AppState>>().cloned()) {
            let manager = (!me.role().sees_all_openings()).then(|| me.user.id.clone());
            if let Ok(n) = crate::store::run(&state.pool, move |c| Ok(count_attention(c, manager.as_deref())?)).await {
                req.extensions_mut().insert(Attention(n));
            }
        }
    }
    next.call(req).await
}

// ---------- the panel on the opening page ----------

/// The publish form as typed, so a refused one comes back unchanged.
#[derive(Default, Clone)]
pub struct PublishValues {
    pub accounts: Vec<String>,
    /// Per account id: nothing, reply or delete.
    pub on_close: Vec<(String, String)>,
    pub later: bool,
    pub at: String,
    pub repost: String,
}

impl PublishValues {
    fn from_form(f: &FormData) -> Self {
        let accounts = f.all("accounts");
        let on_close = f.0.iter().filter_map(|(k, v)| k.strip_prefix("on_close_").map(|id| (id.to_string(), v.clone()))).collect();
        Self { accounts, on_close, later: f.get("when") == "later", at: f.get("at"), repost: f.get("repost_every_days") }
    }
    fn on_close_of(&self, id: &str) -> &str {
        self.on_close.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str()).unwrap_or("nothing")
    }
}

pub struct AccountChoice {
    pub id: String,
    pub name: String,
    pub network: &'static str,
    pub network_label: &'static str,
    pub ready: bool,
    pub reason: String,
    pub checked: bool,
    pub on_close_opts: Vec<Opt>,
    /// The name of its on-close field.
    pub field: String,
}

pub struct DeliveryLine {
    pub id: String,
    pub opening_id: String,
    pub opening_title: String,
    pub channel: String,
    pub network_label: &'static str,
    pub kind_label: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    /// Scheduled time, in the user's zone.
    pub due: Option<String>,
    pub updated: String,
    pub url: Option<String>,
    pub last_error: Option<String>,
    pub needs_review: bool,
    pub attempts: i64,
    pub can_retry: bool,
    pub can_confirm: bool,
    pub can_cancel: bool,
}

impl DeliveryLine {
    fn new(v: &DeliveryView, b: &BroadcastText, tz: Tz, can_act: bool) -> Self {
        let d = &v.delivery;
        let state = d.state();
        let review = state == DeliveryState::Unconfirmed && d.needs_review;
        DeliveryLine {
            id: d.id.clone(),
            opening_id: d.opening_id.clone(),
            opening_title: v.opening_title.clone(),
            channel: v.account_name.clone(),
            network_label: Network::parse(&v.network).map(|n| n.label()).unwrap_or(""),
            kind_label: kind_label(b, d.kind()),
            state: state.as_str(),
            state_label: state_label(b, state),
            due: (state == DeliveryState::Scheduled).then(|| local_time(&d.due_at, tz)),
            updated: local_time(&d.updated_at, tz),
            url: (state == DeliveryState::Published).then(|| super::openings::http_link(&d.remote_url)).flatten(),
            last_error: d.last_error.clone().filter(|_| matches!(state, DeliveryState::Failed | DeliveryState::Unconfirmed | DeliveryState::Scheduled)),
            needs_review: review,
            attempts: d.attempts,
            can_retry: can_act && (state == DeliveryState::Failed || review),
            can_confirm: can_act && review,
            can_cancel: can_act && matches!(state, DeliveryState::Scheduled | DeliveryState::Queued),
        }
    }
}

pub struct Panel {
    pub b: &'static BroadcastText,
    /// The opening page's address.
    pub next: String,
    pub can_publish: bool,
    pub accounts: Vec<AccountChoice>,
    pub later: bool,
    pub at: String,
    pub repost: String,
    pub at_hint: String,
    pub errors: FieldErrors,
    pub deliveries: Vec<DeliveryLine>,
}

/// The broadcast panel of an opening's page.
pub async fn panel(state: &AppState, me: &SignedIn, opening_id: &str, v: PublishValues, errors: FieldErrors) -> Result<Panel, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let can_publish = me.role().can_edit_openings();
    let (oid, uid) = (opening_id.to_string(), me.user.id.clone());
    let (accounts, views, tz) = crate::store::run(&state.pool, move |c| {
        let accounts = if can_publish { crate::store::channels::list(c, false)? } else { Vec::new() };
        let views = deliveries::list_for_opening(c, &oid)?;
        let tz = time_zone_of(c, &uid)?;
        Ok((accounts, views, tz))
    })
    .await
    .map_err(db_err)?;
    Ok(Panel {
        b,
        next: format!("/app/openings/{opening_id}"),
        can_publish,
        accounts: accounts.iter().map(|a| account_choice(b, a, &v)).collect(),
        later: v.later,
        at: v.at.clone(),
        repost: v.repost.clone(),
        at_hint: b.f_at_hint.replace("{tz}", tz.name()),
        errors,
        deliveries: views.iter().map(|d| DeliveryLine::new(d, b, tz, can_publish)).collect(),
    })
}

fn account_choice(b: &BroadcastText, a: &ChannelAccount, v: &PublishValues) -> AccountChoice {
    let chosen = v.on_close_of(&a.id);
    let on_close_opts = [(OnClose::Nothing, b.on_close_nothing), (OnClose::Reply, b.on_close_reply), (OnClose::Delete, b.on_close_delete)]
        .into_iter()
        .filter(|(o, _)| on_close_allowed(a.network, *o))
        .map(|(o, label)| Opt { value: o.as_str(), label, selected: o.as_str() == chosen })
        .collect();
    AccountChoice {
        id: a.id.clone(),
        name: a.name.clone(),
        network: a.network.as_str(),
        network_label: a.network.label(),
        ready: a.status == AccountStatus::Connected,
        reason: a.status_reason.clone().unwrap_or_default(),
        checked: v.accounts.contains(&a.id),
        on_close_opts,
        field: format!("on_close_{}", a.id),
    }
}

/// POST /app/openings/{id}/broadcast
pub async fn publish(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let o = super::openings::visible_opening(&state, &me, id.into_inner()).await?;
    super::openings::require_editor(&me)?;
    let b = crate::i18n::broadcast::text(me.lang);
    let v = PublishValues::from_form(&FormData::parse(&body));
    let uid = me.user.id.clone();
    let (accounts, tz) = crate::store::run(&state.pool, move |c| Ok((crate::store::channels::list(c, false)?, time_zone_of(c, &uid)?)))
        .await
        .map_err(db_err)?;
    let mut errors = FieldErrors::default();
    let mut targets = Vec::new();
    if v.accounts.is_empty() {
        errors.add("accounts", b.choose_a_channel);
    }
    for aid in &v.accounts {
        let Some(a) = accounts.iter().find(|a| a.id == *aid) else {
            errors.add("accounts", b.err_unknown_account);
            continue;
        };
        match OnClose::parse(v.on_close_of(aid)).filter(|c| on_close_allowed(a.network, *c)) {
            Some(on_close) => targets.push(Target { account_id: aid.clone(), on_close }),
            None => errors.add(&format!("on_close_{aid}"), b.err_on_close),
        }
    }
    let now = state.clock.now();
    let at = if v.later {
        match local_to_utc(&v.at, tz) {
            Ok(t) if t < now - chrono::Duration::minutes(1) => {
                errors.add("at", b.err_past);
                None
            }
            Ok(t) => Some(t),
            Err(LocalTimeError::Malformed) => {
                errors.add("at", b.err_bad_time);
                None
            }
            Err(LocalTimeError::DoesNotExist) => {
                errors.add("at", &b.err_no_such_time.replace("{tz}", tz.name()));
                None
            }
        }
    } else {
        None
    };
    let repost = match v.repost.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(n) if (1..=90).contains(&n) => Some(n),
            _ => {
                errors.add("repost_every_days", b.err_repost);
                None
            }
        },
    };
    if !errors.is_empty() {
        return super::openings::render_opening_full(&req, &state, &me, o, None, StatusCode::UNPROCESSABLE_ENTITY, v, errors).await;
    }
    let plan = PublishPlan { targets, at, repost_every_days: repost };
    let (oid, base, today, by) = (o.id.clone(), state.settings.base_url.clone(), state.clock.today(), me.user.id.clone());
    let result = crate::store::run(&state.pool, move |c| Ok(deliveries::publish(c, &oid, &plan, &base, today, now, Some(&by)))).await.map_err(db_err)?;
    let t = crate::i18n::ui::text(me.lang);
    let mut errors = FieldErrors::default();
    let notice = match result {
        Ok(created) => return Ok(see_other(&format!("/app/openings/{}?done=broadcast&n={}", o.id, created.len()))),
        Err(PublishError::UnknownAccount(_)) => {
            errors.add("accounts", b.err_unknown_account);
            None
        }
        Err(PublishError::AccountNotReady { name, reason, .. }) => {
            errors.add("accounts", &b.err_not_ready.replace("{name}", &name).replace("{reason}", &reason));
            None
        }
        Err(PublishError::InThePast) => {
            errors.add("at", b.err_past);
            None
        }
        Err(PublishError::BadRepost) => {
            errors.add("repost_every_days", b.err_repost);
            None
        }
        Err(PublishError::Opening(crate::store::openings::OpeningWriteError::NotFound)) => return Err(PageError::NotFound),
        Err(PublishError::Opening(crate::store::openings::OpeningWriteError::Expired(d))) => Notice::error(&t.refused_expired.replace("{date}", &d.to_string())),
        Err(PublishError::Opening(crate::store::openings::OpeningWriteError::BadTransition { from, .. })) => {
            Notice::error(&t.refused_transition.replace("{from}", from.label(me.lang)))
        }
        Err(e) => return Err(db_err(e)),
    };
    let status = if errors.is_empty() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    super::openings::render_opening_full(&req, &state, &me, o, notice, status, v, errors).await
}

// ---------- a delivery ----------

pub struct EventLine {
    pub at: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "ui/broadcast_delivery.html")]
struct DeliveryPage {
    page: Layout,
    b: &'static BroadcastText,
    notice: Option<Notice>,
    d: DeliveryLine,
    opening_id: String,
    opening_title: String,
    due: String,
    published_at: Option<String>,
    last_error: Option<String>,
    events: Vec<EventLine>,
    here: String,
}

/// The delivery if `me` may see its opening (404 otherwise, like the opening itself).
async fn visible_delivery(state: &AppState, me: &SignedIn, id: String) -> Result<DeliveryView, PageError> {
    let found = crate::store::run(&state.pool, move |c| {
        let Some(d) = deliveries::find(c, &id)? else { return Ok(None) };
        Ok(deliveries::list_for_opening(c, &d.opening_id)?.into_iter().find(|v| v.delivery.id == d.id))
    })
    .await
    .map_err(db_err)?;
    let v = found.ok_or(PageError::NotFound)?;
    super::openings::visible_opening(state, me, v.delivery.opening_id.clone()).await?;
    Ok(v)
}

async fn render_delivery(req: &HttpRequest, state: &AppState, me: &SignedIn, v: DeliveryView, notice: Option<Notice>, status: StatusCode) -> Result<HttpResponse, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let (did, uid) = (v.delivery.id.clone(), me.user.id.clone());
    let (events, tz) = crate::store::run(&state.pool, move |c| Ok((deliveries::events(c, &did)?, time_zone_of(c, &uid)?))).await.map_err(db_err)?;
    let line = DeliveryLine::new(&v, b, tz, me.role().can_edit_openings());
    let title = b.delivery_title.replace("{channel}", &v.account_name);
    let page = DeliveryPage {
        page: Layout::signed_in(me, req, "openings", &title),
        b,
        notice,
        opening_id: v.delivery.opening_id.clone(),
        opening_title: v.opening_title.clone(),
        due: local_time(&v.delivery.due_at, tz),
        published_at: v.delivery.published_at.as_ref().map(|t| local_time(t, tz)),
        last_error: v.delivery.last_error.clone(),
        events: events
            .into_iter()
            .map(|(at, s, detail)| {
                let st = DeliveryState::parse(&s);
                EventLine {
                    at: local_time(&at, tz),
                    state: st.map(|s| s.as_str()).unwrap_or(""),
                    state_label: st.map(|s| state_label(b, s)).unwrap_or(""),
                    detail: detail.unwrap_or_default(),
                }
            })
            .collect(),
        here: format!("/app/deliveries/{}", v.delivery.id),
        d: line,
    };
    html_status(status, &page)
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_notice(b: &BroadcastText, done: Option<&str>) -> Option<Notice> {
    match done {
        Some("retried") => Notice::ok(b.done_retried),
        Some("cancelled") => Notice::ok(b.done_cancelled),
        Some("confirmed") => Notice::ok(b.done_confirmed),
        _ => None,
    }
}

/// GET /app/deliveries/{id}
pub async fn delivery(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    let v = visible_delivery(&state, &me, id.into_inner()).await?;
    let notice = done_notice(crate::i18n::broadcast::text(me.lang), q.done.as_deref());
    render_delivery(&req, &state, &me, v, notice, StatusCode::OK).await
}

/// The notice an opening page shows after a delivery action (see `openings::show`).
pub fn opening_notice(lang: Lang, done: Option<&str>, n: Option<usize>) -> Option<Notice> {
    let b = crate::i18n::broadcast::text(lang);
    match done {
        Some("broadcast") => match n.unwrap_or(0) {
            0 => Notice::ok(b.done_broadcast_none),
            n => Notice::ok(&b.done_broadcast.replace("{n}", &n.to_string())),
        },
        other => done_notice(b, other),
    }
}

/// POST /app/deliveries/{id}/{retry|cancel|confirm}; `next` is where to come back to.
pub async fn action(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    if !matches!(action.as_str(), "retry" | "cancel" | "confirm") {
        return Err(PageError::NotFound);
    }
    let v = visible_delivery(&state, &me, id).await?;
    super::openings::require_editor(&me)?;
    let b = crate::i18n::broadcast::text(me.lang);
    let f = FormData::parse(&body);
    let url = f.get("url").trim().to_string();
    if action == "confirm" && !url.is_empty() && super::openings::http_link(&Some(url.clone())).is_none() {
        let notice = Notice::error(&format!("{}{}{}", b.confirm_url, crate::i18n::ui::text(me.lang).colon, b.err_url));
        return render_delivery(&req, &state, &me, v, notice, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (did, now, by) = (v.delivery.id.clone(), state.clock.now(), me.user.name.clone());
    let act = action.clone();
    let result = crate::store::run(&state.pool, move |c| {
        Ok(match act.as_str() {
            "retry" => deliveries::retry(c, &did, now, Some(&by)),
            "cancel" => deliveries::cancel(c, &did, now),
            _ => deliveries::confirm_published(c, &did, Some(url.as_str()).filter(|u| !u.is_empty()), now),
        })
    })
    .await
    .map_err(db_err)?;
    match result {
        Ok(_) => {
            let next = match f.get("next") {
                n if n.is_empty() => format!("/app/deliveries/{}", v.delivery.id),
                n => safe_next(&n),
            };
            let done = match action.as_str() {
                "retry" => "retried",
                "cancel" => "cancelled",
                _ => "confirmed",
            };
            let sep = if next.contains('?') { '&' } else { '?' };
            Ok(see_other(&format!("{next}{sep}done={done}")))
        }
        Err(ActionError::NotFound) => Err(PageError::NotFound),
        Err(ActionError::WrongState(s)) => {
            let label = DeliveryState::parse(s).map(|s| state_label(b, s)).unwrap_or(s);
            let notice = Notice::error(&b.refused_state.replace("{state}", label));
            // Shown with the delivery as it is now.
            let fresh = visible_delivery(&state, &me, v.delivery.id.clone()).await?;
            render_delivery(&req, &state, &me, fresh, notice, StatusCode::CONFLICT).await
        }
        Err(ActionError::Db(e)) => Err(db_err(e)),
    }
}

// ---------- failures ----------

#[derive(Template)]
#[template(path = "ui/broadcast_failures.html")]
struct FailuresPage {
    page: Layout,
    b: &'static BroadcastText,
    notice: Option<Notice>,
    rows: Vec<DeliveryLine>,
}

/// GET /app/broadcast/failures
pub async fn failures(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let manager = (!me.role().sees_all_openings()).then(|| me.user.id.clone());
    let uid = me.user.id.clone();
    let (views, tz) = crate::store::run(&state.pool, move |c| Ok((deliveries::needing_attention(c, manager.as_deref(), 500)?, time_zone_of(c, &uid)?)))
        .await
        .map_err(db_err)?;
    let can_act = me.role().can_edit_openings();
    let page = FailuresPage {
        page: Layout::signed_in(&me, &req, "failures", b.failures_title),
        b,
        notice: done_notice(b, q.done.as_deref()),
        rows: views.iter().map(|v| DeliveryLine::new(v, b, tz, can_act)).collect(),
    };
    html_status(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_become_utc_in_the_users_zone() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // Winter (UTC+1) and summer (UTC+2).
        assert_eq!(local_to_utc("2026-12-01T09:30", paris), Ok(t("2026-12-01 08:30")));
        assert_eq!(local_to_utc("2026-07-01 09:30", paris), Ok(t("2026-07-01 07:30")));
        // 02:30 does not exist on the last Sunday of March; 02:30 on the last Sunday of October is taken the first time.
        assert_eq!(local_to_utc("2026-03-29T02:30", paris), Err(LocalTimeError::DoesNotExist));
        assert_eq!(local_to_utc("2026-10-25T02:30", paris), Ok(t("2026-10-25 00:30")));
        assert_eq!(local_to_utc("tomorrow", paris), Err(LocalTimeError::Malformed));
        assert_eq!(local_time(&t("2026-12-01 08:30"), paris), "2026-12-01 09:30");
    }

    #[test]
    fn on_close_choices_per_network() {
        assert!(on_close_allowed(Network::Mastodon, OnClose::Reply));
        assert!(!on_close_allowed(Network::LinkedIn, OnClose::Reply));
        assert!(on_close_allowed(Network::LinkedIn, OnClose::Delete));
        for n in [Network::Slack, Network::Discord, Network::Teams, Network::Webhook, Network::Email] {
            assert!(!on_close_allowed(n, OnClose::Reply) && !on_close_allowed(n, OnClose::Delete), "{n:?}");
            assert!(on_close_allowed(n, OnClose::Nothing));
        }
    }
}
