//! A job opening: what a recruiter writes once and hirecast spreads everywhere.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{optional_text, text};
use super::{FieldError, Invalid};
use crate::i18n::Lang;

pub const TITLE_MAX: usize = 150;
pub const SKILL_MAX: usize = 60;
pub const SKILLS_MAX: usize = 50;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const SALARY_MAX: i64 = 1_000_000_000;

/// Declares a closed set of values stored as text, with labels in both languages.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($variant:ident = $s:literal, $en:literal, $fr:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $( #[serde(rename = $s)] $variant ),+ }

        // By hand: utoipa's derive does not see the serde renames through this macro and
        // documented "Draft" for "draft" (found by schemathesis).
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }
        impl ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),+ } }
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) { $(($name::$variant, Lang::En) => $en, ($name::$variant, Lang::Fr) => $fr),+ }
            }
            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                match raw.trim() {
                    $($s => Ok($name::$variant),)+
                    other => {
                        let allowed = [$($s),+].join(", ");
                        let shown: String = other.chars().take(40).collect();
                        Err(FieldError::new(
                            $field, "invalid_choice",
                            format!("'{shown}' is not one of: {allowed}"),
                            format!("« {shown} » n'est pas une valeur permise ({allowed})"),
                        ))
                    }
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

text_enum!(
    /// Where the work happens.
    RemotePolicy, "remote_policy", {
    OnSite = "on-site", "On-site", "Sur site";
    Hybrid = "hybrid", "Hybrid", "Hybride";
    Remote = "remote", "Remote", "Télétravail complet";
});

text_enum!(
    /// The contract.
    EmploymentType, "employment_type", {
    Permanent = "permanent", "Permanent", "CDI";
    FixedTerm = "fixed-term", "Fixed-term", "CDD";
    Freelance = "freelance", "Freelance", "Freelance";
    Internship = "internship", "Internship", "Stage";
    Apprenticeship = "apprenticeship", "Apprenticeship", "Alternance";
    PartTime = "part-time", "Part-time", "Temps partiel";
});

text_enum!(
    /// Life cycle of an opening.
    OpeningStatus, "status", {
    Draft = "draft", "Draft", "Brouillon";
    Open = "open", "Open", "Publiée";
    Paused = "paused", "Paused", "En pause";
    Closed = "closed", "Closed", "Clôturée";
});

text_enum!(
    /// What a salary amount is per.
    SalaryPeriod, "salary.period", {
    Year = "year", "per year", "par an";
    Month = "month", "per month", "par mois";
    Day = "day", "per day", "par jour";
    Hour = "hour", "per hour", "de l'heure";
});

text_enum!(
    /// Language an opening is written in.
    OpeningLanguage, "language", {
    Fr = "fr", "French", "Français";
    En = "en", "English", "Anglais";
});

impl EmploymentType {
    /// schema.org / Google for Jobs `employmentType`.
    pub fn schema_org(self) -> &'static str {
        match self {
            Self::Permanent => "FULL_TIME",
            Self::FixedTerm => "TEMPORARY",
            Self::Freelance => "CONTRACTOR",
            Self::Internship => "INTERN",
            Self::Apprenticeship => "OTHER",
            Self::PartTime => "PART_TIME",
        }
    }
}

impl SalaryPeriod {
    pub fn schema_org(self) -> &'static str {
        match self {
            Self::Year => "YEAR",
            Self::Month => "MONTH",
            Self::Day => "DAY",
            Self::Hour => "HOUR",
        }
    }
}

impl OpeningStatus {
    /// Allowed moves: publish (draft/paused/closed → open), pause (open → paused), close (any but closed → closed).
    pub fn can_become(self, to: OpeningStatus) -> bool {
        use OpeningStatus::*;
        matches!((self, to), (Draft | Paused | Closed, Open) | (Open, Paused) | (Draft | Open | Paused, Closed))
    }
}

impl From<OpeningLanguage> for Lang {
    fn from(l: OpeningLanguage) -> Lang {
        match l {
            OpeningLanguage::Fr => Lang::Fr,
            OpeningLanguage::En => Lang::En,
        }
    }
}

/// Salary range as typed by the recruiter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SalaryInput {
    /// Lower bound in whole currency units (e.g. 45000).
    pub min: Option<i64>,
    /// Upper bound in whole currency units; at least `min`.
    pub max: Option<i64>,
    /// ISO 4217 code, e.g. EUR.
    #[schema(example = "EUR")]
    pub currency: String,
    #[schema(value_type = SalaryPeriod)]
    pub period: String,
}

/// An opening as written by a recruiter, before validation (API body and form alike).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    #[schema(example = "Développeur·se Rust (H/F)")]
    pub title: String,
    #[schema(example = "Acme Logistique")]
    pub company: String,
    #[serde(default)]
    pub department: Option<String>,
    /// Required unless the opening is fully remote.
    #[serde(default)]
    #[schema(example = "Lyon")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[schema(example = "FR")]
    pub country: String,
    #[schema(value_type = RemotePolicy)]
    pub remote_policy: String,
    #[schema(value_type = EmploymentType)]
    pub employment_type: String,
    #[serde(default)]
    pub salary: Option<SalaryInput>,
    #[serde(default)]
    pub required_skills: Vec<String>,
    #[serde(default)]
    pub nice_to_have_skills: Vec<String>,
    #[schema(value_type = OpeningLanguage)]
    pub language: String,
    /// Markdown; rendered to sanitized HTML.
    #[serde(default)]
    pub description: String,
    /// Last day the opening accepts candidates (YYYY-MM-DD).
    #[serde(default)]
    #[schema(example = "2026-12-31")]
    pub valid_through: Option<String>,
    /// Users with the hiring-manager role who review this opening.
    #[serde(default)]
    pub hiring_manager_ids: Vec<String>,
    /// Candidates scoring at least this (0 to 100) are shortlisted automatically; the others
    /// wait in the inbox. Default 60.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, example = 60)]
    pub shortlist_threshold: Option<i64>,
    /// How soon (minutes) a candidate is acknowledged; the dashboard measures against it.
    /// Default 30.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10080, example = 30)]
    pub response_target_minutes: Option<i64>,
}

pub const DEFAULT_SHORTLIST_THRESHOLD: u8 = 60;
pub const DEFAULT_RESPONSE_TARGET_MINUTES: u32 = 30;
/// A week.
pub const RESPONSE_TARGET_MAX: i64 = 7 * 24 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salary {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub currency: String,
    pub period: SalaryPeriod,
}

/// A valid opening's content (everything a recruiter edits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningDraft {
    pub title: String,
    pub company: String,
    pub department: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub remote_policy: RemotePolicy,
    pub employment_type: EmploymentType,
    pub salary: Option<Salary>,
    pub required_skills: Vec<String>,
    pub nice_skills: Vec<String>,
    pub language: OpeningLanguage,
    pub description_md: String,
    pub valid_through: Option<NaiveDate>,
    pub hiring_manager_ids: Vec<String>,
    pub shortlist_threshold: u8,
    pub response_target_minutes: u32,
}

const CURRENCIES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "MAD", "TND",
    "DZD", "XOF", "XAF", "SGD", "HKD", "INR", "CNY", "BRL", "MXN", "NZD", "ZAR", "AED", "ILS", "TRY",
];

fn country(raw: &str) -> Result<String, FieldError> {
    let v = raw.trim().to_ascii_uppercase();
    if v.len() == 2 && v.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(v)
    } else {
        Err(FieldError::new(
            "country",
            "invalid_country",
            "must be a two-letter ISO 3166 country code such as FR or BE",
            "doit être un code pays ISO 3166 à deux lettres, comme FR ou BE",
        ))
    }
}

fn skills(field: &str, raw: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let Some(v) = optional_text(&format!("{field}[{i}]"), s, SKILL_MAX)? else { continue };
        if !out.iter().any(|o| o.to_lowercase() == v.to_lowercase()) {
            out.push(v);
        }
    }
    if out.len() > SKILLS_MAX {
        return Err(FieldError::new(
            field,
            "too_many",
            format!("has {} skills; at most {SKILLS_MAX} are allowed", out.len()),
            format!("contient {} compétences ; {SKILLS_MAX} au maximum", out.len()),
        ));
    }
    Ok(out)
}

fn salary(input: &SalaryInput) -> Result<Option<Salary>, FieldError> {
    if input.min.is_none() && input.max.is_none() {
        return Ok(None);
    }
    for (name, v) in [("salary.min", input.min), ("salary.max", input.max)] {
        if let Some(v) = v {
            if !(0..=SALARY_MAX).contains(&v) {
                return Err(FieldError::new(
                    name,
                    "out_of_range",
                    format!("must be between 0 and {SALARY_MAX}"),
                    format!("doit être compris entre 0 et {SALARY_MAX}"),
                ));
            }
        }
    }
    if let (Some(min), Some(max)) = (input.min, input.max) {
        if min > max {
            return Err(FieldError::new(
                "salary.min",
                "min_above_max",
                format!("the minimum ({min}) is above the maximum ({max})"),
                format!("le minimum ({min}) dépasse le maximum ({max})"),
            ));
        }
    }
    let currency = input.currency.trim().to_ascii_uppercase();
    if !CURRENCIES.contains(&currency.as_str()) {
        return Err(FieldError::new(
            "salary.currency",
            "invalid_currency",
            "must be an ISO 4217 currency code such as EUR, USD, GBP or CHF",
            "doit être un code devise ISO 4217 comme EUR, USD, GBP ou CHF",
        ));
    }
    let period = SalaryPeriod::parse(&input.period)?;
    Ok(Some(Salary { min: input.min, max: input.max, currency, period }))
}

pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "invalid_date",
            "must be a date written YYYY-MM-DD, such as 2026-12-31",
            "doit être une date au format AAAA-MM-JJ, par exemple 2026-12-31",
        )
    })
}

impl OpeningDraft {
    /// Parses an input; `today` is the clock's date, so a past `valid_through` is refused.
    pub fn parse(input: &OpeningInput, today: NaiveDate) -> Result<Self, Invalid> {
        let mut inv = Invalid::default();
        let title = inv.take(text("title", &input.title, TITLE_MAX));
        let company = inv.take(text("company", &input.company, 200));
        let department = inv.take(optional_text("department", input.department.as_deref().unwrap_or(""), 200));
        let city = inv.take(optional_text("city", input.city.as_deref().unwrap_or(""), 100));
        let country = inv.take(country(&input.country));
        let remote_policy = inv.take(RemotePolicy::parse(&input.remote_policy));
        let employment_type = inv.take(EmploymentType::parse(&input.employment_type));
        let salary = match &input.salary {
            Some(s) => inv.take(salary(s)),
            None => Some(None),
        };
        let required_skills = inv.take(skills("required_skills", &input.required_skills));
        let nice_skills = inv.take(skills("nice_to_have_skills", &input.nice_to_have_skills));
        let language = inv.take(OpeningLanguage::parse(&input.language));
        let description_md = input.description.trim().to_string();
        if description_md.chars().count() > DESCRIPTION_MAX {
            inv.push(FieldError::new(
                "description",
                "too_long",
                format!("is longer than {DESCRIPTION_MAX} characters"),
                format!("dépasse {DESCRIPTION_MAX} caractères"),
            ));
        }
        let valid_through = match input.valid_through.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(raw) => match parse_date("valid_through", raw) {
                Ok(d) if d < today => {
                    inv.push(FieldError::new(
                        "valid_through",
                        "in_the_past",
                        format!("{d} is in the past"),
                        format!("le {d} est déjà passé"),
                    ));
                    None
                }
                Ok(d) => Some(Some(d)),
                Err(e) => {
                    inv.push(e);
                    None
                }
            },
        };
        if let (Some(RemotePolicy::OnSite | RemotePolicy::Hybrid), Some(None)) = (remote_policy, &city) {
            inv.push(FieldError::new(
                "city",
                "required",
                "is required for on-site and hybrid openings",
                "est obligatoire pour un poste sur site ou hybride",
            ));
        }
        if let (Some(req), Some(nice)) = (&required_skills, &nice_skills) {
            if let Some(dup) = nice.iter().find(|n| req.iter().any(|r| r.to_lowercase() == n.to_lowercase())) {
                inv.push(FieldError::new(
                    "nice_to_have_skills",
                    "duplicate",
                    format!("'{dup}' is already a required skill"),
                    format!("« {dup} » figure déjà dans les compétences requises"),
                ));
            }
        }
        let shortlist_threshold = match input.shortlist_threshold {
            None => DEFAULT_SHORTLIST_THRESHOLD,
            Some(v @ 0..=100) => v as u8,
            Some(v) => {
                inv.push(FieldError::new(
                    "shortlist_threshold",
                    "out_of_range",
                    format!("must be a score from 0 to 100, not {v}"),
                    format!("doit être une note de 0 à 100, pas {v}"),
                ));
                DEFAULT_SHORTLIST_THRESHOLD
            }
        };
        let response_target_minutes = match input.response_target_minutes {
            None => DEFAULT_RESPONSE_TARGET_MINUTES,
            Some(v) if (1..=RESPONSE_TARGET_MAX).contains(&v) => v as u32,
            Some(v) => {
                inv.push(FieldError::new(
                    "response_target_minutes",
                    "out_of_range",
                    format!("must be from 1 to {RESPONSE_TARGET_MAX} minutes (a week), not {v}"),
                    format!("doit être de 1 à {RESPONSE_TARGET_MAX} minutes (une semaine), pas {v}"),
                ));
                DEFAULT_RESPONSE_TARGET_MINUTES
            }
        };
        let mut managers: Vec<String> = Vec::new();
        for id in &input.hiring_manager_ids {
            let id = id.trim().to_string();
            if !id.is_empty() && !managers.contains(&id) {
                managers.push(id);
            }
        }
        if !inv.is_empty() {
            return Err(inv);
        }
        // Every Option below is Some: any None pushed an error above.
        Ok(Self {
            title: title.unwrap_or_default(),
            company: company.unwrap_or_default(),
            department: department.flatten(),
            city: city.flatten(),
            country: country.unwrap_or_default(),
            remote_policy: remote_policy.unwrap_or(RemotePolicy::OnSite),
            employment_type: employment_type.unwrap_or(EmploymentType::Permanent),
            salary: salary.flatten(),
            required_skills: required_skills.unwrap_or_default(),
            nice_skills: nice_skills.unwrap_or_default(),
            language: language.unwrap_or(OpeningLanguage::En),
            description_md,
            valid_through: valid_through.flatten(),
            hiring_manager_ids: managers,
            shortlist_threshold,
            response_target_minutes,
        })
    }
}

/// A stored opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub id: String,
    pub slug: String,
    pub draft: OpeningDraft,
    pub status: OpeningStatus,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub published_at: Option<chrono::NaiveDateTime>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    /// The description as rendered when the opening was saved (empty: not rendered yet).
    pub rendered: Rendered,
}

/// An opening's description rendered once, when saved: sanitized HTML and folded plain text.
/// Derived from `description_md`, so not part of an opening's equality.
#[derive(Debug, Clone, Default, Eq)]
pub struct Rendered {
    pub html: String,
    pub text: String,
}

impl PartialEq for Rendered {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Rendered {
    pub fn of(md: &str) -> Self {
        Rendered { html: crate::domain::markdown::to_safe_html(md), text: crate::domain::markdown::plain_text(md) }
    }
}

impl Opening {
    /// The description as sanitized HTML: the copy saved with the opening, else rendered now.
    pub fn description_html(&self) -> std::borrow::Cow<'_, str> {
        if !self.rendered.html.is_empty() || self.draft.description_md.trim().is_empty() {
            std::borrow::Cow::Borrowed(&self.rendered.html)
        } else {
            std::borrow::Cow::Owned(crate::domain::markdown::to_safe_html(&self.draft.description_md))
        }
    }

    /// The description as folded plain text, cut at `max` characters.
    pub fn description_text(&self, max: usize) -> String {
        if !self.rendered.text.is_empty() || self.draft.description_md.trim().is_empty() {
            crate::domain::markdown::cut(&self.rendered.text, max)
        } else {
            crate::domain::markdown::to_plain_text(&self.draft.description_md, max)
        }
    }

    /// An opening not saved yet (the editor's current values), for previews.
    pub fn unsaved(draft: OpeningDraft, now: chrono::NaiveDateTime) -> Self {
        Opening {
            id: String::new(),
            slug: slugify(&draft.title, "preview"),
            draft,
            status: OpeningStatus::Draft,
            created_at: now,
            updated_at: now,
            published_at: None,
            closed_at: None,
            rendered: Rendered::default(),
        }
    }

    /// Visible on the careers site and its feeds: open and not past its last day.
    pub fn is_live(&self, today: NaiveDate) -> bool {
        self.status == OpeningStatus::Open && self.draft.valid_through.is_none_or(|d| d >= today)
    }

    /// "Lyon, FR" / "Remote (FR)".
    pub fn location_label(&self, lang: Lang) -> String {
        let d = &self.draft;
        match (&d.city, d.remote_policy) {
            (Some(city), RemotePolicy::Remote) => format!("{city}, {} · {}", d.country, d.remote_policy.label(lang)),
            (None, _) => format!("{} · {}", d.country, d.remote_policy.label(lang)),
            (Some(city), RemotePolicy::OnSite) => format!("{city}, {}", d.country),
            (Some(city), p) => format!("{city}, {} · {}", d.country, p.label(lang)),
        }
    }

    /// "45 000 – 55 000 EUR per year", or None.
    pub fn salary_label(&self, lang: Lang) -> Option<String> {
        let s = self.draft.salary.as_ref()?;
        let n = |v: i64| group_thousands(v, lang);
        let range = match (s.min, s.max) {
            (Some(a), Some(b)) if a == b => n(a),
            (Some(a), Some(b)) => format!("{} – {}", n(a), n(b)),
            (Some(a), None) => match lang {
                Lang::Fr => format!("à partir de {}", n(a)),
                Lang::En => format!("from {}", n(a)),
            },
            (None, Some(b)) => match lang {
                Lang::Fr => format!("jusqu'à {}", n(b)),
                Lang::En => format!("up to {}", n(b)),
            },
            (None, None) => return None,
        };
        Some(format!("{range} {} {}", s.currency, s.period.label(lang)))
    }

    /// The input that reproduces this opening (editing form, API echo).
    pub fn to_input(&self) -> OpeningInput {
        let d = &self.draft;
        OpeningInput {
            title: d.title.clone(),
            company: d.company.clone(),
            department: d.department.clone(),
            city: d.city.clone(),
            country: d.country.clone(),
            remote_policy: d.remote_policy.as_str().into(),
            employment_type: d.employment_type.as_str().into(),
            salary: d.salary.as_ref().map(|s| SalaryInput {
                min: s.min,
                max: s.max,
                currency: s.currency.clone(),
                period: s.period.as_str().into(),
            }),
            required_skills: d.required_skills.clone(),
            nice_to_have_skills: d.nice_skills.clone(),
            language: d.language.as_str().into(),
            description: d.description_md.clone(),
            valid_through: d.valid_through.map(|v| v.to_string()),
            hiring_manager_ids: d.hiring_manager_ids.clone(),
            shortlist_threshold: Some(d.shortlist_threshold.into()),
            response_target_minutes: Some(d.response_target_minutes.into()),
        }
    }
}

pub fn group_thousands(v: i64, lang: Lang) -> String {
    let digits = v.abs().to_string();
    let sep = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// URL slug from a title: ASCII, lower case, dashes, at most 60 characters, plus a random suffix.
pub fn slugify(title: &str, suffix: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut s = String::new();
    for c in title.nfkd() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if unicode_normalization::char::is_combining_mark(c) || c.is_alphanumeric() {
            // Accents fall away after NFKD; letters with no ASCII form are left out.
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
        if s.len() >= 60 {
            break;
        }
    }
    let s = s.trim_matches('-');
    if s.is_empty() {
        suffix.to_string()
    } else {
        format!("{s}-{suffix}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    pub fn valid() -> OpeningInput {
        OpeningInput {
            title: "Développeur Rust (H/F)".into(),
            company: "Acme".into(),
            city: Some("Lyon".into()),
            country: "fr".into(),
            remote_policy: "hybrid".into(),
            employment_type: "permanent".into(),
            required_skills: vec!["Rust".into(), "rust".into(), "PostgreSQL".into()],
            language: "fr".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_valid_input_and_dedups_skills() {
        let d = OpeningDraft::parse(&valid(), today()).unwrap();
        assert_eq!(d.country, "FR");
        assert_eq!(d.required_skills, vec!["Rust", "PostgreSQL"]);
    }

    #[test]
    fn reports_every_bad_field() {
        let mut i = valid();
        i.title = "x".repeat(10_000);
        i.city = None;
        i.salary = Some(SalaryInput { min: Some(60_000), max: Some(40_000), currency: "EUR".into(), period: "year".into() });
        i.valid_through = Some("2026-02-30".into());
        i.employment_type = "cdi".into();
        let e = OpeningDraft::parse(&i, today()).unwrap_err();
        for f in ["title", "city", "salary.min", "valid_through", "employment_type"] {
            assert!(e.for_field(f).is_some(), "missing error for {f}: {e}");
        }
        assert_eq!(e.for_field("salary.min").unwrap().code, "min_above_max");
    }

    #[test]
    fn refuses_past_dates_and_remote_needs_no_city() {
        let mut i = valid();
        i.valid_through = Some("2026-11-21".into());
        assert_eq!(OpeningDraft::parse(&i, today()).unwrap_err().0[0].code, "in_the_past");
        i.valid_through = Some("2026-11-22".into());
        i.remote_policy = "remote".into();
        i.city = None;
        assert!(OpeningDraft::parse(&i, today()).is_ok());
    }

    #[test]
    fn status_moves() {
        use OpeningStatus::*;
        assert!(Draft.can_become(Open));
        assert!(Open.can_become(Paused));
        assert!(!Closed.can_become(Paused));
        assert!(!Draft.can_become(Paused));
        assert!(!Closed.can_become(Closed));
    }

    #[test]
    fn slugs_fold_accents() {
        assert_eq!(slugify("Développeur·se Rust (H/F) — Lyon", "ab12cd"), "developpeur-se-rust-h-f-lyon-ab12cd");
        assert_eq!(slugify("开发者", "ab12cd"), "ab12cd");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(45000, Lang::En), "45,000");
        assert_eq!(group_thousands(1234567, Lang::Fr), "1\u{202f}234\u{202f}567");
    }
}
