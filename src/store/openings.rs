//! Openings and their hiring managers.
use anyhow::Context;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::OpeningRow;
use super::schema::{applications, opening_managers, openings, users};
use super::{new_id, DbConn};
use crate::domain::opening::*;
use crate::domain::user::Role;

diesel::define_sql_function! { fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text; }

impl TryFrom<OpeningRow> for Opening {
    type Error = anyhow::Error;
    fn try_from(r: OpeningRow) -> anyhow::Result<Self> {
        let bad = |what: &str| anyhow::anyhow!("Opening {} has an unknown {what} stored", r.id);
        let salary = match (&r.salary_currency, &r.salary_period) {
            (Some(c), Some(p)) if r.salary_min.is_some() || r.salary_max.is_some() => Some(Salary {
                min: r.salary_min,
                max: r.salary_max,
                currency: c.clone(),
                period: SalaryPeriod::parse(p).map_err(|_| bad("salary period"))?,
            }),
            _ => None,
        };
        Ok(Opening {
            draft: OpeningDraft {
                title: r.title.clone(),
                company: r.company.clone(),
                department: r.department.clone(),
                city: r.city.clone(),
                country: r.country.clone(),
                remote_policy: RemotePolicy::parse(&r.remote_policy).map_err(|_| bad("remote policy"))?,
                employment_type: EmploymentType::parse(&r.employment_type).map_err(|_| bad("employment type"))?,
                salary,
                required_skills: serde_json::from_str(&r.required_skills).context("Stored skills are not JSON")?,
                nice_skills: serde_json::from_str(&r.nice_skills).context("Stored skills are not JSON")?,
                language: OpeningLanguage::parse(&r.language).map_err(|_| bad("language"))?,
                description_md: r.description_md.clone(),
                valid_through: r.valid_through,
                hiring_manager_ids: Vec::new(),
                shortlist_threshold: r.shortlist_threshold.clamp(0, 100) as u8,
                response_target_minutes: r.response_target_minutes.clamp(1, crate::domain::opening::RESPONSE_TARGET_MAX) as u32,
            },
            status: OpeningStatus::parse(&r.status).map_err(|_| bad("status"))?,
            id: r.id,
            slug: r.slug,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
            closed_at: r.closed_at,
            rendered: crate::domain::opening::Rendered { html: r.description_html, text: r.description_text },
        })
    }
}

fn row_from(draft: &OpeningDraft, base: OpeningRow) -> anyhow::Result<OpeningRow> {
    // Rendered once here, not on every page, feed and API read.
    let rendered = crate::domain::opening::Rendered::of(&draft.description_md);
    Ok(OpeningRow {
        description_html: rendered.html,
        description_text: rendered.text,
        title: draft.title.clone(),
        company: draft.company.clone(),
        department: draft.department.clone(),
        city: draft.city.clone(),
        country: draft.country.clone(),
        remote_policy: draft.remote_policy.as_str().into(),
        employment_type: draft.employment_type.as_str().into(),
        salary_min: draft.salary.as_ref().and_then(|s| s.min),
        salary_max: draft.salary.as_ref().and_then(|s| s.max),
        salary_currency: draft.salary.as_ref().map(|s| s.currency.clone()),
        salary_period: draft.salary.as_ref().map(|s| s.period.as_str().into()),
        required_skills: serde_json::to_string(&draft.required_skills)?,
        nice_skills: serde_json::to_string(&draft.nice_skills)?,
        language: draft.language.as_str().into(),
        description_md: draft.description_md.clone(),
        valid_through: draft.valid_through,
        shortlist_threshold: draft.shortlist_threshold.into(),
        response_target_minutes: draft.response_target_minutes.into(),
        ..base
    })
}

#[derive(Debug, thiserror::Error)]
pub enum OpeningWriteError {
    #[error("hiring_manager_ids: {0} is not an active hiring manager")]
    UnknownManager(String),
    #[error("status: a {from} opening cannot become {to}")]
    BadTransition { from: OpeningStatus, to: OpeningStatus },
    #[error("valid_through: the opening expired on {0}; set a later date before publishing")]
    Expired(NaiveDate),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for OpeningWriteError {
    fn from(e: diesel::result::Error) -> Self {
        OpeningWriteError::Unexpected(e.into())
    }
}

fn set_managers(conn: &mut DbConn, opening_id: &str, ids: &[String]) -> Result<(), OpeningWriteError> {
    for id in ids {
        let ok: bool = diesel::select(diesel::dsl::exists(
            users::table
                .filter(users::id.eq(id))
                .filter(users::role.eq(Role::HiringManager.as_str()))
                .filter(users::active.eq(true)),
        ))
        .get_result(conn)?;
        if !ok {
            return Err(OpeningWriteError::UnknownManager(id.chars().take(60).collect()));
        }
    }
    diesel::delete(opening_managers::table.filter(opening_managers::opening_id.eq(opening_id))).execute(conn)?;
    for id in ids {
        diesel::insert_into(opening_managers::table)
            .values((opening_managers::opening_id.eq(opening_id), opening_managers::user_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A number that changes whenever this process changes an opening: the careers site's cache
/// keeps what it read under the number it saw before reading, and drops it when it moved.
/// (Another process's changes reach it within the cache's time to live.)
pub fn generation() -> u64 {
    GENERATION.load(std::sync::atomic::Ordering::Acquire)
}

/// Says an opening changed (its row, its status). The store's own writes call it after they
/// commit; a write made elsewhere (SQL by hand, a test) calls it too.
pub fn changed() {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

fn then_changed<T, E>(r: Result<T, E>) -> Result<T, E> {
    changed();
    r
}

/// Renders the descriptions of openings saved before they were rendered at save (once, when
/// the service starts after the migration); returns how many.
pub fn render_missing(conn: &mut DbConn) -> QueryResult<usize> {
    let rows: Vec<(String, String)> = openings::table
        .filter(openings::description_html.eq(""))
        .filter(openings::description_md.ne(""))
        .select((openings::id, openings::description_md))
        .load(conn)?;
    for (id, md) in &rows {
        let r = crate::domain::opening::Rendered::of(md);
        diesel::update(openings::table.find(id))
            .set((openings::description_html.eq(&r.html), openings::description_text.eq(&r.text)))
            .execute(conn)?;
    }
    if !rows.is_empty() {
        changed();
    }
    Ok(rows.len())
}

/// Inserts a draft opening with its managers, in one transaction.
pub fn create(conn: &mut DbConn, draft: &OpeningDraft, created_by: Option<&str>) -> Result<Opening, OpeningWriteError> {
    then_changed(create_tx(conn, draft, created_by))
}

fn create_tx(conn: &mut DbConn, draft: &OpeningDraft, created_by: Option<&str>) -> Result<Opening, OpeningWriteError> {
    super::write_transaction(conn, |conn| {
        let now = super::now();
        let id = new_id();
        let base = OpeningRow {
            id: id.clone(),
            slug: slugify(&draft.title, &crate::auth::short_code(6)),
            title: String::new(),
            company: String::new(),
            department: None,
            city: None,
            country: String::new(),
            remote_policy: String::new(),
            employment_type: String::new(),
            salary_min: None,
            salary_max: None,
            salary_currency: None,
            salary_period: None,
            required_skills: String::new(),
            nice_skills: String::new(),
            language: String::new(),
            description_md: String::new(),
            status: OpeningStatus::Draft.as_str().into(),
            valid_through: None,
            created_by: created_by.map(Into::into),
            created_at: now,
            updated_at: now,
            published_at: None,
            closed_at: None,
            shortlist_threshold: 0,
            response_target_minutes: 0,
            description_html: String::new(),
            description_text: String::new(),
        };
        let row = row_from(draft, base)?;
        diesel::insert_into(openings::table).values(&row).execute(conn)?;
        set_managers(conn, &id, &draft.hiring_manager_ids)?;
        find(conn, &id)?.ok_or(OpeningWriteError::NotFound)
    })
}

/// Replaces the content of an opening (status and slug are kept).
pub fn update(conn: &mut DbConn, id: &str, draft: &OpeningDraft) -> Result<Opening, OpeningWriteError> {
    then_changed(update_tx(conn, id, draft))
}

fn update_tx(conn: &mut DbConn, id: &str, draft: &OpeningDraft) -> Result<Opening, OpeningWriteError> {
    super::write_transaction(conn, |conn| {
        let base = openings::table.find(id).select(OpeningRow::as_select()).first(conn).optional()?.ok_or(OpeningWriteError::NotFound)?;
        let mut row = row_from(draft, base)?;
        row.updated_at = super::now();
        diesel::update(openings::table.find(id)).set(&row).execute(conn)?;
        set_managers(conn, id, &draft.hiring_manager_ids)?;
        find(conn, id)?.ok_or(OpeningWriteError::NotFound)
    })
}

/// Moves an opening to `to`, refusing moves the life cycle does not allow and
/// publishing an opening whose last day has passed.
pub fn set_status(conn: &mut DbConn, id: &str, to: OpeningStatus, today: NaiveDate) -> Result<Opening, OpeningWriteError> {
    then_changed(set_status_tx(conn, id, to, today))
}

fn set_status_tx(conn: &mut DbConn, id: &str, to: OpeningStatus, today: NaiveDate) -> Result<Opening, OpeningWriteError> {
    super::write_transaction(conn, |conn| {
        let current = find(conn, id)?.ok_or(OpeningWriteError::NotFound)?;
        if !current.status.can_become(to) {
            return Err(OpeningWriteError::BadTransition { from: current.status, to });
        }
        if to == OpeningStatus::Open {
            if let Some(d) = current.draft.valid_through.filter(|d| *d < today) {
                return Err(OpeningWriteError::Expired(d));
            }
        }
        let now = super::now();
        let published_at = match to {
            OpeningStatus::Open => Some(current.published_at.unwrap_or(now)),
            _ => current.published_at,
        };
        let closed_at = (to == OpeningStatus::Closed).then_some(now);
        diesel::update(openings::table.find(id))
            .set((
                openings::status.eq(to.as_str()),
                openings::published_at.eq(published_at),
                openings::closed_at.eq(closed_at),
                openings::updated_at.eq(now),
            ))
            .execute(conn)?;
        find(conn, id)?.ok_or(OpeningWriteError::NotFound)
    })
}

fn with_managers(conn: &mut DbConn, mut o: Opening) -> QueryResult<Opening> {
    o.draft.hiring_manager_ids = opening_managers::table
        .filter(opening_managers::opening_id.eq(&o.id))
        .select(opening_managers::user_id)
        .order(opening_managers::user_id.asc())
        .load(conn)?;
    Ok(o)
}

pub fn find(conn: &mut DbConn, id: &str) -> anyhow::Result<Option<Opening>> {
    let row = openings::table.find(id).select(OpeningRow::as_select()).first(conn).optional()?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some(with_managers(conn, Opening::try_from(r)?)?)),
    }
}

pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> anyhow::Result<Option<Opening>> {
    let row = openings::table.filter(openings::slug.eq(slug)).select(OpeningRow::as_select()).first(conn).optional()?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some(with_managers(conn, Opening::try_from(r)?)?)),
    }
}

/// Whether `user_id` is assigned to the opening as a hiring manager.
pub fn is_manager_of(conn: &mut DbConn, opening_id: &str, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        opening_managers::table.filter(opening_managers::opening_id.eq(opening_id)).filter(opening_managers::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Filters for lists (recruiter UI, API and careers site).
#[derive(Debug, Clone, Default)]
pub struct OpeningFilter {
    /// Words matched in title, company, department and city.
    pub q: Option<String>,
    pub status: Option<OpeningStatus>,
    pub remote_policy: Option<RemotePolicy>,
    pub employment_type: Option<EmploymentType>,
    pub language: Option<OpeningLanguage>,
    /// City or country code.
    pub location: Option<String>,
    /// Only openings this hiring manager is assigned to.
    pub manager_id: Option<String>,
    /// Only open openings whose last day is today or later.
    pub live_on: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

fn like_pattern(s: &str) -> String {
    let escaped = s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Openings matching the filter, newest first, and the total count.
pub fn list(conn: &mut DbConn, f: &OpeningFilter) -> anyhow::Result<(Vec<Opening>, i64)> {
    let query = || {
        let mut q = openings::table.into_boxed();
        if let Some(s) = f.status {
            q = q.filter(openings::status.eq(s.as_str()));
        }
        if let Some(r) = f.remote_policy {
            q = q.filter(openings::remote_policy.eq(r.as_str()));
        }
        if let Some(t) = f.employment_type {
            q = q.filter(openings::employment_type.eq(t.as_str()));
        }
        if let Some(l) = f.language {
            q = q.filter(openings::language.eq(l.as_str()));
        }
        if let Some(day) = f.live_on {
            q = q
                .filter(openings::status.eq(OpeningStatus::Open.as_str()))
                .filter(openings::valid_through.is_null().or(openings::valid_through.ge(day)));
        }
        if let Some(loc) = f.location.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let p = like_pattern(loc);
            q = q.filter(lower(openings::city.assume_not_null()).like(p.clone()).escape('\\').or(lower(openings::country).eq(loc.to_lowercase())));
        }
        if let Some(words) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            for w in words.split_whitespace().take(8) {
                let p = like_pattern(w);
                q = q.filter(
                    lower(openings::title)
                        .like(p.clone())
                        .escape('\\')
                        .or(lower(openings::company).like(p.clone()).escape('\\'))
                        .or(lower(openings::department.assume_not_null()).like(p.clone()).escape('\\'))
                        .or(lower(openings::city.assume_not_null()).like(p.clone()).escape('\\')),
                );
            }
        }
        if let Some(m) = &f.manager_id {
            q = q.filter(
                openings::id.eq_any(opening_managers::table.filter(opening_managers::user_id.eq(m.clone())).select(opening_managers::opening_id)),
            );
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    // Live lists sort by publication; others by creation (drafts have no publication date,
    // and the two backends sort NULLs differently).
    let ordered = if f.live_on.is_some() {
        query().order((openings::published_at.desc(), openings::created_at.desc(), openings::id.asc()))
    } else {
        query().order((openings::created_at.desc(), openings::id.asc()))
    };
    let rows = ordered
        .limit(f.limit.clamp(1, 500))
        .offset(f.offset.max(0))
        .select(OpeningRow::as_select())
        .load(conn)?;
    // The managers of every listed opening in one query, not one per opening.
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let managers: Vec<(String, String)> = if ids.is_empty() {
        Vec::new()
    } else {
        opening_managers::table
            .filter(opening_managers::opening_id.eq_any(ids))
            .select((opening_managers::opening_id, opening_managers::user_id))
            .order((opening_managers::opening_id.asc(), opening_managers::user_id.asc()))
            .load(conn)?
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut o = Opening::try_from(r)?;
        o.draft.hiring_manager_ids = managers.iter().filter(|(oid, _)| *oid == o.id).map(|(_, u)| u.clone()).collect();
        out.push(o);
    }
    Ok((out, total))
}

/// Number of applications per opening id, for lists.
pub fn application_counts(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, i64)>> {
    applications::table
        .filter(applications::opening_id.eq_any(ids))
        .group_by(applications::opening_id)
        .select((applications::opening_id, diesel::dsl::count_star()))
        .load(conn)
}
