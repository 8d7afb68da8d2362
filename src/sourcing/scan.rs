//! `hirecast scan`: JSON lines of replies in, one JSON line of findings out per reply, in
//! order, streaming (memory stays flat whatever the input's length).
use std::io::{BufRead, Write};

use serde::Deserialize;
use serde_json::json;

use super::extract::{extract_into, Extracted};
use super::index::{MatchScratch, OpeningIndex};
use super::score::{resolve_skills, OpeningCriteria, Remote};
use super::skills::{SkillHit, Taxonomy};

/// An opening as `--openings` gives it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanOpening {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub required_skills: Vec<String>,
    #[serde(default)]
    pub nice_to_have_skills: Vec<String>,
    pub language: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub remote: Option<String>,
}

impl ScanOpening {
    pub fn criteria(&self, tax: &Taxonomy) -> Result<OpeningCriteria, String> {
        let language = match self.language.as_str() {
            "fr" => "fr",
            "en" => "en",
            other => return Err(format!("opening {}: language must be fr or en, not {other:?}", self.id)),
        };
        let remote = match self.remote.as_deref() {
            None => Remote::OnSite,
            Some(r) => Remote::parse(r).ok_or_else(|| format!("opening {}: remote must be on-site, hybrid or remote", self.id))?,
        };
        Ok(OpeningCriteria {
            required: resolve_skills(tax, &self.required_skills).0,
            nice: resolve_skills(tax, &self.nice_to_have_skills).0,
            language,
            city: self.location.clone(),
            country: None,
            remote,
            min_years: None,
        })
    }
}

#[derive(Deserialize)]
struct Line {
    id: serde_json::Value,
    text: String,
}

/// How many openings each reply lists, best first.
pub const TOP_MATCHES: usize = 5;

/// Scans `input` line by line; returns (lines answered, lines refused).
pub fn scan(tax: &Taxonomy, index: &OpeningIndex, input: &mut dyn BufRead, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<(usize, usize)> {
    let mut line = String::new();
    let mut found = Extracted::default();
    let mut hits: Vec<SkillHit> = Vec::new();
    let mut scratch = MatchScratch::default();
    let mut matches: Vec<(u32, u8)> = Vec::new();
    let (mut ok, mut bad, mut n) = (0, 0, 0usize);
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        n += 1;
        let raw = line.trim_end_matches(['\n', '\r']);
        if raw.trim().is_empty() {
            continue;
        }
        let parsed: Line = match serde_json::from_str(raw) {
            Ok(l) => l,
            Err(e) => {
                writeln!(err, "line {n}: {e} (each line must be {{\"id\": ..., \"text\": \"...\"}})")?;
                bad += 1;
                continue;
            }
        };
        extract_into(&parsed.text, &mut found);
        tax.find_into(&parsed.text, &mut hits);
        index.matches_with(&mut scratch, &hits, TOP_MATCHES, &mut matches);
        let mut skills: Vec<&str> = Vec::new();
        for h in &hits {
            let slug = tax.get(h.skill).slug.as_str();
            if !skills.contains(&slug) {
                skills.push(slug);
            }
        }
        let record = json!({
            "id": parsed.id,
            "urls": found.urls.iter().map(|u| u.url.as_str()).collect::<Vec<_>>(),
            "cv_links": found.cv_links.iter().map(|c| json!({"url": c.url, "kind": c.kind.as_str()})).collect::<Vec<_>>(),
            "emails": found.emails,
            "phones": found.phones,
            "hashtags": found.hashtags,
            "mentions": found.mentions,
            "skills": skills,
            "matches": matches.iter().map(|(i, s)| json!({"opening": index.opening_id(*i), "score": s})).collect::<Vec<_>>(),
        });
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
        ok += 1;
    }
    out.flush()?;
    Ok((ok, bad))
}
