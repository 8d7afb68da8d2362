//! Emails to candidates that a reviewer chooses to send (acknowledgement, rejection, next
//! step): per-language templates the recruiters can edit, rendered with the candidate's name
//! and the opening, previewed and edited before sending, and sent once through the team's
//! outbox (`store::notifications`, key `candidate_email:<opening>:<candidate>:<form key>`).
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{candidate_email_templates as t, notifications};
use super::DbConn;
use crate::i18n::Lang;

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailKind {
    Acknowledgement,
    Rejection,
    NextStep,
}

impl EmailKind {
    pub const ALL: [EmailKind; 3] = [EmailKind::Acknowledgement, EmailKind::Rejection, EmailKind::NextStep];
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Acknowledgement => "acknowledgement",
            EmailKind::Rejection => "rejection",
            EmailKind::NextStep => "next_step",
        }
    }
    pub fn parse(s: &str) -> Option<EmailKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (EmailKind::Acknowledgement, Lang::En) => "Acknowledgement",
            (EmailKind::Acknowledgement, Lang::Fr) => "Accusé de réception",
            (EmailKind::Rejection, Lang::En) => "Rejection",
            (EmailKind::Rejection, Lang::Fr) => "Refus",
            (EmailKind::NextStep, Lang::En) => "Next step",
            (EmailKind::NextStep, Lang::Fr) => "Étape suivante",
        }
    }
}

/// Hirecast's own wording: (subject, body). Placeholders: {name}, {title}, {company}.
pub fn default_template(kind: EmailKind, lang: Lang) -> (&'static str, &'static str) {
    match (kind, lang) {
        (EmailKind::Acknowledgement, Lang::Fr) => (
            "Votre candidature : {title}",
            "Bonjour {name},\n\nMerci pour votre candidature au poste {title} chez {company}. Nous l'étudions et revenons vers vous très vite.\n\nBien cordialement,\n{company}",
        ),
        (EmailKind::Acknowledgement, Lang::En) => (
            "Your application: {title}",
            "Hello {name},\n\nThank you for applying to {title} at {company}. We are reviewing your application and will get back to you shortly.\n\nBest regards,\n{company}",
        ),
        (EmailKind::Rejection, Lang::Fr) => (
            "Votre candidature : {title}",
            "Bonjour {name},\n\nMerci de l'intérêt que vous portez à {company}. Après un examen attentif, nous ne donnerons pas suite à votre candidature au poste {title}.\n\nNous vous souhaitons pleine réussite dans vos recherches.\n\n{company}",
        ),
        (EmailKind::Rejection, Lang::En) => (
            "Your application: {title}",
            "Hello {name},\n\nThank you for your interest in {company}. After careful consideration, we will not be moving forward with your application for {title}.\n\nWe wish you every success in your search.\n\n{company}",
        ),
        (EmailKind::NextStep, Lang::Fr) => (
            "Prochaine étape : {title}",
            "Bonjour {name},\n\nVotre profil a retenu notre attention pour le poste {title}. Nous aimerions convenir d'un échange : quelles sont vos disponibilités cette semaine ?\n\nBien cordialement,\n{company}",
        ),
        (EmailKind::NextStep, Lang::En) => (
            "Next step: {title}",
            "Hello {name},\n\nYour profile caught our attention for {title}. We would like to set up a conversation: when are you available this week?\n\nBest regards,\n{company}",
        ),
    }
}

/// A template as used: the organization's own, else the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub body: String,
    pub custom: bool,
}

pub fn template(conn: &mut DbConn, kind: EmailKind, lang: Lang) -> QueryResult<Template> {
    let own: Option<(String, String)> =
        t::table.find((kind.as_str(), lang.code())).select((t::subject, t::body)).first(conn).optional()?;
    Ok(match own {
        Some((subject, body)) => Template { subject, body, custom: true },
        None => {
            let (subject, body) = default_template(kind, lang);
            Template { subject: subject.into(), body: body.into(), custom: false }
        }
    })
}

pub fn save(conn: &mut DbConn, kind: EmailKind, lang: Lang, subject: &str, body: &str, by: &str, now: NaiveDateTime) -> QueryResult<()> {
    super::write_transaction::<_, diesel::result::Error, _>(conn, |conn| {
        diesel::delete(t::table.find((kind.as_str(), lang.code()))).execute(conn)?;
        diesel::insert_into(t::table)
            .values((t::kind.eq(kind.as_str()), t::language.eq(lang.code()), t::subject.eq(subject), t::body.eq(body), t::updated_by.eq(by), t::updated_at.eq(now)))
            .execute(conn)?;
        Ok(())
    })
}

pub fn reset(conn: &mut DbConn, kind: EmailKind, lang: Lang) -> QueryResult<usize> {
    diesel::delete(t::table.find((kind.as_str(), lang.code()))).execute(conn)
}

/// The placeholders filled in (plain text: the HTML part escapes it).
pub fn render(template: &str, name: &str, title: &str, company: &str) -> String {
    template.replace("{name}", name).replace("{title}", title).replace("{company}", company)
}

/// The outbox key of an email to a candidate, from the preview form's own random key.
pub fn key(opening_id: &str, candidate_id: &str, form_key: &str) -> String {
    format!("candidate_email:{opening_id}:{candidate_id}:{form_key}")
}

/// A form key is what `auth::new_token` makes: URL-safe, 16 to 64 characters.
pub fn valid_form_key(k: &str) -> bool {
    (16..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The emails sent (or queued) to a candidate for an opening: (subject, state, queued at), newest first.
pub fn sent(conn: &mut DbConn, opening_id: &str, candidate_id: &str) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    notifications::table
        .filter(notifications::idempotency_key.like(format!("candidate_email:{opening_id}:{candidate_id}:%")))
        .order(notifications::created_at.desc())
        .select((notifications::subject, notifications::state, notifications::created_at))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_fills_in_its_placeholders() {
        for kind in EmailKind::ALL {
            for lang in [Lang::En, Lang::Fr] {
                let (s, b) = default_template(kind, lang);
                let (s, b) = (render(s, "Léa", "Dev Rust", "Acme"), render(b, "Léa", "Dev Rust", "Acme"));
                assert!(!s.contains('{') && !b.contains('{'), "{kind:?} {lang:?}");
                assert!(b.contains("Léa") && b.contains("Dev Rust") && b.contains("Acme"), "{kind:?} {lang:?}");
                assert_eq!(EmailKind::parse(kind.as_str()), Some(kind));
            }
        }
        assert!(valid_form_key(&crate::auth::new_token()));
        assert!(!valid_form_key("short") && !valid_form_key("a/b/c/d/e/f/g/h/i/j/k"));
    }
}
