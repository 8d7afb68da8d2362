//! What the API answers: response bodies, documented for the OpenAPI document.
use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::opening::{EmploymentType, Opening, OpeningLanguage, OpeningStatus, RemotePolicy, SalaryPeriod};
use crate::domain::user::Role;
use crate::store::applications::ApplicationView;
use crate::store::users::User;
use crate::web::AppState;

/// RFC 3339 in UTC: stored times are UTC without an offset.
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalaryOut {
    pub min: Option<i64>,
    pub max: Option<i64>,
    #[schema(example = "EUR")]
    pub currency: String,
    pub period: SalaryPeriod,
}

/// A stored opening.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningOut {
    pub id: String,
    /// Used in the careers-site address.
    pub slug: String,
    pub status: OpeningStatus,
    pub title: String,
    pub company: String,
    pub department: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    pub remote_policy: RemotePolicy,
    pub employment_type: EmploymentType,
    pub salary: Option<SalaryOut>,
    pub required_skills: Vec<String>,
    pub nice_to_have_skills: Vec<String>,
    pub language: OpeningLanguage,
    /// Markdown, as written.
    pub description: String,
    /// The description rendered to sanitized HTML.
    pub description_html: String,
    /// Last day the opening accepts candidates (YYYY-MM-DD).
    #[schema(format = Date)]
    pub valid_through: Option<String>,
    pub hiring_manager_ids: Vec<String>,
    /// Candidates scoring at least this (0 to 100) are shortlisted automatically.
    pub shortlist_threshold: i64,
    /// How soon (minutes) a candidate is acknowledged.
    pub response_target_minutes: i64,
    /// Address of the opening on the careers site.
    #[schema(example = "https://jobs.example.com/jobs/developpeur-rust-ab12cd")]
    pub public_url: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
}

impl OpeningOut {
    pub fn new(o: &Opening, state: &AppState) -> Self {
        let d = &o.draft;
        OpeningOut {
            id: o.id.clone(),
            slug: o.slug.clone(),
            status: o.status,
            title: d.title.clone(),
            company: d.company.clone(),
            department: d.department.clone(),
            city: d.city.clone(),
            country: d.country.clone(),
            remote_policy: d.remote_policy,
            employment_type: d.employment_type,
            salary: d.salary.as_ref().map(|s| SalaryOut { min: s.min, max: s.max, currency: s.currency.clone(), period: s.period }),
            required_skills: d.required_skills.clone(),
            nice_to_have_skills: d.nice_skills.clone(),
            language: d.language,
            description: d.description_md.clone(),
            description_html: o.description_html().into_owned(),
            valid_through: d.valid_through.map(date),
            hiring_manager_ids: d.hiring_manager_ids.clone(),
            shortlist_threshold: d.shortlist_threshold.into(),
            response_target_minutes: d.response_target_minutes.into(),
            public_url: state.url(&format!("/jobs/{}", o.slug)),
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
            published_at: o.published_at.map(rfc3339),
            closed_at: o.closed_at.map(rfc3339),
        }
    }
}

/// One page of openings.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningList {
    pub items: Vec<OpeningOut>,
    /// Openings matching the filters, over all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// An application to an opening, with the candidate's details.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationOut {
    pub id: String,
    pub opening_id: String,
    pub candidate: CandidateOut,
    /// Where the candidate came from (careers site, a network...).
    pub source: String,
    /// Link to an online CV or profile, if given.
    pub cv_url: Option<String>,
    /// Whether a CV file is attached.
    pub cv_attached: bool,
    /// Path of the attached CV in the recruiter app (needs a session), when there is one.
    pub cv_download_path: Option<String>,
    pub cv_filename: Option<String>,
    pub message: Option<String>,
    /// Version of the privacy notice the candidate agreed to.
    pub consent_version: String,
    pub consent_language: String,
    #[schema(format = DateTime)]
    pub consent_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&ApplicationView> for ApplicationOut {
    fn from(v: &ApplicationView) -> Self {
        let a = &v.application;
        let attached = a.cv_sha256.is_some();
        ApplicationOut {
            id: a.id.clone(),
            opening_id: a.opening_id.clone(),
            candidate: CandidateOut {
                id: v.candidate.id.clone(),
                name: v.candidate.name.clone(),
                email: v.candidate.email.clone().unwrap_or_default(),
                phone: v.candidate.phone.clone(),
            },
            source: a.source.clone(),
            cv_url: a.cv_url.clone(),
            cv_attached: attached,
            cv_download_path: attached.then(|| format!("/app/applications/{}/cv", a.id)),
            cv_filename: a.cv_filename.clone(),
            message: a.message.clone(),
            consent_version: a.consent_version.clone(),
            consent_language: a.consent_language.clone(),
            consent_at: rfc3339(a.consent_at),
            created_at: rfc3339(a.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationOut>,
}

/// The caller. (No password or token hash is ever part of an answer.)
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Preferred language (`fr`, `en`), if chosen.
    pub locale: Option<String>,
}

impl From<&User> for MeOut {
    fn from(u: &User) -> Self {
        MeOut { id: u.id.clone(), email: u.email.clone(), name: u.name.clone(), role: u.role, locale: u.locale.map(|l| l.code().to_string()) }
    }
}
