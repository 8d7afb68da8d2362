//! Rows as stored. Conversions to domain types live next to the queries.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub locale: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub token_hash: String,
    pub user_id: Option<String>,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// Space-separated `domain::user::Scope`s.
    pub scopes: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = openings, treat_none_as_null = true)]
pub struct OpeningRow {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub company: String,
    pub department: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub remote_policy: String,
    pub employment_type: String,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<String>,
    pub required_skills: String,
    pub nice_skills: String,
    pub language: String,
    pub description_md: String,
    pub status: String,
    pub valid_through: Option<NaiveDate>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub shortlist_threshold: i64,
    pub response_target_minutes: i64,
    /// `description_md` rendered when saved (sanitized HTML; folded plain text).
    pub description_html: String,
    pub description_text: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = candidates)]
pub struct CandidateRow {
    pub id: String,
    /// Applicants always have one; people found in replies and profiles may not (yet).
    pub email: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// What their public profile says they do (plain text, sanitized).
    pub headline: Option<String>,
    pub location: Option<String>,
    /// Spoken languages as ISO 639-1 codes, a JSON array.
    pub languages: String,
    pub years_experience: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: String,
    pub opening_id: String,
    pub candidate_id: String,
    pub submission_key: String,
    pub source: String,
    pub cv_url: Option<String>,
    pub cv_sha256: Option<String>,
    pub cv_filename: Option<String>,
    pub cv_content_type: Option<String>,
    pub cv_size: Option<i64>,
    pub message: Option<String>,
    pub consent_version: String,
    pub consent_language: String,
    pub consent_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// The applicant agreed to be kept in the talent pool (2 years instead of 3 months).
    pub talent_pool: bool,
}
