//! /app: what needs attention first.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, fmt_date, Layout};
use crate::domain::opening::OpeningStatus;
use crate::store::openings::OpeningFilter;
use crate::web::context::SignedIn;
use crate::web::error::{html, PageError};
use crate::web::AppState;

pub struct StatusCount {
    pub status: &'static str,
    pub label: &'static str,
    pub count: i64,
}

pub struct RecentApplication {
    pub id: String,
    pub name: String,
    pub opening: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "ui/dashboard.html")]
struct DashboardPage {
    page: Layout,
    counts: Vec<StatusCount>,
    recent: Vec<RecentApplication>,
    no_openings: bool,
    can_create: bool,
    response: Option<crate::store::harvest::ResponseStats>,
    backlog: Option<Backlog>,
}

/// The intake queue as the dashboard shows it: what waits, and for how long.
pub struct Backlog {
    pub applications: i64,
    pub messages: i64,
    /// Minutes the oldest waiting application or due message has waited.
    pub oldest_minutes: i64,
    /// Past the shortest response target of the open openings.
    pub late: bool,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    let manager_id = (!me.role().sees_all_openings()).then(|| me.user.id.clone());
    let (now, today) = (state.clock.now(), state.clock.today());
    let (counts, recent, response, backlog) = crate::store::run(&state.pool, move |c| {
        let mut counts = Vec::new();
        for status in [OpeningStatus::Open, OpeningStatus::Draft, OpeningStatus::Paused, OpeningStatus::Closed] {
            let f = OpeningFilter { status: Some(status), manager_id: manager_id.clone(), limit: 1, ..Default::default() };
            counts.push((status, crate::store::openings::list(c, &f)?.1));
        }
        let recent = crate::store::applications::recent(c, manager_id.as_deref(), 10)?;
        // Response times are the recruiters' concern (every opening).
        // Over the last 7 days, counted by the database (as on the analytics page).
        let response = if manager_id.is_none() {
            use crate::store::analytics::{response_summary, Range, Scope};
            let range = Range { from: today - chrono::Duration::days(6), to: today + chrono::Duration::days(1) };
            let (s, target) = response_summary(c, Scope::All, range, now)?;
            match (s.median, s.p90) {
                (Some(median), Some(p90)) if s.answered > 0 => Some(crate::store::harvest::ResponseStats {
                    answered: s.answered as usize,
                    median,
                    p90,
                    within_target: s.within as usize,
                    target: target.unwrap_or(30),
                }),
                _ => None,
            }
        } else {
            None
        };
        // The queue, for the recruiters too: a backlog is why acknowledgements are late.
        let backlog = if manager_id.is_none() {
            let (applications, oldest_app) = crate::store::applications::backlog(c)?;
            let (messages, oldest_msg) = crate::store::harvest::message_backlog(c, now)?;
            let oldest = [oldest_app, oldest_msg].into_iter().flatten().min();
            let oldest_minutes = oldest.map(|o| (now - o).num_minutes().max(0)).unwrap_or(0);
            let target: Option<i64> = {
                use crate::store::schema::openings;
                use diesel::prelude::*;
                openings::table.filter(openings::status.eq("open")).select(diesel::dsl::min(openings::response_target_minutes)).first(c)?
            };
            Some(Backlog { applications, messages, oldest_minutes, late: oldest_minutes >= target.unwrap_or(30) })
        } else {
            None
        };
        Ok((counts, recent, response, backlog))
    })
    .await
    .map_err(db_err)?;
    let t = crate::i18n::ui::text(me.lang);
    let no_openings = counts.iter().all(|(_, n)| *n == 0);
    html(&DashboardPage {
        page: Layout::signed_in(&me, &req, "dashboard", t.dashboard_title),
        counts: counts.into_iter().map(|(s, n)| StatusCount { status: s.as_str(), label: s.label(me.lang), count: n }).collect(),
        recent: recent
            .into_iter()
            .map(|v| RecentApplication {
                id: v.application.id,
                name: v.candidate.name,
                opening: v.opening_title,
                date: fmt_date(&v.application.created_at),
            })
            .collect(),
        no_openings,
        can_create: me.role().can_edit_openings(),
        response,
        backlog,
    })
}
