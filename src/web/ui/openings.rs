//! Openings: list with filters, the editor (create and update), the opening page and its status moves.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, fmt_date, fmt_time, FieldErrors, FormData, Layout, Notice, Opt, SummaryItem};
use crate::domain::opening::*;
use crate::domain::user::Role;
use crate::i18n::ui::UiText;
use crate::i18n::Lang;
use crate::store::openings::{self as store, OpeningFilter, OpeningWriteError};
use crate::web::context::SignedIn;
use crate::web::error::{html, html_status, see_other, PageError};
use crate::web::AppState;

const PER_PAGE: i64 = 25;

/// The opening if `me` may see it; 404 otherwise, so hidden openings do not leak.
pub(super) async fn visible_opening(state: &AppState, me: &SignedIn, id: String) -> Result<Opening, PageError> {
    let user_id = me.user.id.clone();
    let sees_all = me.role().sees_all_openings();
    let found = crate::store::run(&state.pool, move |c| {
        let Some(o) = store::find(c, &id)? else { return Ok(None) };
        if sees_all || store::is_manager_of(c, &o.id, &user_id)? {
            Ok(Some(o))
        } else {
            Ok(None)
        }
    })
    .await
    .map_err(db_err)?;
    found.ok_or(PageError::NotFound)
}

pub(super) fn require_editor(me: &SignedIn) -> Result<(), PageError> {
    if me.role().can_edit_openings() {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

// ---------- list ----------

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    remote: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    language: Option<String>,
    page: Option<String>,
}

pub struct ListRow {
    pub id: String,
    pub title: String,
    pub company: String,
    pub location: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub applications: i64,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "ui/openings_list.html")]
struct ListPage {
    page: Layout,
    q: String,
    status_opts: Vec<Opt>,
    remote_opts: Vec<Opt>,
    type_opts: Vec<Opt>,
    language_opts: Vec<Opt>,
    rows: Vec<ListRow>,
    total_label: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_create: bool,
}

fn opts<T: Copy + PartialEq>(all: &[T], chosen: Option<T>, value: fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Opt> {
    all.iter().map(|v| Opt { value: value(*v), label: label(*v), selected: chosen == Some(*v) }).collect()
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    let lang = me.lang;
    let t = crate::i18n::ui::text(lang);
    // Unknown filter values are ignored rather than refused: they come from links and old bookmarks.
    let pick = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let status = pick(&q.status).and_then(|s| OpeningStatus::parse(&s).ok());
    let remote = pick(&q.remote).and_then(|s| RemotePolicy::parse(&s).ok());
    let kind = pick(&q.kind).and_then(|s| EmploymentType::parse(&s).ok());
    let language = pick(&q.language).and_then(|s| OpeningLanguage::parse(&s).ok());
    let words = pick(&q.q).map(|s| s.chars().take(200).collect::<String>());
    let page_no = q.page.as_deref().and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(1).clamp(1, 100_000);
    let filter = OpeningFilter {
        q: words.clone(),
        status,
        remote_policy: remote,
        employment_type: kind,
        language,
        manager_id: (!me.role().sees_all_openings()).then(|| me.user.id.clone()),
        limit: PER_PAGE,
        offset: (page_no - 1) * PER_PAGE,
        ..Default::default()
    };
    let (openings, total, counts) = crate::store::run(&state.pool, move |c| {
        let (openings, total) = store::list(c, &filter)?;
        let ids: Vec<String> = openings.iter().map(|o| o.id.clone()).collect();
        let counts = store::application_counts(c, &ids)?;
        Ok((openings, total, counts))
    })
    .await
    .map_err(db_err)?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let href = |p: i64| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", words.clone()),
            ("status", status.map(|v| v.as_str().to_string())),
            ("remote", remote.map(|v| v.as_str().to_string())),
            ("type", kind.map(|v| v.as_str().to_string())),
            ("language", language.map(|v| v.as_str().to_string())),
        ] {
            if let Some(v) = v {
                s.append_pair(k, &v);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/app/openings?{}", s.finish())
    };
    let rows = openings
        .iter()
        .map(|o| ListRow {
            id: o.id.clone(),
            title: o.draft.title.clone(),
            company: o.draft.company.clone(),
            location: o.location_label(lang),
            status: o.status.as_str(),
            status_label: o.status.label(lang),
            applications: counts.iter().find(|(id, _)| *id == o.id).map(|(_, n)| *n).unwrap_or(0),
            updated: fmt_date(&o.updated_at),
        })
        .collect();
    html(&ListPage {
        page: Layout::signed_in(&me, &req, "openings", t.openings_title),
        q: words.clone().unwrap_or_default(),
        status_opts: opts(OpeningStatus::ALL, status, OpeningStatus::as_str, |v| v.label(lang)),
        remote_opts: opts(RemotePolicy::ALL, remote, RemotePolicy::as_str, |v| v.label(lang)),
        type_opts: opts(EmploymentType::ALL, kind, EmploymentType::as_str, |v| v.label(lang)),
        language_opts: opts(OpeningLanguage::ALL, language, OpeningLanguage::as_str, |v| v.label(lang)),
        rows,
        total_label: if total == 1 { t.results_count_one.to_string() } else { t.results_count.replace("{n}", &total.to_string()) },
        page_label: t.page_of.replace("{p}", &page_no.to_string()).replace("{n}", &pages.to_string()),
        prev_href: (page_no > 1).then(|| href(page_no - 1)),
        next_href: (page_no < pages).then(|| href(page_no + 1)),
        can_create: me.role().can_edit_openings(),
    })
}

// ---------- editor ----------

/// The editor's values exactly as typed, so a refused form comes back unchanged.
#[derive(Default)]
pub struct EditorValues {
    pub title: String,
    pub company: String,
    pub department: String,
    pub city: String,
    pub country: String,
    pub remote_policy: String,
    pub employment_type: String,
    pub salary_min: String,
    pub salary_max: String,
    pub salary_currency: String,
    pub salary_period: String,
    pub required_skills: String,
    pub nice_to_have_skills: String,
    pub language: String,
    pub description: String,
    pub valid_through: String,
    pub manager_ids: Vec<String>,
    pub shortlist_threshold: String,
    pub response_target_minutes: String,
}

impl EditorValues {
    fn blank(lang: Lang) -> Self {
        Self {
            country: "FR".into(),
            remote_policy: RemotePolicy::OnSite.as_str().into(),
            employment_type: EmploymentType::Permanent.as_str().into(),
            salary_currency: "EUR".into(),
            salary_period: SalaryPeriod::Year.as_str().into(),
            language: lang.code().into(),
            shortlist_threshold: crate::domain::opening::DEFAULT_SHORTLIST_THRESHOLD.to_string(),
            response_target_minutes: crate::domain::opening::DEFAULT_RESPONSE_TARGET_MINUTES.to_string(),
            ..Default::default()
        }
    }

    fn from_opening(o: &Opening) -> Self {
        let i = o.to_input();
        let s = i.salary.clone().unwrap_or_default();
        Self {
            title: i.title,
            company: i.company,
            department: i.department.unwrap_or_default(),
            city: i.city.unwrap_or_default(),
            country: i.country,
            remote_policy: i.remote_policy,
            employment_type: i.employment_type,
            salary_min: s.min.map(|v| v.to_string()).unwrap_or_default(),
            salary_max: s.max.map(|v| v.to_string()).unwrap_or_default(),
            salary_currency: if s.currency.is_empty() { "EUR".into() } else { s.currency },
            salary_period: if s.period.is_empty() { SalaryPeriod::Year.as_str().into() } else { s.period },
            required_skills: i.required_skills.join("\n"),
            nice_to_have_skills: i.nice_to_have_skills.join("\n"),
            language: i.language,
            description: i.description,
            valid_through: i.valid_through.unwrap_or_default(),
            manager_ids: i.hiring_manager_ids,
            shortlist_threshold: i.shortlist_threshold.map(|v| v.to_string()).unwrap_or_default(),
            response_target_minutes: i.response_target_minutes.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    fn from_form(f: &FormData) -> Self {
        Self {
            title: f.get("title"),
            company: f.get("company"),
            department: f.get("department"),
            city: f.get("city"),
            country: f.get("country"),
            remote_policy: f.get("remote_policy"),
            employment_type: f.get("employment_type"),
            salary_min: f.get("salary_min"),
            salary_max: f.get("salary_max"),
            salary_currency: f.get("salary_currency"),
            salary_period: f.get("salary_period"),
            required_skills: f.get("required_skills"),
            nice_to_have_skills: f.get("nice_to_have_skills"),
            language: f.get("language"),
            description: f.get("description"),
            valid_through: f.get("valid_through"),
            manager_ids: f.all("hiring_manager_ids"),
            shortlist_threshold: f.get("shortlist_threshold"),
            response_target_minutes: f.get("response_target_minutes"),
        }
    }

    /// The domain input, and the errors the form itself can see (amounts that are not numbers).
    fn to_input(&self, lang: Lang) -> (OpeningInput, FieldErrors) {
        let t = crate::i18n::ui::text(lang);
        let mut errors = FieldErrors::default();
        let mut amount = |name: &str, raw: &str| -> Option<i64> {
            let cleaned: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
            if cleaned.is_empty() {
                return None;
            }
            match cleaned.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.add(name, t.not_a_number);
                    None
                }
            }
        };
        let shortlist_threshold = amount("shortlist_threshold", &self.shortlist_threshold);
        let response_target_minutes = amount("response_target_minutes", &self.response_target_minutes);
        let min = amount("salary_min", &self.salary_min);
        let max = amount("salary_max", &self.salary_max);
        let salary_typed = !self.salary_min.trim().is_empty() || !self.salary_max.trim().is_empty();
        let salary = (salary_typed && (min.is_some() || max.is_some())).then(|| SalaryInput {
            min,
            max,
            currency: self.salary_currency.clone(),
            period: self.salary_period.clone(),
        });
        let skills = |raw: &str| -> Vec<String> {
            raw.split([',', '\n', '\r']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
        };
        let opt = |s: &str| Some(s.to_string()).filter(|v| !v.trim().is_empty());
        let input = OpeningInput {
            title: self.title.clone(),
            company: self.company.clone(),
            department: opt(&self.department),
            city: opt(&self.city),
            country: self.country.clone(),
            remote_policy: self.remote_policy.clone(),
            employment_type: self.employment_type.clone(),
            salary,
            required_skills: skills(&self.required_skills),
            nice_to_have_skills: skills(&self.nice_to_have_skills),
            language: self.language.clone(),
            description: self.description.clone(),
            valid_through: opt(&self.valid_through),
            hiring_manager_ids: self.manager_ids.clone(),
            shortlist_threshold,
            response_target_minutes,
        };
        (input, errors)
    }
}

/// The form's field name for a domain field: `salary.min` → `salary_min`, `required_skills[2]` → `required_skills`.
fn html_field(domain_field: &str) -> String {
    domain_field.split('[').next().unwrap_or(domain_field).replace('.', "_")
}

fn field_label(t: &UiText, field: &str) -> &'static str {
    match field {
        "title" => t.f_title,
        "company" => t.f_company,
        "department" => t.f_department,
        "city" => t.f_city,
        "country" => t.f_country,
        "remote_policy" => t.f_remote,
        "employment_type" => t.f_type,
        "salary_min" => t.f_salary_min,
        "salary_max" => t.f_salary_max,
        "salary_currency" => t.f_salary_currency,
        "salary_period" => t.f_salary_period,
        "required_skills" => t.f_required_skills,
        "nice_to_have_skills" => t.f_nice_skills,
        "language" => t.f_language,
        "description" => t.f_description,
        "valid_through" => t.f_valid_through,
        "hiring_manager_ids" => t.f_managers,
        "shortlist_threshold" => t.f_shortlist_threshold,
        "response_target_minutes" => t.f_response_target,
        _ => t.f_salary,
    }
}

pub struct ManagerBox {
    pub id: String,
    pub name: String,
    pub email: String,
    pub checked: bool,
}

/// One network's post(s) in the editor's preview panel.
pub struct PreviewCard {
    pub network: &'static str,
    /// The network, and the account's name when one is connected.
    pub label: String,
    pub posts: Vec<PreviewPost>,
    pub dropped: String,
}

pub struct PreviewPost {
    pub text: String,
    pub length: usize,
    pub limit: usize,
    pub over: bool,
}


/// The posts of the editor's current values (when they are valid), with the opening's tracked links.
async fn editor_previews(state: &AppState, opening_id: Option<&str>, v: &EditorValues, lang: Lang) -> Result<Vec<PreviewCard>, PageError> {
    let (input, errors) = v.to_input(lang);
    let Ok(draft) = OpeningDraft::parse(&input, state.clock.today()) else { return Ok(Vec::new()) };
    if !errors.is_empty() {
        return Ok(Vec::new());
    }
    let opening = crate::domain::opening::Opening::unsaved(draft, state.clock.now());
    let lang_of_posts = opening.draft.language.into();
    let links = crate::web::links::PostLinks::new(state, opening_id.map(str::to_string));
    crate::store::run(&state.pool, move |conn| {
        let channels = crate::broadcast::preview_channels(conn, lang_of_posts)?;
        let mut cards = Vec::new();
        for (account, p) in &channels {
            let c = crate::compose::compose(&opening, &links.for_channel(conn, p.network.as_str())?, p);
            cards.push(PreviewCard {
                network: c.network.as_str(),
                label: match account {
                    Some(a) => format!("{} · {}", c.network.label(), a.name),
                    None => c.network.label().to_string(),
                },
                posts: c.posts.iter().map(|p| PreviewPost { text: p.text.clone(), length: p.length, limit: p.limit, over: !p.fits }).collect(),
                dropped: c.dropped.join(", "),
            });
        }
        Ok(cards)
    })
    .await
    .map_err(db_err)
}

#[derive(Template)]
#[template(path = "ui/opening_form.html")]
struct EditorPage {
    page: Layout,
    is_new: bool,
    action: String,
    cancel_href: String,
    v: EditorValues,
    remote_opts: Vec<Opt>,
    type_opts: Vec<Opt>,
    period_opts: Vec<Opt>,
    language_opts: Vec<Opt>,
    managers: Vec<ManagerBox>,
    errors: FieldErrors,
    summary: Vec<SummaryItem>,
    title_max: usize,
    previews: Vec<PreviewCard>,
    opening_id: String,
}

async fn render_editor(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    opening_id: Option<&str>,
    v: EditorValues,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let lang = me.lang;
    let t = crate::i18n::ui::text(lang);
    let managers = crate::store::run(&state.pool, |c| crate::store::users::list_by_role(c, Role::HiringManager)).await.map_err(db_err)?;
    let sel = |all: Vec<(&'static str, &'static str)>, chosen: &str| -> Vec<Opt> {
        all.into_iter().map(|(value, label)| Opt { value, label, selected: value == chosen.trim() }).collect()
    };
    let summary = errors
        .0
        .iter()
        .map(|(f, m)| SummaryItem { field: f.clone(), label: field_label(t, f).to_string(), message: m.clone() })
        .collect();
    let title = if opening_id.is_none() { t.new_opening } else { t.edit_opening };
    let previews = editor_previews(state, opening_id, &v, lang).await?;
    let page = EditorPage {
        previews,
        opening_id: opening_id.unwrap_or_default().to_string(),
        page: Layout::signed_in(me, req, "openings", title),
        is_new: opening_id.is_none(),
        action: opening_id.map(|id| format!("/app/openings/{id}")).unwrap_or_else(|| "/app/openings".into()),
        cancel_href: opening_id.map(|id| format!("/app/openings/{id}")).unwrap_or_else(|| "/app/openings".into()),
        remote_opts: sel(RemotePolicy::ALL.iter().map(|v| (v.as_str(), v.label(lang))).collect(), &v.remote_policy),
        type_opts: sel(EmploymentType::ALL.iter().map(|v| (v.as_str(), v.label(lang))).collect(), &v.employment_type),
        period_opts: sel(SalaryPeriod::ALL.iter().map(|v| (v.as_str(), v.label(lang))).collect(), &v.salary_period),
        language_opts: sel(OpeningLanguage::ALL.iter().map(|v| (v.as_str(), v.label(lang))).collect(), &v.language),
        managers: managers
            .into_iter()
            .map(|u| ManagerBox { checked: v.manager_ids.contains(&u.id), id: u.id, name: u.name, email: u.email })
            .collect(),
        v,
        errors,
        summary,
        title_max: TITLE_MAX,
    };
    html_status(status, &page)
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    require_editor(&me)?;
    render_editor(&req, &state, &me, None, EditorValues::blank(me.lang), FieldErrors::default(), StatusCode::OK).await
}

pub async fn edit_form(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let o = visible_opening(&state, &me, id.into_inner()).await?;
    require_editor(&me)?;
    render_editor(&req, &state, &me, Some(&o.id), EditorValues::from_opening(&o), FieldErrors::default(), StatusCode::OK).await
}

/// Parses the posted editor; Err holds the values and messages to show again.
#[allow(clippy::result_large_err)] // the Err is the whole form to show again, used once.
fn parse_editor(state: &AppState, lang: Lang, body: &[u8]) -> Result<OpeningDraft, (EditorValues, FieldErrors)> {
    let v = EditorValues::from_form(&FormData::parse(body));
    let (input, mut errors) = v.to_input(lang);
    match OpeningDraft::parse(&input, state.clock.today()) {
        Ok(draft) if errors.is_empty() => Ok(draft),
        Ok(_) => Err((v, errors)),
        Err(invalid) => {
            for e in &invalid.0 {
                errors.add(&html_field(&e.field), e.reason_in(lang));
            }
            Err((v, errors))
        }
    }
}

fn write_error_field(lang: Lang, e: &OpeningWriteError) -> Option<FieldErrors> {
    match e {
        OpeningWriteError::UnknownManager(_) => {
            let mut errors = FieldErrors::default();
            errors.add("hiring_manager_ids", crate::i18n::ui::text(lang).unknown_manager);
            Some(errors)
        }
        _ => None,
    }
}

pub async fn create(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    require_editor(&me)?;
    let draft = match parse_editor(&state, me.lang, &body) {
        Ok(d) => d,
        Err((v, errors)) => return render_editor(&req, &state, &me, None, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let user_id = me.user.id.clone();
    let d = draft.clone();
    let result = crate::store::run(&state.pool, move |c| Ok(store::create(c, &d, Some(&user_id)))).await.map_err(db_err)?;
    match result {
        Ok(o) => Ok(see_other(&format!("/app/openings/{}?done=created", o.id))),
        Err(e) => match write_error_field(me.lang, &e) {
            Some(errors) => {
                let v = EditorValues::from_form(&FormData::parse(&body));
                render_editor(&req, &state, &me, None, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => Err(db_err(e)),
        },
    }
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let o = visible_opening(&state, &me, id.into_inner()).await?;
    require_editor(&me)?;
    let draft = match parse_editor(&state, me.lang, &body) {
        Ok(d) => d,
        Err((v, errors)) => return render_editor(&req, &state, &me, Some(&o.id), v, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let oid = o.id.clone();
    let result = crate::store::run(&state.pool, move |c| Ok(store::update(c, &oid, &draft))).await.map_err(db_err)?;
    match result {
        Ok(o) => Ok(see_other(&format!("/app/openings/{}?done=updated", o.id))),
        Err(OpeningWriteError::NotFound) => Err(PageError::NotFound),
        Err(e) => match write_error_field(me.lang, &e) {
            Some(errors) => {
                let v = EditorValues::from_form(&FormData::parse(&body));
                render_editor(&req, &state, &me, Some(&o.id), v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => Err(db_err(e)),
        },
    }
}

// ---------- opening page ----------

pub struct ActionButton {
    pub action: &'static str,
    pub label: &'static str,
}

pub struct ApplicationRowView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub date: String,
    pub has_file: bool,
    /// Only http(s) links are shown as links.
    pub cv_url: Option<String>,
    pub consent_version: String,
}

pub struct Facts {
    pub company: String,
    pub department: Option<String>,
    pub location: String,
    pub employment_type: &'static str,
    pub salary: Option<String>,
    pub required_skills: String,
    pub nice_skills: String,
    pub language: &'static str,
    pub valid_through: Option<String>,
    pub created: String,
    pub published: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/opening.html")]
struct OpeningPage {
    page: Layout,
    id: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    facts: Facts,
    description_html: String,
    notice: Option<Notice>,
    can_edit: bool,
    actions: Vec<ActionButton>,
    public_link: Option<String>,
    managers: Vec<String>,
    applications: Vec<ApplicationRowView>,
    /// All the opening's applications; the page lists the latest [`OPENING_LIST`].
    applications_total: usize,
    /// All the opening's shortlist store; the page lists the best [`OPENING_LIST`].
    shortlist_total: usize,
    link_clicks: Vec<LinkClicksRow>,
    broadcast: super::broadcast::Panel,
    shortlist: Vec<ShortlistRow>,
    stages: Vec<(&'static str, &'static str)>,
    /// Why a channel's replies cannot be read (e.g. the X plan), to say it plainly.
    harvest_notes: Vec<String>,
    searches: Vec<SearchView>,
    /// (id, name) of the connected Mastodon and Bluesky accounts a search can run on.
    search_accounts: Vec<(String, String)>,
    /// The merges of this opening's candidates, newest first.
    merges: Vec<MergeRow>,
    proposals: Vec<ProposalRow>,
    review_link: &'static str,
    analytics_link: &'static str,
    reason_label: &'static str,
    /// A rejection's reasons (code, label).
    reasons: Vec<(&'static str, &'static str)>,
}

/// An open merge proposal as the opening's page lists it.
pub struct ProposalRow {
    pub id: String,
    pub keep: String,
    pub merge: String,
    pub reason: &'static str,
    pub value: String,
}

/// A recorded merge of two candidates as the opening's page lists it.
pub struct MergeRow {
    pub id: String,
    pub kept: String,
    pub absorbed: String,
    pub reason: &'static str,
    /// Who merged them, or "Hirecast".
    pub by: String,
    pub at: String,
    /// "Undone by … on …", when it was.
    pub undone: Option<String>,
}

fn merge_reason(reason: &str, t: &UiText) -> &'static str {
    match reason {
        "email" => t.merge_same_email,
        "phone" => t.merge_same_phone,
        "handle" => t.merge_same_handle,
        "cv" => t.merge_same_cv,
        "document_email" => t.merge_same_document_email,
        _ => t.merge_manual,
    }
}

/// A saved sourcing search as the opening's page lists it.
pub struct SearchView {
    pub id: String,
    pub hashtag: String,
    pub keywords: String,
    pub account: String,
    pub active: bool,
    pub found: i64,
    pub error: Option<String>,
}

/// A candidate of the opening's shortlist store, as the opening's page lists them.
pub struct ShortlistRow {
    pub candidate_id: String,
    pub name: String,
    pub handle: String,
    pub score: i64,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub origin: String,
    pub matched: Vec<String>,
    pub missing: Vec<String>,
    pub has_cv: bool,
    pub date: String,
    /// Who made the latest change of stage, and when.
    pub last_change: String,
}

/// Every stage, with its label, for the decision form.
pub fn stage_choices(lang: Lang) -> Vec<(&'static str, &'static str)> {
    crate::store::sourcing::Stage::ALL.iter().map(|&s| (s.as_str(), stage_label(s, lang))).collect()
}

pub(super) fn stage_label(stage: crate::store::sourcing::Stage, lang: Lang) -> &'static str {
    use crate::store::sourcing::Stage::*;
    match (stage, lang) {
        (New, Lang::En) => "Inbox",
        (New, Lang::Fr) => "À trier",
        (Shortlisted, Lang::En) => "Shortlisted",
        (Shortlisted, Lang::Fr) => "Présélectionné·e",
        (Interview, Lang::En) => "Interview",
        (Interview, Lang::Fr) => "Entretien",
        (Offer, Lang::En) => "Offer",
        (Offer, Lang::Fr) => "Offre",
        (Hired, Lang::En) => "Hired",
        (Hired, Lang::Fr) => "Embauché·e",
        (Rejected, Lang::En) => "Rejected",
        (Rejected, Lang::Fr) => "Refusé·e",
        (Withdrawn, Lang::En) => "Withdrew",
        (Withdrawn, Lang::Fr) => "Désisté·e",
        (OnHold, Lang::En) => "On hold",
        (OnHold, Lang::Fr) => "En attente",
    }
}

fn shortlist_rows(
    entries: Vec<crate::store::sourcing::EntryView>,
    cv_owners: &[String],
    changes: &std::collections::HashMap<String, crate::store::sourcing::StageEvent>,
    lang: Lang,
) -> Vec<ShortlistRow> {
    let t = crate::i18n::ui::text(lang);
    let label = |v: &serde_json::Value| {
        let key = if lang == Lang::Fr { "label_fr" } else { "label_en" };
        v[key].as_str().unwrap_or_default().to_string()
    };
    entries
        .into_iter()
        .map(|e| {
            let x: serde_json::Value = serde_json::from_str(&e.explanation).unwrap_or_default();
            ShortlistRow {
                candidate_id: e.candidate.id.clone(),
                has_cv: cv_owners.contains(&e.candidate.id),
                handle: e.candidate.email.clone().unwrap_or_default(),
                name: e.candidate.name,
                score: e.score,
                stage: e.stage.as_str(),
                stage_label: stage_label(e.stage, lang),
                origin: e.origin,
                matched: x["matched"].as_array().into_iter().flatten().map(label).collect(),
                missing: x["missing"].as_array().into_iter().flatten().map(label).collect(),
                date: fmt_time(&e.created_at),
                last_change: changes
                    .get(&e.candidate.id)
                    .map(|c| match &c.actor {
                        Some(who) => t.stage_by.replace("{who}", who).replace("{when}", &fmt_time(&c.at)),
                        None => t.stage_by_hirecast.replace("{when}", &fmt_time(&c.at)),
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// One channel's tracked link and its clicks so far.
pub struct LinkClicksRow {
    pub channel: String,
    pub short_link: String,
    pub clicks: i64,
}

pub fn http_link(url: &Option<String>) -> Option<String> {
    url.as_ref().filter(|u| {
        let l = u.trim().to_ascii_lowercase();
        l.starts_with("https://") || l.starts_with("http://")
    }).map(|u| u.trim().to_string())
}

pub(super) async fn render_opening(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    o: Opening,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    render_opening_full(req, state, me, o, notice, status, Default::default(), FieldErrors::default()).await
}

/// The opening page, with the broadcast form as typed and its errors.
#[allow(clippy::too_many_arguments)]
pub(super) async fn render_opening_full(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    o: Opening,
    notice: Option<Notice>,
    status: StatusCode,
    publish_values: super::broadcast::PublishValues,
    publish_errors: FieldErrors,
) -> Result<HttpResponse, PageError> {
    let broadcast = super::broadcast::panel(state, me, &o.id, publish_values, publish_errors).await?;
    let lang = me.lang;
    let t = crate::i18n::ui::text(lang);
    let (oid, manager_ids) = (o.id.clone(), o.draft.hiring_manager_ids.clone());
    let (apps, managers, link_clicks, entries, (cv_owners, changes), unsupported) = crate::store::run(&state.pool, move |c| {
        let apps = crate::store::applications::latest_for_opening(c, &oid, OPENING_LIST)?;
        let top = crate::store::sourcing::EntryQuery { limit: OPENING_LIST, ..Default::default() };
        let entries = crate::store::sourcing::entries_page(c, &oid, &top)?;
        let ids: Vec<String> = entries.0.iter().map(|e| e.candidate.id.clone()).collect();
        let changes = crate::store::sourcing::last_changes_of(c, &oid, &ids)?;
        let cv_owners: Vec<String> = {
            use crate::store::schema::candidate_cvs as cv;
            use diesel::prelude::*;
            let mut v: Vec<String> = cv::table.filter(cv::candidate_id.eq_any(&ids)).select(cv::candidate_id).load(c)?;
            v.sort();
            v.dedup();
            v
        };
        let unsupported = crate::store::harvest::unsupported_for_opening(c, &oid)?;
        let accounts = crate::store::channels::list(c, false)?;
        let searches: Vec<SearchView> = crate::store::searches::list_for_opening(c, &oid)?
            .into_iter()
            .map(|s| SearchView {
                account: accounts.iter().find(|a| a.id == s.account_id).map(|a| a.name.clone()).unwrap_or_default(),
                id: s.id,
                hashtag: s.hashtag,
                keywords: s.keywords,
                active: s.active,
                found: s.found,
                error: s.last_error,
            })
            .collect();
        let search_accounts: Vec<(String, String)> =
            accounts.iter().filter(|a| matches!(a.network, crate::compose::Network::Mastodon | crate::compose::Network::Bluesky)).map(|a| (a.id.clone(), a.name.clone())).collect();
        let merges = crate::store::merges::for_opening(c, &oid)?;
        let proposals = crate::store::merges::open_for_opening(c, &oid)?;
        let unsupported = (unsupported, searches, search_accounts, merges, proposals);
        let clicks = crate::store::links::clicks_by_channel(c, &oid)?;
        let codes = crate::store::links::links_of(c, &oid)?;
        let link_clicks: Vec<LinkClicksRow> = clicks
            .into_iter()
            .map(|(channel, clicks)| {
                let code = codes.iter().find(|l| l.channel == channel).map(|l| l.code.clone()).unwrap_or_default();
                LinkClicksRow { channel, short_link: format!("/r/{code}"), clicks }
            })
            .collect();
        let mut managers = Vec::new();
        for id in &manager_ids {
            if let Some(u) = crate::store::users::find(c, id)? {
                managers.push(u.name);
            }
        }
        Ok((apps, managers, link_clicks, entries, (cv_owners, changes), unsupported))
    })
    .await
    .map_err(db_err)?;
    let can_edit = me.role().can_edit_openings();
    let actions = if can_edit {
        [("publish", t.publish, OpeningStatus::Open), ("pause", t.pause, OpeningStatus::Paused), ("close", t.close, OpeningStatus::Closed)]
            .into_iter()
            .filter(|(_, _, to)| o.status.can_become(*to))
            .map(|(action, label, _)| ActionButton { action, label })
            .collect()
    } else {
        Vec::new()
    };
    let d = &o.draft;
    let page = OpeningPage {
        page: Layout::signed_in(me, req, "openings", &d.title),
        id: o.id.clone(),
        title: d.title.clone(),
        status: o.status.as_str(),
        status_label: o.status.label(lang),
        facts: Facts {
            company: d.company.clone(),
            department: d.department.clone(),
            location: o.location_label(lang),
            employment_type: d.employment_type.label(lang),
            salary: o.salary_label(lang),
            required_skills: d.required_skills.join(", "),
            nice_skills: d.nice_skills.join(", "),
            language: d.language.label(lang),
            valid_through: d.valid_through.map(|v| v.to_string()),
            created: fmt_date(&o.created_at),
            published: o.published_at.as_ref().map(fmt_date),
        },
        description_html: o.description_html().into_owned(),
        notice,
        can_edit,
        actions,
        public_link: o.is_live(state.clock.today()).then(|| state.url(&format!("/jobs/{}", o.slug))),
        managers,
        applications_total: apps.1 as usize,
        shortlist_total: entries.1 as usize,
        applications: apps
            .0
            .into_iter()
            .map(|v| ApplicationRowView {
                has_file: v.application.cv_sha256.is_some(),
                cv_url: http_link(&v.application.cv_url),
                id: v.application.id,
                name: v.candidate.name,
                email: v.candidate.email.unwrap_or_default(),
                phone: v.candidate.phone.unwrap_or_default(),
                date: fmt_time(&v.application.created_at),
                consent_version: v.application.consent_version,
            })
            .collect(),
        link_clicks: link_clicks
            .into_iter()
            .map(|r| LinkClicksRow { short_link: state.url(&r.short_link), ..r })
            .collect(),
        shortlist: shortlist_rows(entries.0, &cv_owners, &changes, lang),
        stages: stage_choices(lang),
        harvest_notes: unsupported.0.into_iter().map(|(_, why)| why).collect(),
        searches: unsupported.1,
        search_accounts: unsupported.2,
        merges: unsupported
            .3
            .into_iter()
            .map(|m| MergeRow {
                reason: merge_reason(&m.reason, t),
                by: m.actor.clone().unwrap_or_else(|| "Hirecast".into()),
                at: fmt_time(&m.merged_at),
                undone: m.undone_at.map(|u| t.merge_undone_by.replace("{who}", m.undone_by.as_deref().unwrap_or("?")).replace("{when}", &fmt_time(&u))),
                id: m.id,
                kept: m.survivor_name,
                absorbed: m.absorbed_name,
            })
            .collect(),
        proposals: unsupported
            .4
            .into_iter()
            .map(|p| ProposalRow { reason: merge_reason(&p.reason, t), id: p.id, keep: p.keep_name, merge: p.merge_name, value: p.value })
            .collect(),
        broadcast,
        review_link: crate::i18n::review::text(lang).review_link,
        analytics_link: crate::i18n::review::text(lang).opening_analytics,
        reason_label: crate::i18n::review::text(lang).reject_reason,
        reasons: super::review::reasons(lang),
    };
    html_status(status, &page)
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    /// How many deliveries a publication created.
    n: Option<String>,
}

/// Applications and shortlist entries listed on an opening's page (the review has them all).
const OPENING_LIST: i64 = 50;

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    id: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let o = visible_opening(&state, &me, id.into_inner()).await?;
    let t = crate::i18n::ui::text(me.lang);
    let notice = match q.done.as_deref() {
        Some("created") => Notice::ok(t.done_created),
        Some("updated") => Notice::ok(t.done_updated),
        Some("published") => Notice::ok(t.done_published),
        Some("paused") => Notice::ok(t.done_paused),
        Some("closed") => Notice::ok(t.done_closed),
        Some("search") => Notice::ok(t.search_saved),
        Some("merged") => Notice::ok(t.merge_done),
        Some("unmerged") => Notice::ok(t.merge_undone),
        Some("kept-apart") => Notice::ok(t.proposal_dismissed),
        Some("moved") => Notice::ok(t.stage_moved),
        other => super::broadcast::opening_notice(me.lang, other, q.n.as_deref().and_then(|n| n.parse().ok())),
    };
    render_opening(&req, &state, &me, o, notice, StatusCode::OK).await
}

pub async fn change_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let o = visible_opening(&state, &me, id.into_inner()).await?;
    require_editor(&me)?;
    let (to, done) = match FormData::parse(&body).get("action").as_str() {
        "publish" => (OpeningStatus::Open, "published"),
        "pause" => (OpeningStatus::Paused, "paused"),
        "close" => (OpeningStatus::Closed, "closed"),
        _ => return Err(PageError::BadRequest("action must be publish, pause or close".into())),
    };
    let (today, now) = (state.clock.today(), state.clock.now());
    let oid = o.id.clone();
    let (base, by, current) = (state.settings.base_url.clone(), me.user.id.clone(), o.status);
    // Publishing and closing go through the outbox, so the status change and what it does to
    // the channels' posts are one transaction.
    let result = crate::store::run(&state.pool, move |c| {
        use crate::store::deliveries::{self, PublishError, PublishPlan};
        let outbox = match to {
            // Already open: refused as before (publishing to channels is the broadcast form's job).
            OpeningStatus::Open if current != OpeningStatus::Open => {
                let plan = PublishPlan { targets: Vec::new(), at: None, repost_every_days: None };
                deliveries::publish(c, &oid, &plan, &base, today, now, Some(&by)).map(|_| ())
            }
            OpeningStatus::Closed => deliveries::close_opening(c, &oid, today, now).map(|_| ()),
            _ => return Ok(store::set_status(c, &oid, to, today).map(|_| ())),
        };
        Ok(match outbox {
            Ok(()) => Ok(()),
            Err(PublishError::Opening(e)) => Err(e),
            Err(e) => Err(OpeningWriteError::Unexpected(anyhow::anyhow!(e))),
        })
    })
    .await
    .map_err(db_err)?;
    let t = crate::i18n::ui::text(me.lang);
    let refusal = match result {
        Ok(()) => return Ok(see_other(&format!("/app/openings/{}?done={done}", o.id))),
        Err(OpeningWriteError::NotFound) => return Err(PageError::NotFound),
        Err(OpeningWriteError::Expired(d)) => t.refused_expired.replace("{date}", &d.to_string()),
        Err(OpeningWriteError::BadTransition { from, .. }) => t.refused_transition.replace("{from}", from.label(me.lang)),
        Err(e) => return Err(db_err(e)),
    };
    render_opening(&req, &state, &me, o, Notice::error(&refusal), StatusCode::CONFLICT).await
}
