//! /app/team: admins invite people and manage roles and access.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, FieldErrors, FormData, Layout, Notice, Opt};
use crate::domain::email::Email;
use crate::domain::user::Role;
use crate::store::users::{self, AddUserError, User};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

const INVITE_DAYS: i64 = 7;

fn require_admin(me: &SignedIn) -> Result<(), PageError> {
    if me.role() == Role::Admin {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_label: &'static str,
    pub role_opts: Vec<Opt>,
    pub state: &'static str,
    pub state_label: &'static str,
    pub active: bool,
    pub is_me: bool,
}

pub struct InviteForm {
    pub email: String,
    pub name: String,
    pub role_opts: Vec<Opt>,
}

pub struct InviteLink {
    pub intro: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "ui/team.html")]
struct TeamPage {
    page: Layout,
    members: Vec<Member>,
    invite: InviteForm,
    errors: FieldErrors,
    link: Option<InviteLink>,
    notice: Option<Notice>,
}

fn role_opts(lang: crate::i18n::Lang, chosen: Role) -> Vec<Opt> {
    Role::ALL.iter().map(|r| Opt { value: r.as_str(), label: r.label(lang), selected: *r == chosen }).collect()
}

#[allow(clippy::too_many_arguments)]
async fn render(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    invite: Option<(String, String, Role)>,
    errors: FieldErrors,
    link: Option<InviteLink>,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let lang = me.lang;
    let t = crate::i18n::ui::text(lang);
    let list = crate::store::run(&state.pool, users::list).await.map_err(db_err)?;
    let members = list
        .into_iter()
        .map(|u: User| {
            let (st, label) = match (u.active, u.has_password) {
                (false, _) => ("deactivated", t.state_deactivated),
                (true, false) => ("invited", t.state_invited),
                (true, true) => ("active", t.state_active),
            };
            Member {
                is_me: u.id == me.user.id,
                role_label: u.role.label(lang),
                role_opts: role_opts(lang, u.role),
                state: st,
                state_label: label,
                active: u.active,
                id: u.id,
                name: u.name,
                email: u.email,
            }
        })
        .collect();
    let (email, name, role) = invite.unwrap_or((String::new(), String::new(), Role::Recruiter));
    html_status(
        status,
        &TeamPage {
            page: Layout::signed_in(me, req, "team", t.team_title),
            members,
            invite: InviteForm { email, name, role_opts: role_opts(lang, role) },
            errors,
            link,
            notice,
        },
    )
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let notice = (q.done.as_deref() == Some("saved")).then(|| Notice::ok(t.done_updated)).flatten();
    render(&req, &state, &me, None, FieldErrors::default(), None, notice, StatusCode::OK).await
}

pub async fn invite(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let lang = me.lang;
    let t = crate::i18n::ui::text(lang);
    let form = FormData::parse(&body);
    let (raw_email, raw_name, raw_role) = (form.get("email"), form.get("name"), form.get("role"));
    let mut errors = FieldErrors::default();
    let email = Email::parse("email", &raw_email).map_err(|e| errors.add("email", e.reason_in(lang))).ok();
    let name = crate::domain::error::text("name", &raw_name, 200).map_err(|e| errors.add("name", e.reason_in(lang))).ok();
    let role = Role::parse(&raw_role).map_err(|e| errors.add("role", e.reason_in(lang))).ok();
    let kept = (raw_email.clone(), raw_name.clone(), role.unwrap_or(Role::Recruiter));
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return render(&req, &state, &me, Some(kept), errors, None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let n = name.clone();
    let added = crate::store::run(&state.pool, move |c| Ok(users::add_with_invite(c, &email, &n, role, chrono::Duration::days(INVITE_DAYS))))
        .await
        .map_err(db_err)?;
    match added {
        Ok((user, token)) => {
            tracing::info!(user_id = %user.id, role = role.as_str(), "user invited");
            let link = InviteLink { intro: t.invite_link_intro.replace("{name}", &name), url: state.url(&format!("/setup/{token}")) };
            render(&req, &state, &me, None, FieldErrors::default(), Some(link), None, StatusCode::OK).await
        }
        Err(AddUserError::EmailTaken) => {
            errors.add("email", t.email_taken);
            render(&req, &state, &me, Some(kept), errors, None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AddUserError::Unexpected(e)) => Err(db_err(e)),
    }
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let form = FormData::parse(&body);
    let role = Role::parse(&form.get("role")).map_err(|e| PageError::BadRequest(e.reason))?;
    let active = match form.get("active").as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(PageError::BadRequest("active must be true or false".into())),
    };
    let target_id = id.into_inner();
    let me_id = me.user.id.clone();
    let tid = target_id.clone();
    // None: saved; Some(message): refused.
    let outcome = crate::store::run(&state.pool, move |c| {
        let Some(target) = users::find(c, &tid)? else { return Ok(Err(())) };
        let loses_admin = target.role == Role::Admin && target.active && (role != Role::Admin || !active);
        if target.id == me_id && (role != target.role || !active) {
            return Ok(Ok(Some(t.refuse_self)));
        }
        if loses_admin && users::other_active_admins(c, &target.id)? == 0 {
            return Ok(Ok(Some(t.refuse_last_admin)));
        }
        users::update_membership(c, &target.id, role, active)?;
        Ok(Ok(None))
    })
    .await
    .map_err(db_err)?;
    match outcome {
        Err(()) => Err(PageError::NotFound),
        Ok(None) => Ok(see_other("/app/team?done=saved")),
        Ok(Some(message)) => render(&req, &state, &me, None, FieldErrors::default(), None, Notice::error(message), StatusCode::CONFLICT).await,
    }
}
