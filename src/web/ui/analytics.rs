//! /app/analytics: the funnel, channels, response times and activity of the openings the
//! viewer may see, as charts (server-side SVG) with their tables, each downloadable as CSV
//! (`/app/analytics/{table}.csv`, same query).
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate};

use super::{db_err, Layout};
use crate::i18n::analytics::AnalyticsText;
use crate::store::analytics::{self as store, ActivityRow, ChannelRow, FunnelRow, OpeningRef, Range, Report, ResponseRow, ResponseSummary, Scope, AnswerCursor};
use crate::web::charts;
use crate::web::context::SignedIn;
use crate::web::error::{html_status, PageError};
use crate::web::AppState;

/// The default period: the last 90 days, today included.
const DEFAULT_DAYS: i64 = 90;
/// The longest period shown.
const MAX_DAYS: i64 = 3 * 366;
pub const TABLES: [&str; 4] = ["funnel", "channels", "response", "activity"];

/// The query as typed: `opening` (an id, or empty for all), `from` and `to` (YYYY-MM-DD).
#[derive(Debug, Default, Clone)]
struct Query {
    opening: String,
    /// Part of a title: the picker lists the openings whose title holds it.
    find: String,
    from: String,
    to: String,
}

impl Query {
    fn of(req: &HttpRequest) -> Self {
        let mut q = Query::default();
        for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            let v = v.trim().chars().take(200).collect::<String>();
            match k.as_ref() {
                "opening" => q.opening = v,
                "find" => q.find = v,
                "from" => q.from = v,
                "to" => q.to = v,
                _ => {}
            }
        }
        q
    }
}

/// What the query asks for, once checked.
struct Chosen {
    visible: Vec<OpeningRef>,
    opening: Option<OpeningRef>,
    /// The hiring manager whose openings these are (`None`: every opening).
    manager: Option<String>,
    range: Range,
}

impl Chosen {
    fn scope(&self) -> Scope<'_> {
        match (&self.opening, &self.manager) {
            (Some(o), _) => Scope::One(&o.id),
            (None, Some(m)) => Scope::Managed(m),
            (None, None) => Scope::All,
        }
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    (s.len() == 10).then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

/// Checks the query: bad fields come back named (`Err`), an opening the viewer may not see is 404.
async fn choose(state: &AppState, me: &SignedIn, q: &Query, a: &AnalyticsText) -> Result<Result<Chosen, (Vec<(&'static str, &'static str)>, Vec<OpeningRef>)>, PageError> {
    let today = state.clock.today();
    let mut errors: Vec<(&'static str, &'static str)> = Vec::new();
    let default_to = today + Duration::days(1);
    let to = if q.to.is_empty() { Some(default_to) } else { parse_day(&q.to) };
    let from = if q.from.is_empty() { Some(to.unwrap_or(default_to) - Duration::days(DEFAULT_DAYS)) } else { parse_day(&q.from) };
    if from.is_none() {
        errors.push(("from", a.bad_date));
    }
    if to.is_none() {
        errors.push(("to", a.bad_date));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            errors.push(("to", a.bad_order));
        } else if (t - f).num_days() > MAX_DAYS {
            errors.push(("from", a.too_long));
        }
    }
    let manager = (!me.role().sees_all_openings()).then(|| me.user.id.clone());
    let m = manager.clone();
    let visible = crate::store::run(&state.pool, move |c| Ok(store::visible_openings(c, m.as_deref())?)).await.map_err(db_err)?;
    let opening = if q.opening.is_empty() {
        None
    } else if let Some(o) = visible.iter().find(|o| o.id == q.opening) {
        Some(o.clone())
    } else {
        // Hidden from this viewer or not there at all: the same 404, so ids cannot be probed.
        return Err(PageError::NotFound);
    };
    match (errors.is_empty(), from, to) {
        (true, Some(from), Some(to)) => Ok(Ok(Chosen { visible, opening, manager, range: Range { from, to } })),
        _ => Ok(Err((errors, visible))),
    }
}

/// The figures, counted by the database. The chosen query is moved in and given back.
async fn report(state: &AppState, chosen: Chosen) -> Result<(Chosen, Report), PageError> {
    let now = state.clock.now();
    crate::store::run(&state.pool, move |c| {
        let r = store::report(c, chosen.scope(), &chosen.visible, chosen.range, now)?;
        Ok((chosen, r))
    })
    .await
    .map_err(db_err)
}

pub fn channel_label(channel: &str, a: &AnalyticsText) -> String {
    match channel {
        "mastodon" => "Mastodon".into(),
        "bluesky" => "Bluesky".into(),
        "x" => "X".into(),
        "linkedin" => "LinkedIn".into(),
        "careers" => a.channel_careers.into(),
        "unknown" => a.channel_unknown.into(),
        other => other.to_string(),
    }
}

// ---------- page ----------

pub struct OpeningOpt {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

pub struct FieldMessage {
    pub field: &'static str,
    pub text: String,
}

pub struct ChannelView {
    pub label: String,
    pub row: ChannelRow,
}

/// The sections, once the query is right.
pub struct Sections {
    pub csv_query: String,
    /// How many openings the funnel leaves out for having nothing in the period (empty: none).
    pub unlisted: String,
    pub funnel_svg: String,
    pub funnel: Vec<FunnelRow>,
    pub total: FunnelRow,
    pub channels_svg: String,
    pub channels: Vec<ChannelView>,
    pub response_svg: String,
    pub response: ResponseSummary,
    pub median: String,
    pub p90: String,
    pub weekly: bool,
    pub activity_svg: String,
    pub activity: Vec<ActivityRow>,
}

#[derive(Template)]
#[template(path = "ui/analytics.html")]
struct AnalyticsPage {
    page: Layout,
    a: &'static AnalyticsText,
    openings: Vec<OpeningOpt>,
    /// The picker's search, and what it leaves out (the search field shows when > 0).
    find: String,
    picker_left: String,
    from: String,
    to: String,
    errors: Vec<FieldMessage>,
    sections: Option<Sections>,
}

fn field_label(field: &str, a: &AnalyticsText) -> &'static str {
    match field {
        "from" => a.f_from,
        "to" => a.f_to,
        _ => a.f_opening,
    }
}

fn csv_query(chosen: &Chosen) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if let Some(o) = &chosen.opening {
        s.append_pair("opening", &o.id);
    }
    s.append_pair("from", &chosen.range.from.to_string());
    s.append_pair("to", &chosen.range.to.to_string());
    s.finish()
}

fn sections(chosen: &Chosen, r: Report, a: &AnalyticsText) -> Sections {
    let t = &r.total;
    let scope = chosen.opening.as_ref().map(|o| o.title.as_str()).unwrap_or(a.all_openings);
    let funnel_svg = charts::bar_chart(
        "chart-funnel",
        &a.funnel_chart.replace("{scope}", scope),
        &[
            (a.col_posts.to_string(), t.posts),
            (a.col_clicks.to_string(), t.clicks),
            (a.col_replies.to_string(), t.replies),
            (a.col_candidates.to_string(), t.candidates),
            (a.col_shortlisted.to_string(), t.shortlisted),
            (a.col_interviewed.to_string(), t.interviewed),
            (a.col_hired.to_string(), t.hired),
        ],
        a.no_data,
    );
    let channels: Vec<ChannelView> = r.channels.iter().map(|c| ChannelView { label: channel_label(&c.channel, a), row: c.clone() }).collect();
    let groups: Vec<(String, Vec<i64>)> =
        channels.iter().filter(|c| c.row.candidates > 0).map(|c| (c.label.clone(), vec![c.row.candidates, c.row.shortlisted, c.row.hired])).collect();
    let channels_svg = charts::grouped_bar_chart("chart-channels", a.channels_chart, &[a.col_candidates, a.col_shortlisted, a.col_hired], &groups, a.no_data);
    let s = &r.response;
    let response_svg = charts::bar_chart(
        "chart-response",
        a.response_chart,
        &[(a.r_within.to_string(), s.within), (a.r_late.to_string(), s.late), (a.r_waiting.to_string(), s.waiting), (a.r_overdue.to_string(), s.overdue)],
        a.no_data,
    );
    let periods: Vec<String> = r.activity.iter().map(|p| p.period.clone()).collect();
    let activity_svg = charts::timeline_chart(
        "chart-activity",
        a.activity_chart,
        &periods,
        &[
            (a.col_answers, r.activity.iter().map(|p| p.answers).collect()),
            (a.col_new_candidates, r.activity.iter().map(|p| p.candidates).collect()),
            (a.col_decisions, r.activity.iter().map(|p| p.decisions).collect()),
            (a.col_clicks, r.activity.iter().map(|p| p.clicks).collect()),
        ],
        a.no_data,
    );
    let minutes = |m: Option<i64>| m.map(|v| v.to_string()).unwrap_or_else(|| a.r_none.to_string());
    let unlisted = match chosen.visible.len().saturating_sub(r.funnel.len()) {
        _ if chosen.opening.is_some() => String::new(),
        0 => String::new(),
        1 => a.funnel_unlisted_one.to_string(),
        n => a.funnel_unlisted.replace("{n}", &n.to_string()),
    };
    Sections {
        csv_query: csv_query(chosen),
        unlisted,
        funnel_svg,
        total: r.total.clone(),
        funnel: r.funnel,
        channels_svg,
        channels,
        response_svg,
        median: minutes(s.median),
        p90: minutes(s.p90),
        response: r.response.clone(),
        weekly: r.weekly,
        activity_svg,
        activity: r.activity,
    }
}

/// Openings the picker lists at most: an agency's 10,000 made a 1 MB page.
const PICKER: usize = 200;

/// The picker's openings: all of them when they are few; else those whose title holds
/// `find`, or the open ones, at most [`PICKER`], the chosen one always. With the count left
/// out, for the hint next to the search field (0: all are listed).
fn opening_opts(visible: &[OpeningRef], chosen: &str, find: &str) -> (Vec<OpeningOpt>, usize) {
    let opt = |o: &OpeningRef| OpeningOpt { id: o.id.clone(), title: o.title.clone(), selected: o.id == chosen };
    if visible.len() <= PICKER && find.is_empty() {
        return (visible.iter().map(opt).collect(), 0);
    }
    let needle = find.to_lowercase();
    let wanted = |o: &OpeningRef| if needle.is_empty() { o.open } else { o.title.to_lowercase().contains(&needle) };
    let mut listed: Vec<OpeningOpt> = visible.iter().filter(|o| wanted(o)).take(PICKER).map(opt).collect();
    if !chosen.is_empty() && !listed.iter().any(|o| o.selected) {
        if let Some(o) = visible.iter().find(|o| o.id == chosen) {
            listed.insert(0, opt(o));
        }
    }
    let left = visible.len().saturating_sub(listed.len());
    (listed, left)
}

fn picker(visible: &[OpeningRef], q: &Query, a: &AnalyticsText) -> (Vec<OpeningOpt>, String) {
    let (opts, left) = opening_opts(visible, &q.opening, &q.find);
    let hint = if left > 0 || !q.find.is_empty() { a.picker_left.replace("{n}", &left.to_string()) } else { String::new() };
    (opts, hint)
}

fn refused(req: &HttpRequest, me: &SignedIn, q: &Query, errors: Vec<(&'static str, &'static str)>, visible: &[OpeningRef]) -> Result<HttpResponse, PageError> {
    let a = crate::i18n::analytics::text(me.lang);
    let (opts, picker_left) = picker(visible, q, a);
    html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &AnalyticsPage {
            page: Layout::signed_in(me, req, "analytics", a.title),
            a,
            openings: opts,
            find: q.find.clone(),
            picker_left,
            from: q.from.clone(),
            to: q.to.clone(),
            errors: errors
                .into_iter()
                .map(|(field, message)| FieldMessage { field, text: a.error_field.replace("{field}", field_label(field, a)).replace("{message}", message) })
                .collect(),
            sections: None,
        },
    )
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    let a = crate::i18n::analytics::text(me.lang);
    let q = Query::of(&req);
    let chosen = match choose(&state, &me, &q, a).await? {
        Ok(c) => c,
        Err((errors, visible)) => return refused(&req, &me, &q, errors, &visible),
    };
    let (chosen, r) = report(&state, chosen).await?;
    let (opts, picker_left) = picker(&chosen.visible, &q, a);
    html_status(
        StatusCode::OK,
        &AnalyticsPage {
            page: Layout::signed_in(&me, &req, "analytics", a.title),
            a,
            openings: opts,
            find: q.find.clone(),
            picker_left,
            from: chosen.range.from.to_string(),
            to: chosen.range.to.to_string(),
            errors: Vec::new(),
            sections: Some(sections(&chosen, r, a)),
        },
    )
}

// ---------- CSV ----------

/// One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
/// doubled; a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first)
/// gets a `'` in front.
pub fn csv_cell(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len() + 2);
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.push('\'');
    }
    s.push_str(raw);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Rows as CSV text, each line ending in CRLF.
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for r in rows {
        out.push_str(&r.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

fn response_head() -> Vec<String> {
    ["opening_id", "opening", "candidate_id", "answered_at", "acknowledged_at", "minutes", "target_minutes", "status"].iter().map(|c| c.to_string()).collect()
}

fn response_row(x: &ResponseRow) -> Vec<String> {
    let time = |t: &chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    vec![
        x.opening_id.clone(),
        x.title.clone(),
        x.candidate_id.clone(),
        time(&x.answered_at),
        x.acknowledged_at.as_ref().map(time).unwrap_or_default(),
        x.minutes.to_string(),
        x.target.to_string(),
        x.status.as_str().to_string(),
    ]
}

/// Answers per page of the response CSV.
const CSV_PAGE: i64 = 5_000;

/// The response CSV: its header, then the answers a page at a time, so memory holds one page
/// whatever the count. A database error ends the download early (the client sees it cut).
fn response_csv(state: std::sync::Arc<AppState>, chosen: Chosen) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> {
    let first = Some(web::Bytes::from(csv(&[response_head()])));
    let shared = std::sync::Arc::new(chosen);
    futures_util::stream::unfold((first, None::<AnswerCursor>, false), move |(head, after, done)| {
        let (state, chosen) = (state.clone(), shared.clone());
        async move {
            if let Some(h) = head {
                return Some((Ok(h), (None, after, done)));
            }
            if done {
                return None;
            }
            let now = state.clock.now();
            let c = chosen.clone();
            let cursor = after.clone();
            let page = crate::store::run(&state.pool, move |conn| Ok(store::answers_page(conn, c.scope(), &c.visible, c.range, now, cursor.as_ref(), CSV_PAGE)?)).await;
            match page {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let last = rows.last().map(|x| (x.answered_at, x.candidate_id.clone(), x.opening_id.clone()));
                    let done = (rows.len() as i64) < CSV_PAGE;
                    let body = csv(&rows.iter().map(response_row).collect::<Vec<_>>());
                    Some((Ok(web::Bytes::from(body)), (None, last, done)))
                }
                Err(e) => {
                    tracing::error!(error = %e, "analytics: response CSV page failed");
                    Some((Err(actix_web::error::ErrorInternalServerError("database")), (None, after, true)))
                }
            }
        }
    })
}

fn csv_rows(table: &str, r: &Report) -> Vec<Vec<String>> {
    let n = |v: i64| v.to_string();
    let head = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let mut rows = Vec::new();
    match table {
        "funnel" => {
            rows.push(head(&["opening_id", "opening", "posts", "link_clicks", "replies", "candidates", "shortlisted", "interviewed", "hired"]));
            for f in &r.funnel {
                rows.push(vec![f.opening_id.clone(), f.title.clone(), n(f.posts), n(f.clicks), n(f.replies), n(f.candidates), n(f.shortlisted), n(f.interviewed), n(f.hired)]);
            }
        }
        "channels" => {
            rows.push(head(&["channel", "candidates", "shortlisted", "hired", "link_clicks"]));
            for c in &r.channels {
                rows.push(vec![c.channel.clone(), n(c.candidates), n(c.shortlisted), n(c.hired), n(c.clicks)]);
            }
        }
        "response" => {
            rows.push(response_head());
            rows.extend(r.response.rows.iter().map(response_row));
        }
        _ => {
            rows.push(head(&["period", "new_answers", "new_candidates", "decisions", "link_clicks"]));
            for p in &r.activity {
                rows.push(vec![p.period.clone(), n(p.answers), n(p.candidates), n(p.decisions), n(p.clicks)]);
            }
        }
    }
    rows
}

/// `GET /app/analytics/{table}.csv`: one section's table, with the page's query.
pub async fn download(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, file: web::Path<String>) -> Result<HttpResponse, PageError> {
    let Some(table) = file.strip_suffix(".csv").filter(|t| TABLES.contains(t)).map(str::to_string) else { return Err(PageError::NotFound) };
    let a = crate::i18n::analytics::text(me.lang);
    let q = Query::of(&req);
    let chosen = match choose(&state, &me, &q, a).await? {
        Ok(c) => c,
        Err((errors, visible)) => return refused(&req, &me, &q, errors, &visible),
    };
    let mut ok = HttpResponse::Ok();
    ok.insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"hirecast-{table}-{}-{}.csv\"", chosen.range.from, chosen.range.to)));
    if table == "response" {
        // One row per answer: as many as there were, so sent a page at a time.
        return Ok(ok.streaming(response_csv(state.into_inner(), chosen)));
    }
    let (chosen, mut r) = report(&state, chosen).await?;
    if table == "funnel" {
        // The page leaves out openings with nothing in the period; the download has them all.
        let listed: std::collections::HashSet<String> = r.funnel.iter().map(|f| f.opening_id.clone()).collect();
        let visible = chosen.visible.iter().filter(|o| chosen.opening.as_ref().is_none_or(|c| c.id == o.id));
        r.funnel.extend(visible.filter(|o| !listed.contains(&o.id)).map(|o| FunnelRow { opening_id: o.id.clone(), title: o.title.clone(), ..Default::default() }));
        store::sort_funnel(&mut r.funnel);
    }
    Ok(ok.body(csv(&csv_rows(&table, &r))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for (raw, want) in [("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "\"'\rx\"")] {
            assert_eq!(csv_cell(raw), want, "{raw:?}");
        }
        assert_eq!(csv(&[vec!["a".into(), "b,c".into()], vec!["1".into(), "".into()]]), "a,\"b,c\"\r\n1,\r\n");
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(parse_day("2026-11-01"), NaiveDate::from_ymd_opt(2026, 11, 1));
        for bad in ["2026-13-01", "2026-1-1", "01/11/2026", "", "2026-11-01x"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_picker_lists_every_opening_when_few_and_the_open_ones_or_the_found_ones_when_many() {
        let refs = |n: usize| -> Vec<OpeningRef> {
            (0..n).map(|i| OpeningRef { id: format!("o{i}"), title: format!("{} #{i}", if i % 7 == 0 { "Développeuse Rust" } else { "Comptable" }), response_target_minutes: 30, open: i % 10 == 0 }).collect()
        };
        let few = refs(PICKER);
        let (opts, left) = opening_opts(&few, "o3", "");
        assert_eq!((opts.len(), left), (PICKER, 0));
        assert!(opts.iter().any(|o| o.id == "o3" && o.selected));

        let many = refs(10_000);
        // The open ones (1 in 10), at most PICKER, and the chosen one even when closed.
        let (opts, left) = opening_opts(&many, "o9999", "");
        assert_eq!(opts.len(), PICKER + 1);
        assert_eq!(left, 10_000 - PICKER - 1);
        assert!(opts.iter().filter(|o| o.id != "o9999").all(|o| o.id.trim_start_matches('o').parse::<usize>().unwrap() % 10 == 0));
        assert!(opts.iter().any(|o| o.id == "o9999" && o.selected));
        // A search by part of the title, whatever its case (accents included).
        let (opts, _) = opening_opts(&many, "", "DÉVELOPPEUSE");
        assert_eq!(opts.len(), PICKER);
        assert!(opts.iter().all(|o| o.title.starts_with("Développeuse")));
        let (opts, left) = opening_opts(&many, "", "#9999");
        assert_eq!((opts.len(), left), (1, 9_999));
        assert_eq!(opts[0].id, "o9999");
    }
}
