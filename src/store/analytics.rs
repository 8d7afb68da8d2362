//! Analytics for recruiters: the funnel per opening, first-touch attribution per channel, the
//! time to first response against each opening's target, and activity over time.
//!
//! The pages use [`report`] (module `sql`): the database counts, and only rows per opening,
//! channel, day or minute come back, whatever the size. [`load`] and [`aggregate`] are the
//! reference model: every row loaded and counted in Rust (pure, unit-tested), small enough to
//! read, and the SQL is tested against it on both backends.
mod sql;

pub use sql::{answers_page, report, response_summary, AnswerCursor, Scope};
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{candidate_messages, candidate_sources, candidates, deliveries, link_clicks, opening_managers, openings, shortlist_entries, shortlist_events, tracked_links};
use super::DbConn;

/// A range of days, `from` included, `to` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Range {
    pub fn start(&self) -> NaiveDateTime {
        self.from.and_hms_opt(0, 0, 0).expect("midnight")
    }
    pub fn end(&self) -> NaiveDateTime {
        self.to.and_hms_opt(0, 0, 0).expect("midnight")
    }
    pub fn contains(&self, t: NaiveDateTime) -> bool {
        t >= self.start() && t < self.end()
    }
    pub fn contains_day(&self, d: NaiveDate) -> bool {
        d >= self.from && d < self.to
    }
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }
    /// Activity is counted per ISO week beyond this many days.
    pub fn weekly(&self) -> bool {
        self.days() > 62
    }
}

/// An opening the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningRef {
    pub id: String,
    pub title: String,
    pub response_target_minutes: i64,
    /// Open now (the analytics page's picker lists these first when there are many).
    pub open: bool,
}

/// The openings `manager_id` is assigned to, or every opening (`None`: admins and recruiters),
/// by title.
pub fn visible_openings(conn: &mut DbConn, manager_id: Option<&str>) -> QueryResult<Vec<OpeningRef>> {
    let mut q = openings::table.into_boxed();
    if let Some(m) = manager_id {
        q = q.filter(openings::id.eq_any(opening_managers::table.filter(opening_managers::user_id.eq(m.to_string())).select(opening_managers::opening_id)));
    }
    let rows: Vec<(String, String, i64, String)> =
        q.order((openings::title.asc(), openings::id.asc())).select((openings::id, openings::title, openings::response_target_minutes, openings::status)).load(conn)?;
    Ok(rows.into_iter().map(|(id, title, response_target_minutes, status)| OpeningRef { id, title, response_target_minutes, open: status == "open" }).collect())
}


/// The rows the figures are counted from, for a set of openings.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Published posts and re-posts: (opening, published at).
    pub posts: Vec<(String, NaiveDateTime)>,
    /// Link clicks: (opening, channel, day, clicks).
    pub clicks: Vec<(String, String, NaiveDate, i64)>,
    pub sources: Vec<SourceRow>,
    /// Entries of candidates not merged into another.
    pub entries: Vec<EntryRow>,
    /// Stage events of candidates not merged into another.
    pub events: Vec<EventRow>,
    /// Acknowledgements: every state.
    pub acks: Vec<AckRow>,
}

#[derive(Debug, Clone)]
pub struct SourceRow {
    pub candidate_id: String,
    pub opening_id: String,
    pub kind: String,
    pub network: String,
    pub posted_at: Option<NaiveDateTime>,
    pub harvested_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct EntryRow {
    pub opening_id: String,
    pub candidate_id: String,
    pub state: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub opening_id: String,
    pub candidate_id: String,
    pub to_state: String,
    pub actor_id: Option<String>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct AckRow {
    pub opening_id: String,
    pub candidate_id: String,
    /// When the candidate answered (the message's `created_at`: see `store::harvest::queue_message`).
    pub answered_at: NaiveDateTime,
    pub state: String,
    pub sent_at: Option<NaiveDateTime>,
}

/// Loads what the figures of `ids` over `range` need. Sources, entries, events and messages
/// are loaded for the openings whatever their dates (first touch and stages reached need the
/// whole history); posts and clicks only within the range.
pub fn load(conn: &mut DbConn, ids: &[String], range: Range) -> QueryResult<Loaded> {
    if ids.is_empty() {
        return Ok(Loaded::default());
    }
    let posts: Vec<(String, Option<NaiveDateTime>)> = deliveries::table
        .filter(deliveries::opening_id.eq_any(ids))
        .filter(deliveries::kind.eq_any(["post", "repost"]))
        .filter(deliveries::state.eq("published"))
        .filter(deliveries::published_at.ge(range.start()))
        .filter(deliveries::published_at.lt(range.end()))
        .select((deliveries::opening_id, deliveries::published_at))
        .load(conn)?;
    let clicks: Vec<(String, String, NaiveDate, i64)> = link_clicks::table
        .inner_join(tracked_links::table)
        .filter(tracked_links::opening_id.eq_any(ids))
        .filter(link_clicks::day.ge(range.from))
        .filter(link_clicks::day.lt(range.to))
        .select((tracked_links::opening_id, tracked_links::channel, link_clicks::day, link_clicks::clicks))
        .load(conn)?;
    let sources: Vec<(String, Option<String>, String, String, Option<NaiveDateTime>, NaiveDateTime)> = candidate_sources::table
        .filter(candidate_sources::opening_id.eq_any(ids))
        .select((
            candidate_sources::candidate_id,
            candidate_sources::opening_id,
            candidate_sources::kind,
            candidate_sources::network,
            candidate_sources::posted_at,
            candidate_sources::harvested_at,
        ))
        .load(conn)?;
    let entries: Vec<(String, String, String, NaiveDateTime)> = shortlist_entries::table
        .inner_join(candidates::table)
        .filter(shortlist_entries::opening_id.eq_any(ids))
        .filter(candidates::merged_into.is_null())
        .select((shortlist_entries::opening_id, shortlist_entries::candidate_id, shortlist_entries::state, shortlist_entries::created_at))
        .load(conn)?;
    let events: Vec<(String, String, String, Option<String>, NaiveDateTime)> = shortlist_events::table
        .inner_join(candidates::table.on(candidates::id.eq(shortlist_events::candidate_id)))
        .filter(shortlist_events::opening_id.eq_any(ids))
        .filter(candidates::merged_into.is_null())
        .select((shortlist_events::opening_id, shortlist_events::candidate_id, shortlist_events::to_state, shortlist_events::actor_id, shortlist_events::at))
        .load(conn)?;
    let acks: Vec<(Option<String>, String, NaiveDateTime, String, Option<NaiveDateTime>)> = candidate_messages::table
        .filter(candidate_messages::opening_id.eq_any(ids.iter().map(|s| Some(s.clone())).collect::<Vec<_>>()))
        .filter(candidate_messages::kind.eq("ack"))
        .select((candidate_messages::opening_id, candidate_messages::candidate_id, candidate_messages::created_at, candidate_messages::state, candidate_messages::sent_at))
        .load(conn)?;
    Ok(Loaded {
        posts: posts.into_iter().filter_map(|(o, p)| p.map(|p| (o, p))).collect(),
        clicks,
        sources: sources
            .into_iter()
            .filter_map(|(candidate_id, o, kind, network, posted_at, harvested_at)| {
                o.map(|opening_id| SourceRow { candidate_id, opening_id, kind, network, posted_at, harvested_at })
            })
            .collect(),
        entries: entries.into_iter().map(|(opening_id, candidate_id, state, created_at)| EntryRow { opening_id, candidate_id, state, created_at }).collect(),
        events: events.into_iter().map(|(opening_id, candidate_id, to_state, actor_id, at)| EventRow { opening_id, candidate_id, to_state, actor_id, at }).collect(),
        acks: acks
            .into_iter()
            .filter_map(|(o, candidate_id, answered_at, state, sent_at)| o.map(|opening_id| AckRow { opening_id, candidate_id, answered_at, state, sent_at }))
            .collect(),
    })
}

// ---------- pure aggregation ----------

/// How far along a stage is: shortlisted < interview < offer < hired. Other stages (new,
/// rejected, withdrawn, on hold, any unknown one) advance nothing.
pub fn stage_rank(stage: &str) -> u8 {
    match stage {
        "shortlisted" => 1,
        "interview" => 2,
        "offer" => 3,
        "hired" => 4,
        _ => 0,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelRow {
    pub opening_id: String,
    pub title: String,
    pub posts: i64,
    pub clicks: i64,
    pub replies: i64,
    pub candidates: i64,
    pub shortlisted: i64,
    pub interviewed: i64,
    pub hired: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelRow {
    pub channel: String,
    pub candidates: i64,
    pub shortlisted: i64,
    pub hired: i64,
    pub clicks: i64,
}

/// One acknowledged (or still unacknowledged) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRow {
    pub opening_id: String,
    pub title: String,
    pub candidate_id: String,
    pub answered_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    /// Minutes from the answer to the acknowledgement (sent), or waited so far (not sent).
    pub minutes: i64,
    pub target: i64,
    pub status: ResponseStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    Within,
    Late,
    Waiting,
    Overdue,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Within => "within",
            ResponseStatus::Late => "late",
            ResponseStatus::Waiting => "waiting",
            ResponseStatus::Overdue => "overdue",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseSummary {
    /// Answers acknowledged (within + late).
    pub answered: i64,
    pub within: i64,
    pub late: i64,
    /// Not acknowledged yet, overdue ones included.
    pub waiting: i64,
    /// Of those waiting, past their target.
    pub overdue: i64,
    pub median: Option<i64>,
    pub p90: Option<i64>,
    pub rows: Vec<ResponseRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityRow {
    /// `2026-12-01`, or the ISO week `2026-W49`.
    pub period: String,
    pub answers: i64,
    pub candidates: i64,
    pub decisions: i64,
    pub clicks: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub funnel: Vec<FunnelRow>,
    pub total: FunnelRow,
    pub channels: Vec<ChannelRow>,
    pub response: ResponseSummary,
    pub weekly: bool,
    pub activity: Vec<ActivityRow>,
}

/// The nearest-rank percentile of sorted values (`p` in 0..=1).
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The bucket of a day: itself, or its ISO week.
fn period_of(d: NaiveDate, weekly: bool) -> String {
    if weekly {
        let w = d.iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

/// Funnel rows in title order (case aside), then by id.
pub fn sort_funnel(rows: &mut [FunnelRow]) {
    rows.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.opening_id.cmp(&b.opening_id)));
}

/// The funnel's rows in title order with their total, and the channels most candidates first.
fn finish(funnel: impl IntoIterator<Item = FunnelRow>, channels: impl IntoIterator<Item = ChannelRow>) -> (Vec<FunnelRow>, FunnelRow, Vec<ChannelRow>) {
    let mut funnel: Vec<FunnelRow> = funnel.into_iter().collect();
    sort_funnel(&mut funnel);
    let mut total = FunnelRow::default();
    for r in &funnel {
        total.posts += r.posts;
        total.clicks += r.clicks;
        total.replies += r.replies;
        total.candidates += r.candidates;
        total.shortlisted += r.shortlisted;
        total.interviewed += r.interviewed;
        total.hired += r.hired;
    }
    let mut channels: Vec<ChannelRow> = channels.into_iter().collect();
    channels.sort_by(|a, b| b.candidates.cmp(&a.candidates).then(b.clicks.cmp(&a.clicks)).then(a.channel.cmp(&b.channel)));
    (funnel, total, channels)
}

impl Range {
    /// The first day of the period holding `d`: itself, or its ISO week's Monday.
    fn bucket(&self, d: NaiveDate) -> NaiveDate {
        if self.weekly() {
            d - Duration::days(d.weekday().num_days_from_monday() as i64)
        } else {
            d
        }
    }
    /// Every period of the range, empty ones too, by first day.
    fn periods(&self) -> BTreeMap<NaiveDate, ActivityRow> {
        let mut activity = BTreeMap::new();
        let mut d = self.from;
        while d < self.to {
            activity.entry(self.bucket(d)).or_insert_with(|| ActivityRow { period: period_of(d, self.weekly()), ..Default::default() });
            d += Duration::days(1);
        }
        activity
    }
}

/// Every figure of `openings` over `range`, as of `now` (for what is still waiting).
///
/// The candidates counted are the entries created within the range (a cohort): shortlisted,
/// interviewed and hired are those of them who ever reached that stage or a later one (the
/// stages their events went to, and the current one). Posts, clicks, replies, answers and
/// decisions are counted when they happened within the range.
pub fn aggregate(openings: &[OpeningRef], data: &Loaded, range: Range, now: NaiveDateTime) -> Report {
    let title_of: HashMap<&str, &OpeningRef> = openings.iter().map(|o| (o.id.as_str(), o)).collect();
    let known = |id: &str| title_of.contains_key(id);

    // The furthest stage each (opening, candidate) reached.
    let mut reached: HashMap<(&str, &str), u8> = HashMap::new();
    for e in &data.entries {
        let r = reached.entry((e.opening_id.as_str(), e.candidate_id.as_str())).or_default();
        *r = (*r).max(stage_rank(&e.state));
    }
    for ev in &data.events {
        if let Some(r) = reached.get_mut(&(ev.opening_id.as_str(), ev.candidate_id.as_str())) {
            *r = (*r).max(stage_rank(&ev.to_state));
        }
    }
    // The first touch of each (opening, candidate): the earliest source (posted, else harvested).
    let mut first: HashMap<(&str, &str), (NaiveDateTime, NaiveDateTime, &str)> = HashMap::new();
    for s in &data.sources {
        let when = (s.posted_at.unwrap_or(s.harvested_at), s.harvested_at, s.network.as_str());
        first
            .entry((s.opening_id.as_str(), s.candidate_id.as_str()))
            .and_modify(|f| {
                if when < *f {
                    *f = when;
                }
            })
            .or_insert(when);
    }

    let mut funnel: BTreeMap<&str, FunnelRow> = openings
        .iter()
        .map(|o| (o.id.as_str(), FunnelRow { opening_id: o.id.clone(), title: o.title.clone(), ..Default::default() }))
        .collect();
    let mut channel_rows: BTreeMap<String, ChannelRow> = BTreeMap::new();
    let mut bump = |name: &str, f: &dyn Fn(&mut ChannelRow)| {
        let row = channel_rows.entry(name.to_string()).or_insert_with(|| ChannelRow { channel: name.to_string(), ..Default::default() });
        f(row);
    };

    for (o, at) in &data.posts {
        if let (Some(row), true) = (funnel.get_mut(o.as_str()), range.contains(*at)) {
            row.posts += 1;
        }
    }
    for (o, ch, day, n) in &data.clicks {
        if !range.contains_day(*day) || !known(o) {
            continue;
        }
        if let Some(row) = funnel.get_mut(o.as_str()) {
            row.clicks += n;
        }
        bump(ch, &|r| r.clicks += n);
    }
    for s in &data.sources {
        if s.kind == "reply" && range.contains(s.harvested_at) {
            if let Some(row) = funnel.get_mut(s.opening_id.as_str()) {
                row.replies += 1;
            }
        }
    }
    for e in &data.entries {
        if !range.contains(e.created_at) {
            continue;
        }
        let Some(row) = funnel.get_mut(e.opening_id.as_str()) else { continue };
        let r = reached.get(&(e.opening_id.as_str(), e.candidate_id.as_str())).copied().unwrap_or(0);
        let (s, i, h) = ((r >= 1) as i64, (r >= 2) as i64, (r >= 4) as i64);
        row.candidates += 1;
        row.shortlisted += s;
        row.interviewed += i;
        row.hired += h;
        let network = first.get(&(e.opening_id.as_str(), e.candidate_id.as_str())).map(|f| f.2).unwrap_or("unknown");
        bump(network, &|c| {
            c.candidates += 1;
            c.shortlisted += s;
            c.hired += h;
        });
    }
    let (funnel, total, channels) = finish(funnel.into_values(), channel_rows.into_values());

    // Time to first response: per entry (not merged away) with an acknowledgement owed, its
    // answer within the range.
    let mut acks: HashMap<(&str, &str), (NaiveDateTime, Option<NaiveDateTime>)> = HashMap::new();
    for a in &data.acks {
        let sent = if a.state == "sent" { a.sent_at } else { None };
        acks.entry((a.opening_id.as_str(), a.candidate_id.as_str()))
            .and_modify(|(answered, first_sent)| {
                *answered = (*answered).min(a.answered_at);
                *first_sent = match (*first_sent, sent) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
            })
            .or_insert((a.answered_at, sent));
    }
    let mut response = ResponseSummary::default();
    let mut minutes = Vec::new();
    for e in &data.entries {
        let key = (e.opening_id.as_str(), e.candidate_id.as_str());
        let (Some((answered, sent)), Some(o)) = (acks.get(&key), title_of.get(e.opening_id.as_str())) else { continue };
        if !range.contains(*answered) {
            continue;
        }
        let target = o.response_target_minutes;
        let (m, status) = match sent {
            Some(s) => {
                let m = (*s - *answered).num_minutes().max(0);
                minutes.push(m);
                (m, if m <= target { ResponseStatus::Within } else { ResponseStatus::Late })
            }
            None => {
                let m = (now - *answered).num_minutes().max(0);
                (m, if m > target { ResponseStatus::Overdue } else { ResponseStatus::Waiting })
            }
        };
        match status {
            ResponseStatus::Within => response.within += 1,
            ResponseStatus::Late => response.late += 1,
            ResponseStatus::Overdue => {
                response.waiting += 1;
                response.overdue += 1
            }
            ResponseStatus::Waiting => response.waiting += 1,
        }
        response.rows.push(ResponseRow {
            opening_id: o.id.clone(),
            title: o.title.clone(),
            candidate_id: e.candidate_id.clone(),
            answered_at: *answered,
            acknowledged_at: *sent,
            minutes: m,
            target,
            status,
        });
    }
    response.rows.sort_by(|a, b| a.answered_at.cmp(&b.answered_at).then(a.candidate_id.cmp(&b.candidate_id)));
    response.answered = response.within + response.late;
    minutes.sort_unstable();
    response.median = percentile(&minutes, 0.5);
    response.p90 = percentile(&minutes, 0.9);

    // Activity: every period of the range, empty ones too.
    let weekly = range.weekly();
    let mut activity = range.periods();
    let mut add = |t: NaiveDate, f: &dyn Fn(&mut ActivityRow)| {
        if range.contains_day(t) {
            if let Some(row) = activity.get_mut(&range.bucket(t)) {
                f(row);
            }
        }
    };
    for s in data.sources.iter().filter(|s| known(&s.opening_id)) {
        add(s.harvested_at.date(), &|r| r.answers += 1);
    }
    for e in data.entries.iter().filter(|e| known(&e.opening_id)) {
        add(e.created_at.date(), &|r| r.candidates += 1);
    }
    for ev in data.events.iter().filter(|e| e.actor_id.is_some() && known(&e.opening_id)) {
        add(ev.at.date(), &|r| r.decisions += 1);
    }
    for (_, _, day, n) in data.clicks.iter().filter(|c| known(&c.0)) {
        add(*day, &|r| r.clicks += n);
    }

    Report { funnel, total, channels, response, weekly, activity: activity.into_values().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }
    fn opening(id: &str, target: i64) -> OpeningRef {
        OpeningRef { id: id.into(), title: format!("Opening {id}"), response_target_minutes: target, open: true }
    }
    fn entry(o: &str, c: &str, state: &str, created: &str) -> EntryRow {
        EntryRow { opening_id: o.into(), candidate_id: c.into(), state: state.into(), created_at: at(created) }
    }
    fn event(o: &str, c: &str, to: &str, actor: Option<&str>, when: &str) -> EventRow {
        EventRow { opening_id: o.into(), candidate_id: c.into(), to_state: to.into(), actor_id: actor.map(str::to_string), at: at(when) }
    }
    fn source(o: &str, c: &str, kind: &str, network: &str, posted: Option<&str>, harvested: &str) -> SourceRow {
        SourceRow { candidate_id: c.into(), opening_id: o.into(), kind: kind.into(), network: network.into(), posted_at: posted.map(at), harvested_at: at(harvested) }
    }
    fn range() -> Range {
        Range { from: day("2026-11-01"), to: day("2026-12-01") }
    }

    #[test]
    fn stages_reached_count_later_ones_and_ignore_unknown_ones() {
        assert_eq!(stage_rank("hired"), 4);
        assert_eq!(stage_rank("on_hold"), 0);
        assert_eq!(stage_rank("rejected"), 0);
        let data = Loaded {
            entries: vec![
                // Rejected after an interview: shortlisted and interviewed, not hired.
                entry("o", "a", "rejected", "2026-11-02 10:00"),
                // Hired straight from the inbox: counts as shortlisted and interviewed too.
                entry("o", "b", "hired", "2026-11-03 10:00"),
                // Still new, once on hold (unknown stage): nothing.
                entry("o", "c", "new", "2026-11-04 10:00"),
                // Before the range: not in the cohort.
                entry("o", "d", "hired", "2026-10-30 10:00"),
            ],
            events: vec![
                event("o", "a", "shortlisted", None, "2026-11-02 10:00"),
                event("o", "a", "interview", Some("u"), "2026-11-05 10:00"),
                event("o", "a", "rejected", Some("u"), "2026-11-06 10:00"),
                event("o", "c", "on_hold", Some("u"), "2026-11-06 11:00"),
                event("o", "c", "new", Some("u"), "2026-11-07 11:00"),
                // An event of an entry not loaded (merged away) changes nothing.
                event("o", "zz", "hired", Some("u"), "2026-11-07 11:00"),
            ],
            ..Default::default()
        };
        let r = aggregate(&[opening("o", 30)], &data, range(), at("2026-11-30 00:00"));
        let f = &r.funnel[0];
        assert_eq!((f.candidates, f.shortlisted, f.interviewed, f.hired), (3, 2, 2, 1));
        assert_eq!(r.total, FunnelRow { candidates: 3, shortlisted: 2, interviewed: 2, hired: 1, ..Default::default() });
    }

    #[test]
    fn first_touch_credits_the_earliest_source_of_the_opening() {
        let data = Loaded {
            entries: vec![entry("o", "a", "hired", "2026-11-02 10:00"), entry("o", "b", "shortlisted", "2026-11-02 10:00"), entry("o", "c", "new", "2026-11-02 10:00")],
            sources: vec![
                // Posted earlier on Bluesky though harvested later: Bluesky gets the credit.
                source("o", "a", "reply", "mastodon", Some("2026-11-02 09:00"), "2026-11-02 09:05"),
                source("o", "a", "reply", "bluesky", Some("2026-11-01 09:00"), "2026-11-02 09:30"),
                // No posted time: the harvest time counts.
                source("o", "b", "apply_form", "careers", None, "2026-11-02 08:00"),
                source("o", "b", "reply", "x", Some("2026-11-02 08:30"), "2026-11-02 08:31"),
                // A source of another opening is not this one's first touch.
                source("p", "b", "reply", "linkedin", Some("2026-10-01 08:00"), "2026-10-01 08:00"),
            ],
            clicks: vec![("o".into(), "mastodon".into(), day("2026-11-03"), 7), ("o".into(), "mastodon".into(), day("2026-12-01"), 100)],
            ..Default::default()
        };
        let r = aggregate(&[opening("o", 30)], &data, range(), at("2026-11-30 00:00"));
        let get = |n: &str| r.channels.iter().find(|c| c.channel == n).cloned().unwrap_or_default();
        assert_eq!((get("bluesky").candidates, get("bluesky").shortlisted, get("bluesky").hired), (1, 1, 1));
        assert_eq!((get("careers").candidates, get("careers").shortlisted, get("careers").hired), (1, 1, 0));
        assert_eq!((get("unknown").candidates, get("unknown").shortlisted), (1, 0), "no source: unknown");
        assert_eq!(get("x").candidates, 0);
        assert_eq!((get("mastodon").candidates, get("mastodon").clicks), (0, 7), "clicks of the range only");
        assert_eq!(r.funnel[0].replies, 3, "replies harvested in the range");
        assert_eq!(r.funnel[0].clicks, 7);
    }

    #[test]
    fn response_times_against_the_target_with_percentiles() {
        let acks = |c: &str, answered: &str, state: &str, sent: Option<&str>| AckRow {
            opening_id: "o".into(),
            candidate_id: c.into(),
            answered_at: at(answered),
            state: state.into(),
            sent_at: sent.map(at),
        };
        let data = Loaded {
            entries: ["a", "b", "c", "d", "e"].iter().map(|c| entry("o", c, "new", "2026-11-10 10:00")).collect(),
            acks: vec![
                acks("a", "2026-11-10 10:00", "sent", Some("2026-11-10 10:10")),
                acks("b", "2026-11-10 10:00", "sent", Some("2026-11-10 10:30")),
                acks("c", "2026-11-10 10:00", "sent", Some("2026-11-10 12:00")),
                acks("d", "2026-11-29 23:50", "queued", None),
                acks("e", "2026-11-10 10:00", "failed", None),
                // No entry for it (merged away): not counted.
                acks("z", "2026-11-10 10:00", "sent", Some("2026-11-10 10:01")),
            ],
            ..Default::default()
        };
        let r = aggregate(&[opening("o", 30)], &data, range(), at("2026-11-30 00:00"));
        let s = &r.response;
        assert_eq!((s.answered, s.within, s.late, s.waiting, s.overdue), (3, 2, 1, 2, 1));
        assert_eq!((s.median, s.p90), (Some(30), Some(120)));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), Some(9));
    }

    #[test]
    fn activity_per_day_or_per_iso_week_with_empty_periods() {
        let data = Loaded {
            entries: vec![entry("o", "a", "new", "2026-11-02 10:00")],
            events: vec![event("o", "a", "shortlisted", None, "2026-11-02 10:00"), event("o", "a", "interview", Some("u"), "2026-11-03 10:00")],
            sources: vec![source("o", "a", "reply", "x", None, "2026-11-02 09:00"), source("o", "a", "reply", "x", None, "2026-12-02 09:00")],
            clicks: vec![("o".into(), "x".into(), day("2026-11-03"), 4)],
            ..Default::default()
        };
        let r = aggregate(&[opening("o", 30)], &data, range(), at("2026-11-30 00:00"));
        assert!(!r.weekly);
        assert_eq!(r.activity.len(), 30);
        assert_eq!(r.activity[1], ActivityRow { period: "2026-11-02".into(), answers: 1, candidates: 1, decisions: 0, clicks: 0 });
        assert_eq!(r.activity[2], ActivityRow { period: "2026-11-03".into(), answers: 0, candidates: 0, decisions: 1, clicks: 4 });
        let long = Range { from: day("2026-09-01"), to: day("2026-12-01") };
        let r = aggregate(&[opening("o", 30)], &data, long, at("2026-11-30 00:00"));
        assert!(r.weekly);
        // 2026-09-01 is a Tuesday of week 36; 2026-11-30 is the Monday of week 49.
        assert_eq!(r.activity.first().unwrap().period, "2026-W36");
        assert_eq!(r.activity.last().unwrap().period, "2026-W49");
        let w45 = r.activity.iter().find(|a| a.period == "2026-W45").unwrap();
        assert_eq!((w45.answers, w45.candidates, w45.decisions, w45.clicks), (1, 1, 1, 4));
    }

    #[test]
    fn nothing_at_all_is_zeros_not_a_panic() {
        let r = aggregate(&[], &Loaded::default(), range(), at("2026-11-30 00:00"));
        assert!(r.funnel.is_empty() && r.channels.is_empty());
        assert_eq!(r.response, ResponseSummary::default());
        assert_eq!(r.activity.len(), 30);
    }
}
