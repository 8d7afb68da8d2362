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
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    let manager_id = (!me.role().sees_all_openings()).then(|| me.user.id.clone());
    let (counts, recent, response) = crate::store::run(&state.pool, move |c| {
        let mut counts = Vec::new();
        for status in [OpeningStatus::Open, OpeningStatus::Draft, OpeningStatus::Paused, OpeningStatus::Closed] {
            let f = OpeningFilter { status: Some(status), manager_id: manager_id.clone(), limit: 1, ..Default::default() };
            counts.push((status, crate::store::openings::list(c, &f)?.1));
        }
        let recent = crate::store::applications::recent(c, manager_id.as_deref(), 10)?;
        // Response times are the recruiters' concern (every opening).
        let response = if manager_id.is_none() { crate::store::harvest::response_stats(&crate::store::harvest::response_minutes(c)?) } else { None };
        Ok((counts, recent, response))
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
    })
}
