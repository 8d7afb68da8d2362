//! One harvested answer (a reply, a profile) to one opening, through the whole pipeline:
//! extract links and contacts, fetch the CV links through the safe fetcher, read them, score
//! the person against the opening with the explanation, and file them in the shortlist store.
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::cv_text::{read_cv, ReadLimits};
use super::extract::{extract, CvLinkKind, Extracted};
use super::score::{resolve_skills, score, CandidateFacts, Evidence, OpeningCriteria, Remote, Source};
use super::skills::Taxonomy;
use crate::domain::opening::Opening;
use crate::fetch::{direct_download_url, FetchPolicy, SafeFetcher};
use crate::store::blobs::BlobStore;
use crate::store::sourcing::{Filed, Found, FoundCv, FoundSource, SourceKind};
use crate::store::Pool;

/// The most CV files read for one answer.
pub const MAX_CVS_PER_ANSWER: usize = 3;

/// What the pipeline runs with: shared, cheap to clone.
#[derive(Clone)]
pub struct Sourcing {
    pub pool: Pool,
    pub blobs: BlobStore,
    pub fetcher: Arc<SafeFetcher>,
}

impl Sourcing {
    pub fn new(pool: Pool, settings: &crate::config::Settings) -> Self {
        let policy = FetchPolicy { allow_hosts: settings.fetch_allow_hosts.clone(), ..Default::default() };
        Self { pool, blobs: BlobStore::new(&settings.data_dir), fetcher: Arc::new(SafeFetcher::new(policy)) }
    }
}

/// A person's profile as the network shows it.
#[derive(Debug, Clone)]
pub struct HarvestedProfile {
    pub remote_id: String,
    pub url: Option<String>,
    /// Plain text: the description and the profile's fields.
    pub text: String,
}

/// One answer as a harvester found it.
#[derive(Debug, Clone)]
pub struct Harvested {
    /// `mastodon`, `bluesky`, `x`.
    pub network: String,
    pub kind: SourceKind,
    pub remote_id: String,
    pub url: Option<String>,
    /// The person's stable identity on the network (`mastodon:lea@example.social`, `bluesky:did:plc:…`).
    pub author_key: String,
    /// As shown (`@lea@example.social`).
    pub author_handle: String,
    pub author_name: String,
    /// Plain text (HTML already reduced).
    pub text: String,
    pub posted_at: Option<NaiveDateTime>,
    pub profile: Option<HarvestedProfile>,
    /// The language tag the network gives the post (Mastodon `language`, Bluesky `langs`, X `lang`).
    pub language: Option<String>,
}

impl Harvested {
    /// The language to answer this person in: the one their text is written in, else the
    /// network's tag for it (often the app's default, so it comes second); `None`: neither
    /// says French or English, and the opening's language is used.
    pub fn language_to_answer(&self) -> Option<crate::i18n::Lang> {
        crate::i18n::Lang::guess(&self.text).or_else(|| self.language.as_deref().and_then(crate::i18n::Lang::from_tag))
    }
}

/// What ingesting an answer did.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub filed: Filed,
    /// The answer carried a CV (a file read, or a CV link such as a LinkedIn profile).
    pub has_cv: bool,
    pub emails: Vec<String>,
    pub score: u8,
}

fn fetchable(kind: CvLinkKind) -> bool {
    !matches!(kind, CvLinkKind::LinkedIn | CvLinkKind::GitHub)
}

/// The opening as the scorer needs it.
pub fn criteria_of(tax: &Taxonomy, o: &Opening) -> OpeningCriteria {
    let d = &o.draft;
    OpeningCriteria {
        required: resolve_skills(tax, &d.required_skills).0,
        nice: resolve_skills(tax, &d.nice_skills).0,
        language: if d.language.as_str() == "fr" { "fr" } else { "en" },
        city: d.city.clone(),
        country: Some(d.country.clone()),
        remote: Remote::parse(d.remote_policy.as_str()).unwrap_or(Remote::OnSite),
        min_years: None,
    }
}

/// One person's answer, whatever its channel, as the pipeline reads it.
struct Answer {
    /// The texts the person wrote (reply, profile, apply form message), in that order.
    texts: Vec<(Source, String)>,
    /// CV links found in those texts, or given on the form.
    links: Vec<super::extract::CvLink>,
    /// CV files already in hand (uploaded on the apply form).
    given_cvs: Vec<FoundCv>,
    /// Contacts the person typed in a form field (they come first).
    given_emails: Vec<String>,
    given_phones: Vec<String>,
    name: String,
    handle: Option<String>,
    headline: Option<String>,
    sources: Vec<FoundSource>,
    origin: &'static str,
}

impl Sourcing {
    /// Runs one answer through the pipeline and files the person. Never fails because of what
    /// the candidate sent: an unreachable or refused CV link is skipped (and not logged: it
    /// may be a private share link).
    pub async fn ingest(&self, opening: &Opening, threshold: u8, h: &Harvested, at: NaiveDateTime) -> anyhow::Result<Ingested> {
        let reply: Extracted = extract(&h.text);
        let profile: Option<Extracted> = h.profile.as_ref().map(|p| extract(&p.text));
        let mut links = reply.cv_links.clone();
        for l in profile.iter().flat_map(|p| p.cv_links.iter()) {
            if !links.iter().any(|k| k.url == l.url) {
                links.push(l.clone());
            }
        }
        let mut texts = vec![(Source::Reply, h.text.clone())];
        if let Some(p) = &h.profile {
            texts.push((Source::Profile, p.text.clone()));
        }
        let mut sources = vec![FoundSource {
            kind: h.kind,
            network: h.network.clone(),
            remote_id: h.remote_id.clone(),
            url: h.url.clone(),
            author: Some(h.author_handle.clone()),
            text: h.text.clone(),
            posted_at: h.posted_at,
        }];
        if let Some(p) = &h.profile {
            sources.push(FoundSource {
                kind: SourceKind::Profile,
                network: h.network.clone(),
                remote_id: p.remote_id.clone(),
                url: p.url.clone(),
                author: Some(h.author_handle.clone()),
                text: p.text.clone(),
                posted_at: None,
            });
        }
        let answer = Answer {
            texts,
            links,
            given_cvs: Vec::new(),
            given_emails: Vec::new(),
            given_phones: Vec::new(),
            name: if h.author_name.trim().is_empty() { h.author_handle.clone() } else { h.author_name.clone() },
            handle: Some(h.author_key.clone()),
            headline: h.profile.as_ref().map(|p| p.text.chars().take(500).collect()),
            sources,
            origin: if h.kind == SourceKind::SourcingSearch { "sourced" } else { "applied" },
        };
        self.file_answer(opening, threshold, answer, at).await
    }

    /// An application from the careers site through the same pipeline: its message, the CV
    /// file uploaded (read from the blob store) or the CV link given (fetched safely), scored
    /// and filed in the opening's shortlist store under the applicant's email.
    pub async fn ingest_application(
        &self,
        opening: &Opening,
        threshold: u8,
        app: &crate::store::models::ApplicationRow,
        candidate: &crate::store::models::CandidateRow,
        at: NaiveDateTime,
    ) -> anyhow::Result<Ingested> {
        let message = app.message.clone().unwrap_or_default();
        let mut links = Vec::new();
        if let Some(url) = app.cv_url.as_deref() {
            let found = extract(url).cv_links;
            match found.into_iter().next() {
                Some(l) => links.push(l),
                None => {
                    if url.starts_with("http://") || url.starts_with("https://") {
                        links.push(super::extract::CvLink { url: url.to_string(), kind: CvLinkKind::PersonalSite });
                    }
                }
            }
        }
        for l in extract(&message).cv_links {
            if !links.iter().any(|k| k.url == l.url) {
                links.push(l);
            }
        }
        let mut given_cvs = Vec::new();
        if let Some(sha) = app.cv_sha256.clone() {
            let bytes = crate::store::blobs::read(&self.pool, &self.blobs, &sha).await?;
            if let Some(bytes) = bytes {
                let kind = crate::domain::candidate::CvKind::sniff(&bytes);
                let text = tokio::task::spawn_blocking(move || read_cv(&bytes, &ReadLimits::default())).await?;
                // The apply form only takes PDF and DOCX files: one whose text cannot be read is
                // still the candidate's CV, kept for the reviewers to open.
                let (format, pages) = match (text, kind) {
                    (Ok(text), _) => (format!("{:?}", text.format).to_lowercase(), text.pages),
                    (Err(_), Some(k)) => (k.extension().to_string(), Vec::new()),
                    (Err(_), None) => (String::new(), Vec::new()),
                };
                if !format.is_empty() {
                    given_cvs.push(FoundCv { sha256: sha, source_url: None, format, size: app.cv_size.unwrap_or(0), pages });
                }
            }
        }
        let answer = Answer {
            texts: vec![(Source::ApplyForm, message.clone())],
            links,
            given_cvs,
            given_emails: candidate.email.iter().cloned().collect(),
            given_phones: candidate.phone.iter().filter_map(|p| super::extract::extract(p).phones.into_iter().next()).collect(),
            name: candidate.name.clone(),
            handle: None,
            headline: None,
            sources: vec![FoundSource {
                kind: SourceKind::ApplyForm,
                network: "careers".into(),
                remote_id: app.id.clone(),
                url: None,
                author: candidate.email.clone(),
                text: message,
                posted_at: Some(app.created_at),
            }],
            origin: "applied",
        };
        self.file_answer(opening, threshold, answer, at).await
    }

    /// The common part: fetch and read the CVs (within the candidate's limits), score, file.
    async fn file_answer(&self, opening: &Opening, threshold: u8, a: Answer, at: NaiveDateTime) -> anyhow::Result<Ingested> {
        // The shipped skills with the organization's own (Settings → Skills).
        let taxonomy = crate::store::run(&self.pool, |c| Ok(crate::store::skills::taxonomy(c)?)).await?;
        let extracted: Vec<Extracted> = a.texts.iter().map(|(_, t)| extract(t)).collect();
        let has_cv_link = !a.links.is_empty() || !a.given_cvs.is_empty();

        // A person already known keeps within their limits: no more files than allowed.
        let known_ids: Vec<(crate::store::sourcing::IdentityKind, String)> = {
            use crate::store::sourcing::IdentityKind;
            let mut v: Vec<(IdentityKind, String)> = a.handle.iter().map(|h| (IdentityKind::Handle, h.clone())).collect();
            // Only what the person gave names them (an email found in a text may be another's).
            for e in &a.given_emails {
                v.push((IdentityKind::Email, e.to_lowercase()));
            }
            v
        };
        // Only an answer with CVs asks the store (most replies carry none).
        let budget = if has_cv_link {
            crate::store::run(&self.pool, move |c| Ok(crate::store::sourcing::cv_budget(c, &known_ids)?)).await?
        } else {
            crate::store::sourcing::CvBudget::FULL
        };
        let mut cvs: Vec<FoundCv> = Vec::new();
        let mut room = budget;
        for cv in a.given_cvs {
            if room.take(cv.size) && !cvs.iter().any(|c| c.sha256 == cv.sha256) {
                cvs.push(cv);
            }
        }
        for link in a.links.iter().filter(|l| fetchable(l.kind)).take(MAX_CVS_PER_ANSWER) {
            if room.files == 0 {
                break;
            }
            if let Some(cv) = self.fetch_cv(&link.url, room.bytes).await? {
                if !cvs.iter().any(|c| c.sha256 == cv.sha256) && room.take(cv.size) {
                    cvs.push(cv);
                }
            }
        }

        let mut evidence: Vec<Evidence> = a.texts.iter().map(|(src, text)| Evidence { source: *src, text }).collect();
        for cv in &cvs {
            for (i, page) in cv.pages.iter().enumerate() {
                evidence.push(Evidence { source: Source::Cv { page: (i + 1).min(u16::MAX as usize) as u16 }, text: page });
            }
        }
        // What the person typed in a field, the texts, then the CVs (a CV says more than a
        // reply: its contacts count too).
        let from_cvs: Vec<Extracted> = cvs.iter().map(|cv| extract(&cv.pages.join("\n"))).collect();
        let mut emails: Vec<String> = a.given_emails.iter().map(|e| e.to_lowercase()).collect();
        let mut phones: Vec<String> = a.given_phones.clone();
        let mut languages: Vec<&'static str> = Vec::new();
        let mut location = None;
        let mut years = None;
        for e in extracted.iter().chain(from_cvs.iter()) {
            push_new(&mut emails, e.emails.iter().cloned());
            push_new(&mut phones, e.phones.iter().cloned());
            push_new(&mut languages, e.languages.iter().copied());
            location = location.or_else(|| e.location.clone());
            years = years.max(e.years_experience);
        }
        let facts = CandidateFacts { location: location.clone(), languages: languages.clone(), years_experience: years };
        let criteria = criteria_of(&taxonomy, opening);
        let s = score(&taxonomy, &criteria, &evidence, &facts);
        let explanation = explanation_json(&taxonomy, &s);

        let found = Found {
            opening_id: opening.id.clone(),
            name: a.name,
            handle: a.handle,
            given_emails: a.given_emails.iter().map(|e| e.to_lowercase()).collect(),
            emails: emails.clone(),
            phones,
            headline: a.headline,
            location,
            languages: languages.iter().map(|l| l.to_string()).collect(),
            years_experience: years,
            sources: a.sources,
            cvs: cvs.clone(),
            origin: a.origin,
            score: s.total,
            explanation,
            threshold,
            at,
        };
        let filed = crate::store::run(&self.pool, move |c| crate::store::sourcing::file_found(c, &found)).await?;
        Ok(Ingested { filed, has_cv: has_cv_link, emails, score: s.total })
    }

    /// Fetches and reads one CV link; `None` when it is refused, unreachable or unreadable.
    async fn fetch_cv(&self, raw: &str, max_bytes: i64) -> anyhow::Result<Option<FoundCv>> {
        let Ok(parsed) = url::Url::parse(raw) else { return Ok(None) };
        let target = direct_download_url(&parsed).unwrap_or(parsed);
        let fetched = match self.fetcher.fetch(target.as_str()).await {
            Ok(f) => f,
            Err(e) => {
                tracing::info!(reason = %e, "a CV link was not fetched");
                return Ok(None);
            }
        };
        let bytes = fetched.bytes;
        if bytes.len() as i64 > max_bytes {
            tracing::info!("a CV link was not kept: the candidate's files would exceed their size limit");
            return Ok(None);
        }
        let text = tokio::task::spawn_blocking({
            let bytes = bytes.clone();
            move || read_cv(&bytes, &ReadLimits::default())
        })
        .await?;
        let Ok(text) = text else { return Ok(None) };
        let sha = hex::encode(Sha256::digest(&bytes));
        let blobs = self.blobs.clone();
        let size = bytes.len() as i64;
        let stored = {
            let (blobs, bytes) = (blobs.clone(), bytes.clone());
            tokio::task::spawn_blocking(move || blobs.put(&bytes)).await??
        };
        debug_assert_eq!(stored, sha);
        // Several instances on one PostgreSQL all read the file from the database.
        crate::store::run(&self.pool, move |c| crate::store::blobs::share(c, &sha, &bytes).map_err(Into::into)).await?;
        Ok(Some(FoundCv {
            sha256: stored,
            source_url: Some(raw.to_string()),
            format: format!("{:?}", text.format).to_lowercase(),
            size,
            pages: text.pages,
        }))
    }
}

/// Appends the values not already in `to`, in order.
fn push_new<T: PartialEq>(to: &mut Vec<T>, values: impl Iterator<Item = T>) {
    for v in values {
        if !to.contains(&v) {
            to.push(v);
        }
    }
}

/// The score's explanation as stored and shown: every criterion with its points and reasons,
/// the skills matched with their evidence, the required skills missing.
pub fn explanation_json(tax: &Taxonomy, s: &super::score::Score) -> String {
    let source = |src: &Source| match src {
        Source::Reply => json!({"kind": "reply"}),
        Source::Profile => json!({"kind": "profile"}),
        Source::Cv { page } => json!({"kind": "cv", "page": page}),
        Source::ApplyForm => json!({"kind": "apply_form"}),
    };
    json!({
        "total": s.total,
        "criteria": s.criteria.iter().map(|c| json!({"key": c.key, "points": c.points, "max": c.max, "reason_en": c.reason_en, "reason_fr": c.reason_fr})).collect::<Vec<_>>(),
        "matched": s.matched.iter().map(|m| {
            let k = tax.get(m.skill);
            json!({"skill": k.slug, "label_en": k.label_en, "label_fr": k.label_fr, "required": m.required, "source": source(&m.source), "snippet": m.snippet})
        }).collect::<Vec<_>>(),
        "missing": s.missing.iter().map(|id| { let k = tax.get(*id); json!({"skill": k.slug, "label_en": k.label_en, "label_fr": k.label_fr}) }).collect::<Vec<_>>(),
    })
    .to_string()
}
