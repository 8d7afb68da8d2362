//! Hashtags from an opening: skills, city, contract and language, valid on every network
//! that shows them (X, Mastodon, Bluesky, LinkedIn).
use twitter_text::extractor::Extractor;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use crate::domain::opening::{EmploymentType, Opening};
use crate::i18n::Lang;

/// Bluesky's longest tag (graphemes); the shortest of the networks' limits.
const TAG_MAX_GRAPHEMES: usize = 64;

/// Skills whose symbols would be lost, written the way the community tags them.
const SYMBOLS: &[(&str, &str)] = &[
    ("c++", "cpp"),
    ("c#", "csharp"),
    ("f#", "fsharp"),
    (".net", "dotnet"),
    ("asp.net", "aspnet"),
    ("node.js", "NodeJS"),
    ("nodejs", "NodeJS"),
    ("vue.js", "VueJS"),
    ("react.js", "ReactJS"),
    ("next.js", "NextJS"),
    ("nuxt.js", "NuxtJS"),
    ("objective-c", "ObjectiveC"),
];

/// A hashtag (without '#') for a free-text label, or None when nothing valid remains
/// (digits only, no letter, too long).
pub fn to_tag(label: &str) -> Option<String> {
    let nfc: String = label.trim().nfc().collect();
    if let Some((_, tag)) = SYMBOLS.iter().find(|(k, _)| k.eq_ignore_ascii_case(&nfc)) {
        return Some((*tag).to_string());
    }
    let nfc = nfc.replace("++", "pp").replace('#', "sharp");
    let words: Vec<&str> = nfc
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)))
        .filter(|w| !w.is_empty())
        .collect();
    let tag: String = if words.len() == 1 {
        words[0].to_string()
    } else {
        words.iter().map(|w| capitalize(w)).collect()
    };
    // A combining mark cannot start a tag.
    let tag = tag.trim_start_matches(unicode_normalization::char::is_combining_mark).to_string();
    if tag.is_empty() || !tag.chars().any(char::is_alphabetic) || tag.graphemes(true).count() > TAG_MAX_GRAPHEMES {
        return None;
    }
    // The tag must be recognised whole as a hashtag (twitter-text's rules, the strictest).
    let hashed = format!("#{tag}");
    let found = super::count::guarded(|backend| Extractor::with_parser_backend(backend).extract_hashtags(&hashed))?;
    (found.len() == 1 && found[0] == tag).then_some(tag)
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn contract_tag(t: EmploymentType, lang: Lang) -> Option<&'static str> {
    use EmploymentType::*;
    match (lang, t) {
        (Lang::Fr, Permanent) => Some("CDI"),
        (Lang::Fr, FixedTerm) => Some("CDD"),
        (Lang::Fr, Freelance) => Some("freelance"),
        (Lang::Fr, Internship) => Some("stage"),
        (Lang::Fr, Apprenticeship) => Some("alternance"),
        (Lang::Fr, PartTime) => Some("TempsPartiel"),
        (Lang::En, Permanent) => None,
        (Lang::En, FixedTerm) => Some("contract"),
        (Lang::En, Freelance) => Some("freelance"),
        (Lang::En, Internship) => Some("internship"),
        (Lang::En, Apprenticeship) => Some("apprenticeship"),
        (Lang::En, PartTime) => Some("PartTime"),
    }
}

/// Hashtags in order of value (the fitting drops from the end), de-duplicated without
/// regard to case, at most `max`.
pub fn for_opening(opening: &Opening, lang: Lang, max: usize) -> Vec<String> {
    let d = &opening.draft;
    let (hiring, job) = match lang {
        Lang::Fr => ("recrutement", "emploi"),
        Lang::En => ("hiring", "job"),
    };
    let mut labels: Vec<String> = Vec::new();
    let mut required = d.required_skills.iter();
    if let Some(first) = required.next() {
        labels.push(first.clone());
    }
    labels.push(hiring.into());
    if let Some(city) = &d.city {
        labels.push(city.clone());
    }
    if let Some(c) = contract_tag(d.employment_type, lang) {
        labels.push(c.into());
    }
    labels.extend(required.cloned());
    labels.push(job.into());
    labels.extend(d.nice_skills.iter().cloned());
    let mut out: Vec<String> = Vec::new();
    for l in labels {
        if out.len() >= max {
            break;
        }
        if let Some(tag) = to_tag(&l) {
            if !out.iter().any(|o| o.to_lowercase() == tag.to_lowercase()) {
                out.push(tag);
            }
        }
    }
    out
}
