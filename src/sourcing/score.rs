//! Explainable candidate scoring against an opening.
//!
//! The score orders candidates; it never rejects one. Weights (out of 100):
//!
//! | criterion         | max | rule |
//! |-------------------|-----|------|
//! | `required_skills` | 50  | 50 × found / listed, rounded half up; full when the opening lists none |
//! | `nice_skills`     | 15  | 15 × found / listed, rounded half up; full when the opening lists none |
//! | `location`        | 15  | remote opening 15 · same city 15 · same country 10 (hybrid) / 8 (on-site) · unknown or not comparable 7 · elsewhere 3 (hybrid) / 2 (on-site) |
//! | `language`        | 10  | opening language declared spoken, or the evidence written in it: 10 · nothing known: 5 · evidence in the other language only: 2 · declared languages without it: 0 |
//! | `seniority`       | 10  | no minimum 10 · years ≥ minimum 10 · fewer: 10 × years / minimum · unknown 5 |
//!
//! Years of experience come from [`CandidateFacts`] or, failing that, from the evidence ("5 ans
//! d'expérience", "7+ years of experience"). The evidence language is guessed with stopwords.
use std::collections::HashMap;

use super::skills::{normalize, SkillId, Taxonomy};

pub const W_REQUIRED: u8 = 50;
pub const W_NICE: u8 = 15;
pub const W_LOCATION: u8 = 15;
pub const W_LANGUAGE: u8 = 10;
pub const W_SENIORITY: u8 = 10;

/// Where a piece of evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Reply,
    Profile,
    Cv { page: u16 },
    ApplyForm,
}

impl Source {
    pub fn describe(&self, lang: &str) -> String {
        let fr = lang == "fr";
        match self {
            Source::Reply => (if fr { "réponse" } else { "reply" }).to_string(),
            Source::Profile => (if fr { "profil" } else { "profile" }).to_string(),
            Source::Cv { page } => format!("CV p. {page}"),
            Source::ApplyForm => (if fr { "formulaire de candidature" } else { "application form" }).to_string(),
        }
    }
}

/// A text written by or about the candidate.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub source: Source,
    pub text: &'a str,
}

/// Where the work happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Remote {
    OnSite,
    Hybrid,
    Remote,
}

impl Remote {
    /// From hirecast's `remote_policy` values: "on-site", "hybrid", "remote".
    pub fn parse(s: &str) -> Option<Remote> {
        match s.trim() {
            "on-site" => Some(Remote::OnSite),
            "hybrid" => Some(Remote::Hybrid),
            "remote" => Some(Remote::Remote),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Remote::OnSite => "on-site",
            Remote::Hybrid => "hybrid",
            Remote::Remote => "remote",
        }
    }
}

/// What an opening asks for, with skills resolved to taxonomy ids (see [`resolve_skills`]).
#[derive(Debug, Clone)]
pub struct OpeningCriteria {
    pub required: Vec<SkillId>,
    pub nice: Vec<SkillId>,
    /// "fr" or "en".
    pub language: &'static str,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub remote: Remote,
    pub min_years: Option<u8>,
}

/// What is known about the candidate besides the evidence texts.
#[derive(Debug, Clone, Default)]
pub struct CandidateFacts {
    /// Free text: "Lyon", "Paris, France", "Montréal (QC)".
    pub location: Option<String>,
    /// "fr", "en", ...
    pub languages: Vec<&'static str>,
    pub years_experience: Option<u8>,
}

/// A wanted skill found in the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedSkill {
    pub skill: SkillId,
    pub required: bool,
    pub source: Source,
    /// About 80 characters around the mention, cut at character (and when possible word) boundaries,
    /// with "…" where cut.
    pub snippet: String,
}

/// One line of the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// "required_skills", "nice_skills", "location", "language", "seniority".
    pub key: &'static str,
    pub points: u8,
    pub max: u8,
    pub reason_en: String,
    pub reason_fr: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// 0..=100, the sum of the criteria points.
    pub total: u8,
    pub criteria: Vec<Criterion>,
    /// Wanted skills found: required first, in the opening's order.
    pub matched: Vec<MatchedSkill>,
    /// Required skills not found, in the opening's order.
    pub missing: Vec<SkillId>,
}

/// Points for `found` of `listed` required skills (50 × found / listed rounded half up; 50 when none listed).
pub fn required_points(found: usize, listed: usize) -> u8 {
    fraction_points(W_REQUIRED, found, listed)
}

/// Points for `found` of `listed` nice-to-have skills (15 × found / listed; 15 when none listed).
pub fn nice_points(found: usize, listed: usize) -> u8 {
    fraction_points(W_NICE, found, listed)
}

fn fraction_points(max: u8, found: usize, listed: usize) -> u8 {
    if listed == 0 {
        return max;
    }
    let f = found.min(listed) as u64;
    let l = listed as u64;
    ((2 * max as u64 * f + l) / (2 * l)) as u8
}

/// Maps an opening's free-text skills to taxonomy ids: [`Taxonomy::lookup`] first, else every skill
/// [`Taxonomy::find`] sees in the text ("Java/Spring" → Java, Spring Boot...). Returns the ids (deduplicated,
/// in order) and the texts that matched nothing.
pub fn resolve_skills(tax: &Taxonomy, names: &[String]) -> (Vec<SkillId>, Vec<String>) {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for n in names {
        if let Some(id) = tax.lookup(n) {
            if !ids.contains(&id) {
                ids.push(id);
            }
            continue;
        }
        let hits = tax.find(n);
        if hits.is_empty() {
            unknown.push(n.clone());
        }
        for h in hits {
            if !ids.contains(&h.skill) {
                ids.push(h.skill);
            }
        }
    }
    (ids, unknown)
}

/// Scores a candidate's evidence against an opening.
pub fn score(tax: &Taxonomy, opening: &OpeningCriteria, evidence: &[Evidence], facts: &CandidateFacts) -> Score {
    let mut required: Vec<SkillId> = Vec::new();
    for &s in &opening.required {
        if !required.contains(&s) {
            required.push(s);
        }
    }
    let mut nice: Vec<SkillId> = Vec::new();
    for &s in &opening.nice {
        if !required.contains(&s) && !nice.contains(&s) {
            nice.push(s);
        }
    }
    let wanted: HashMap<SkillId, bool> =
        required.iter().map(|&s| (s, true)).chain(nice.iter().map(|&s| (s, false))).collect();

    let mut found: HashMap<SkillId, (Source, String)> = HashMap::new();
    let mut hits = Vec::new();
    for ev in evidence {
        tax.find_into(ev.text, &mut hits);
        for h in &hits {
            if wanted.contains_key(&h.skill) && !found.contains_key(&h.skill) {
                found.insert(h.skill, (ev.source, snippet(ev.text, h.start, h.end, 80)));
            }
        }
    }

    let mut matched = Vec::new();
    let mut missing = Vec::new();
    for &s in &required {
        match found.get(&s) {
            Some((src, snip)) => {
                matched.push(MatchedSkill { skill: s, required: true, source: *src, snippet: snip.clone() })
            }
            None => missing.push(s),
        }
    }
    let mut nice_missing = Vec::new();
    for &s in &nice {
        match found.get(&s) {
            Some((src, snip)) => {
                matched.push(MatchedSkill { skill: s, required: false, source: *src, snippet: snip.clone() })
            }
            None => nice_missing.push(s),
        }
    }
    let req_found: Vec<SkillId> = matched.iter().filter(|m| m.required).map(|m| m.skill).collect();
    let nice_found: Vec<SkillId> = matched.iter().filter(|m| !m.required).map(|m| m.skill).collect();

    let names = |ids: &[SkillId], lang: &str| -> String {
        ids.iter().map(|&i| tax.get(i).label(lang).to_string()).collect::<Vec<_>>().join(", ")
    };

    let mut criteria = Vec::with_capacity(5);

    // Required skills.
    let c = if required.is_empty() {
        Criterion {
            key: "required_skills",
            points: W_REQUIRED,
            max: W_REQUIRED,
            reason_en: "The opening lists no required skill.".into(),
            reason_fr: "L'offre ne liste aucune compétence requise.".into(),
        }
    } else {
        let (f, l) = (req_found.len(), required.len());
        let mut en = format!("{f} of {l} required skills found");
        let mut fr = format!("{f} compétence(s) requise(s) sur {l} trouvée(s)");
        if f > 0 {
            en += &format!(" ({})", names(&req_found, "en"));
            fr += &format!(" ({})", names(&req_found, "fr"));
        }
        if !missing.is_empty() {
            en += &format!("; missing: {}", names(&missing, "en"));
            fr += &format!(" ; manquantes : {}", names(&missing, "fr"));
        }
        Criterion {
            key: "required_skills",
            points: required_points(f, l),
            max: W_REQUIRED,
            reason_en: en + ".",
            reason_fr: fr + ".",
        }
    };
    criteria.push(c);

    // Nice-to-have skills.
    let c = if nice.is_empty() {
        Criterion {
            key: "nice_skills",
            points: W_NICE,
            max: W_NICE,
            reason_en: "The opening lists no nice-to-have skill.".into(),
            reason_fr: "L'offre ne liste aucune compétence appréciée.".into(),
        }
    } else {
        let (f, l) = (nice_found.len(), nice.len());
        let mut en = format!("{f} of {l} nice-to-have skills found");
        let mut fr = format!("{f} compétence(s) appréciée(s) sur {l} trouvée(s)");
        if f > 0 {
            en += &format!(" ({})", names(&nice_found, "en"));
            fr += &format!(" ({})", names(&nice_found, "fr"));
        }
        if !nice_missing.is_empty() {
            en += &format!("; not seen: {}", names(&nice_missing, "en"));
            fr += &format!(" ; absentes : {}", names(&nice_missing, "fr"));
        }
        Criterion { key: "nice_skills", points: nice_points(f, l), max: W_NICE, reason_en: en + ".", reason_fr: fr + "." }
    };
    criteria.push(c);

    criteria.push(location_criterion(opening, facts));
    criteria.push(language_criterion(opening, evidence, facts));
    criteria.push(seniority_criterion(opening, evidence, facts));

    let total = criteria.iter().map(|c| c.points as u32).sum::<u32>().min(100) as u8;
    Score { total, criteria, matched, missing }
}

fn location_criterion(opening: &OpeningCriteria, facts: &CandidateFacts) -> Criterion {
    let mk = |points: u8, en: String, fr: String| Criterion {
        key: "location",
        points,
        max: W_LOCATION,
        reason_en: en,
        reason_fr: fr,
    };
    if opening.remote == Remote::Remote {
        return mk(
            W_LOCATION,
            "Fully remote opening: location does not matter.".into(),
            "Poste en télétravail complet : la localisation n'importe pas.".into(),
        );
    }
    let hybrid = opening.remote == Remote::Hybrid;
    let Some(loc) = facts.location.as_deref().filter(|l| !l.trim().is_empty()) else {
        return mk(7, "Candidate location unknown.".into(), "Localisation du candidat inconnue.".into());
    };
    let nloc = normalize(loc);
    if let Some(city) = opening.city.as_deref().filter(|c| !c.trim().is_empty()) {
        if contains_words(&nloc, &normalize(city)) {
            return mk(W_LOCATION, format!("Lives in {city}."), format!("Habite à {city}."));
        }
    }
    let cand_country = country_of(loc, &nloc);
    let want = opening.country.as_deref().map(|c| c.trim().to_ascii_uppercase());
    match (cand_country, want.as_deref()) {
        (Some(cc), Some(w)) if cc == w => {
            if opening.city.as_deref().is_none_or(|c| c.trim().is_empty()) {
                return mk(W_LOCATION, format!("Lives in the opening's country ({w})."), format!("Habite dans le pays du poste ({w})."));
            }
            let city = opening.city.as_deref().unwrap_or_default();
            let p = if hybrid { 10 } else { 8 };
            mk(
                p,
                format!("Lives in {loc}: same country ({w}), not {city}."),
                format!("Habite à {loc} : même pays ({w}), pas à {city}."),
            )
        }
        (Some(cc), Some(w)) => {
            let p = if hybrid { 3 } else { 2 };
            mk(
                p,
                format!("Lives in {loc} ({cc}), the opening is in {w} ({}).", opening.remote.as_str()),
                format!("Habite à {loc} ({cc}), le poste est en {w} ({}).", if hybrid { "hybride" } else { "sur site" }),
            )
        }
        _ => mk(
            7,
            format!("Could not compare the candidate's location ({loc}) with the opening's."),
            format!("Impossible de comparer la localisation du candidat ({loc}) à celle du poste."),
        ),
    }
}

/// Does `hay` contain `needle` as whole words (both normalized)?
fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let s = from + i;
        let e = s + needle.len();
        let before = hay[..s].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = s + needle[..].chars().next().map(char::len_utf8).unwrap_or(1);
    }
    false
}

/// Countries (ISO code, normalized names and main cities) hirecast's candidates mostly come from.
const COUNTRIES: &[(&str, &[&str])] = &[
    ("FR", &["france", "paris", "lyon", "marseille", "toulouse", "bordeaux", "lille", "nantes", "strasbourg", "rennes", "montpellier", "nice", "grenoble", "rouen", "toulon", "dijon", "angers", "reims", "le havre", "saint-etienne", "clermont-ferrand", "tours", "metz", "nancy", "orleans", "caen", "brest", "limoges", "amiens", "perpignan", "besancon", "annecy", "la defense", "ile-de-france", "idf"]),
    ("BE", &["belgique", "belgium", "belgie", "bruxelles", "brussels", "anvers", "antwerp", "gand", "ghent", "liege", "namur", "charleroi", "louvain", "leuven", "mons", "wallonie", "flandre"]),
    ("CH", &["suisse", "switzerland", "schweiz", "geneve", "geneva", "lausanne", "zurich", "berne", "bern", "bale", "basel", "neuchatel", "fribourg", "sion"]),
    ("LU", &["luxembourg"]),
    ("MC", &["monaco"]),
    ("CA", &["canada", "montreal", "quebec", "toronto", "vancouver", "ottawa", "calgary", "gatineau", "laval", "sherbrooke"]),
    ("GB", &["united kingdom", "royaume-uni", "uk", "england", "angleterre", "scotland", "ecosse", "wales", "london", "londres", "manchester", "birmingham", "edinburgh", "glasgow", "bristol", "leeds", "liverpool"]),
    ("IE", &["ireland", "irlande", "dublin", "cork"]),
    ("US", &["united states", "etats-unis", "usa", "new york", "san francisco", "los angeles", "chicago", "boston", "seattle", "austin", "miami"]),
    ("DE", &["germany", "allemagne", "deutschland", "berlin", "munich", "munchen", "hamburg", "hambourg", "frankfurt", "francfort", "cologne", "koln", "stuttgart", "dusseldorf"]),
    ("ES", &["spain", "espagne", "espana", "madrid", "barcelona", "barcelone", "valencia", "valence", "seville", "sevilla", "malaga", "bilbao"]),
    ("IT", &["italy", "italie", "italia", "rome", "roma", "milan", "milano", "turin", "torino", "naples", "napoli", "florence", "firenze", "bologna"]),
    ("PT", &["portugal", "lisbon", "lisbonne", "lisboa", "porto"]),
    ("NL", &["netherlands", "pays-bas", "nederland", "amsterdam", "rotterdam", "la haye", "the hague", "utrecht", "eindhoven"]),
    ("MA", &["maroc", "morocco", "casablanca", "rabat", "marrakech", "tanger", "fes"]),
    ("TN", &["tunisie", "tunisia", "tunis", "sfax", "sousse"]),
    ("DZ", &["algerie", "algeria", "alger", "algiers", "oran", "constantine"]),
    ("SN", &["senegal", "dakar"]),
    ("CI", &["cote d'ivoire", "ivory coast", "abidjan"]),
    ("CM", &["cameroun", "cameroon", "douala", "yaounde"]),
    ("MU", &["maurice", "mauritius", "port-louis"]),
    ("PL", &["poland", "pologne", "polska", "warsaw", "varsovie", "krakow", "cracovie"]),
    ("RO", &["romania", "roumanie", "bucharest", "bucarest"]),
];

/// The country of a free-text location: an ISO code written as its own token ("Lyon, FR"), a country name
/// or a main city.
fn country_of(raw: &str, nloc: &str) -> Option<String> {
    for tok in raw.split(|c: char| !c.is_ascii_alphabetic()) {
        if tok.len() == 2 && tok.bytes().all(|b| b.is_ascii_uppercase()) && COUNTRIES.iter().any(|(c, _)| *c == tok) {
            return Some(tok.to_string());
        }
    }
    if contains_words(nloc, "qc") || contains_words(nloc, "ontario") {
        return Some("CA".into());
    }
    for (code, names) in COUNTRIES {
        if names.iter().any(|n| contains_words(nloc, n)) {
            return Some((*code).to_string());
        }
    }
    None
}

const FR_STOP: &[&str] = &[
    "le", "la", "les", "de", "des", "du", "et", "est", "je", "suis", "un", "une", "pour", "dans", "avec", "sur",
    "pas", "que", "qui", "mon", "ma", "mes", "vous", "nous", "bonjour", "merci", "ai", "ans", "être", "sont", "mais",
    "ou", "très", "cette", "ce", "aux", "au", "chez", "depuis", "poste", "expérience", "actuellement", "disponible",
    "cordialement", "votre", "vos", "notre", "j", "c", "d", "l", "qu", "n", "intéressé", "intéressée", "travaille",
];
const EN_STOP: &[&str] = &[
    "the", "and", "is", "are", "i", "am", "to", "of", "for", "with", "my", "you", "we", "have", "has", "be", "this",
    "that", "it", "not", "hello", "hi", "thanks", "thank", "years", "experience", "would", "will", "at", "from",
    "your", "our", "currently", "available", "regards", "looking", "interested", "job", "work", "worked",
    "working", "been", "was", "an", "in", "s", "m", "ve", "d",
];

/// "fr", "en" or None when the texts are too short or mixed.
pub fn detect_language<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    let (mut fr, mut en) = (0u32, 0u32);
    for t in texts {
        for w in t.split(|c: char| !c.is_alphabetic()) {
            if w.is_empty() || w.len() > 14 {
                continue;
            }
            let lw = w.to_lowercase();
            // "d" alone is elided French ("d'expérience") or English ("I'd"): counted for neither.
            if lw == "d" {
                continue;
            }
            if FR_STOP.contains(&lw.as_str()) {
                fr += 1;
            }
            if EN_STOP.contains(&lw.as_str()) {
                en += 1;
            }
        }
    }
    if fr >= 2 && fr >= 2 * en.max(1) {
        Some("fr")
    } else if en >= 2 && en >= 2 * fr.max(1) {
        Some("en")
    } else if fr >= 3 && fr > en + en / 2 {
        Some("fr")
    } else if en >= 3 && en > fr + fr / 2 {
        Some("en")
    } else {
        None
    }
}

fn lang_name(code: &str, lang: &str) -> &'static str {
    match (code, lang == "fr") {
        ("fr", false) => "French",
        ("fr", true) => "français",
        ("en", false) => "English",
        ("en", true) => "anglais",
        (_, false) => "the opening's language",
        (_, true) => "la langue de l'offre",
    }
}

fn language_criterion(opening: &OpeningCriteria, evidence: &[Evidence], facts: &CandidateFacts) -> Criterion {
    let l = opening.language;
    let (en, fr) = (lang_name(l, "en"), lang_name(l, "fr"));
    let mk = |points: u8, reason_en: String, reason_fr: String| Criterion {
        key: "language",
        points,
        max: W_LANGUAGE,
        reason_en,
        reason_fr,
    };
    if facts.languages.contains(&l) {
        return mk(W_LANGUAGE, format!("Speaks {en} (declared)."), format!("Parle {fr} (déclaré)."));
    }
    let detected = detect_language(evidence.iter().map(|e| e.text));
    if detected == Some(l) {
        return mk(W_LANGUAGE, format!("Wrote in {en}."), format!("A écrit en {fr}."));
    }
    if !facts.languages.is_empty() {
        return mk(
            0,
            format!("Declared languages ({}) do not include {en}.", facts.languages.join(", ")),
            format!("Les langues déclarées ({}) n'incluent pas le {fr}.", facts.languages.join(", ")),
        );
    }
    match detected {
        Some(other) => mk(
            2,
            format!("Wrote in {}, not in {en}; no language declared.", lang_name(other, "en")),
            format!("A écrit en {}, pas en {fr} ; aucune langue déclarée.", lang_name(other, "fr")),
        ),
        None => mk(5, format!("Not known whether the candidate speaks {en}."), format!("On ne sait pas si le candidat parle {fr}.")),
    }
}

fn seniority_criterion(opening: &OpeningCriteria, evidence: &[Evidence], facts: &CandidateFacts) -> Criterion {
    let mk = |points: u8, reason_en: String, reason_fr: String| Criterion {
        key: "seniority",
        points,
        max: W_SENIORITY,
        reason_en,
        reason_fr,
    };
    let Some(min) = opening.min_years.filter(|&m| m > 0) else {
        return mk(W_SENIORITY, "No minimum experience asked.".into(), "Aucune expérience minimale demandée.".into());
    };
    let (years, from_text) = match facts.years_experience {
        Some(y) => (Some(y), false),
        None => (evidence.iter().find_map(|e| years_from_text(e.text)), true),
    };
    let Some(y) = years else {
        return mk(
            5,
            format!("Experience unknown ({min} years asked)."),
            format!("Expérience inconnue ({min} ans demandés)."),
        );
    };
    let src_en = if from_text { " (from the texts)" } else { "" };
    let src_fr = if from_text { " (d'après les textes)" } else { "" };
    if y >= min {
        mk(
            W_SENIORITY,
            format!("{y} years of experience{src_en}, {min} asked."),
            format!("{y} ans d'expérience{src_fr}, {min} demandés."),
        )
    } else {
        let p = ((2 * W_SENIORITY as u32 * y as u32 + min as u32) / (2 * min as u32)) as u8;
        mk(
            p,
            format!("{y} years of experience{src_en}, {min} asked."),
            format!("{y} ans d'expérience{src_fr}, {min} demandés."),
        )
    }
}

/// Years of experience stated in a text: "5 ans d'expérience", "7+ years of experience",
/// "Experience: 3 years". None when not stated.
pub fn years_from_text(text: &str) -> Option<u8> {
    let toks: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .collect();
    let is_exp = |t: &str| matches!(t, "expérience" | "experience" | "expériences" | "exp" | "experiences");
    for i in 0..toks.len() {
        let Ok(n) = toks[i].parse::<u32>() else { continue };
        if n == 0 || n > 50 {
            continue;
        }
        let unit = toks.get(i + 1).is_some_and(|u| matches!(u.as_str(), "ans" | "an" | "années" | "year" | "years" | "yrs" | "yr"));
        if !unit {
            continue;
        }
        let after = toks.iter().skip(i + 2).take(4).any(|t| is_exp(t));
        let before = toks[i.saturating_sub(4)..i].iter().any(|t| is_exp(t));
        if after || before {
            return Some(n as u8);
        }
    }
    None
}

/// About `width` characters of `text` around `start..end`, cut at character boundaries (at a space when
/// one is near), whitespace runs collapsed, with "…" where the text was cut. Always contains the mention.
pub fn snippet(text: &str, start: usize, end: usize, width: usize) -> String {
    let hit_chars = text[start..end].chars().count();
    let side = width.saturating_sub(hit_chars) / 2;
    // Walk `side` characters each way.
    let mut left = start;
    for (i, _) in text[..start].char_indices().rev().take(side) {
        left = i;
    }
    let mut right = end;
    for (n, (i, c)) in text[end..].char_indices().enumerate() {
        if n >= side {
            break;
        }
        right = end + i + c.len_utf8();
    }
    // Prefer cutting at a space within the outer 15 characters.
    if left > 0 {
        if let Some(sp) = text[left..start].char_indices().take(15).find(|(_, c)| c.is_whitespace()) {
            left += sp.0 + sp.1.len_utf8();
        }
    }
    if right < text.len() {
        let seg = &text[end..right];
        if let Some((i, _)) = seg.char_indices().rev().take(15).find(|(_, c)| c.is_whitespace()) {
            right = end + i;
        }
    }
    let mut out = String::with_capacity(right - left + 8);
    if left > 0 {
        out.push('…');
    }
    let mut space = false;
    for c in text[left..right].chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() && !out.ends_with('…') {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if right < text.len() {
        out.push('…');
    }
    out
}
