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

impl Sourcing {
    /// Runs one answer through the pipeline and files the person. Never fails because of what
    /// the candidate sent: an unreachable or refused CV link is skipped (and not logged: it
    /// may be a private share link).
    pub async fn ingest(&self, opening: &Opening, threshold: u8, h: &Harvested, at: NaiveDateTime) -> anyhow::Result<Ingested> {
        // The shipped skills with the organization's own (Settings → Skills).
        let taxonomy = crate::store::run(&self.pool, |c| Ok(crate::store::skills::taxonomy(c)?)).await?;
        let reply: Extracted = extract(&h.text);
        let profile: Option<Extracted> = h.profile.as_ref().map(|p| extract(&p.text));
        let mut links = reply.cv_links.clone();
        for l in profile.iter().flat_map(|p| p.cv_links.iter()) {
            if !links.iter().any(|k| k.url == l.url) {
                links.push(l.clone());
            }
        }
        let has_cv_link = !links.is_empty();
        let mut cvs: Vec<FoundCv> = Vec::new();
        for link in links.iter().filter(|l| fetchable(l.kind)).take(MAX_CVS_PER_ANSWER) {
            if let Some(cv) = self.fetch_cv(&link.url).await? {
                if !cvs.iter().any(|c| c.sha256 == cv.sha256) {
                    cvs.push(cv);
                }
            }
        }

        let mut evidence: Vec<Evidence> = vec![Evidence { source: Source::Reply, text: &h.text }];
        if let Some(p) = &h.profile {
            evidence.push(Evidence { source: Source::Profile, text: &p.text });
        }
        for cv in &cvs {
            for (i, page) in cv.pages.iter().enumerate() {
                evidence.push(Evidence { source: Source::Cv { page: (i + 1).min(u16::MAX as usize) as u16 }, text: page });
            }
        }
        // The reply, the profile, then the CVs (a CV says more than a reply: its contacts count too).
        let from_cvs: Vec<Extracted> = cvs.iter().map(|cv| extract(&cv.pages.join("\n"))).collect();
        let mut emails: Vec<String> = Vec::new();
        let mut phones: Vec<String> = Vec::new();
        let mut languages: Vec<&'static str> = Vec::new();
        let mut location = None;
        let mut years = None;
        for e in std::iter::once(&reply).chain(profile.iter()).chain(from_cvs.iter()) {
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
        let found = Found {
            opening_id: opening.id.clone(),
            name: if h.author_name.trim().is_empty() { h.author_handle.clone() } else { h.author_name.clone() },
            handle: Some(h.author_key.clone()),
            emails: emails.clone(),
            phones,
            headline: h.profile.as_ref().map(|p| p.text.chars().take(500).collect()),
            location,
            languages: languages.iter().map(|l| l.to_string()).collect(),
            years_experience: years,
            sources,
            cvs: cvs.clone(),
            origin: if h.kind == SourceKind::SourcingSearch { "sourced" } else { "applied" },
            score: s.total,
            explanation,
            threshold,
            at,
        };
        let filed = crate::store::run(&self.pool, move |c| crate::store::sourcing::file_found(c, &found)).await?;
        Ok(Ingested { filed, has_cv: has_cv_link, emails, score: s.total })
    }

    /// Fetches and reads one CV link; `None` when it is refused, unreachable or unreadable.
    async fn fetch_cv(&self, raw: &str) -> anyhow::Result<Option<FoundCv>> {
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
