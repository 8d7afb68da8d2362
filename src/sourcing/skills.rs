//! The skill taxonomy and skill extraction from free text.
//!
//! # Taxonomy
//! [`Taxonomy::builtin`] parses the shipped `skills.tsv` (format documented at its top). Admins may add or
//! edit skills with [`Taxonomy::with_overrides`]; every name (label_en, label_fr, aliases) must belong to one
//! skill only, compared case- and accent-insensitively.
//!
//! # Matching
//! [`Taxonomy::find`] makes one pass over the text with an `aho-corasick` automaton (leftmost-longest,
//! ASCII case-insensitive, contiguous NFA) holding the names, each added in its written form plus its
//! lowercase-accented, uppercase-accented, accent-stripped, ligature-expanded ("oe" for "œ") and `'`/`’`
//! forms (so "Développeur", "DÉVELOPPEUR" and "developpeur" all match), and the context words used by the
//! ambiguity rules.
//!
//! A match counts only on word boundaries: the character before it must not be a letter, a digit or `_`;
//! the character after it must not be one either when the name ends with a letter or digit, and must not be
//! a letter when the name ends with a symbol (so "C++17", "C#10" and "(C#)", "C++," match, "C++x" does not).
//! A following apostrophe + letter continues the word ("C'est", "D'accord") except the English possessive
//! "'s". When the longest name fails the boundary test, shorter names at the same place are tried
//! ("React Nativeness" still yields React).
//!
//! Ambiguous names (see `skills.tsv` header and [`Skill::ambiguous`]) are kept only when written in their
//! exact case and either preceded by a lead-in word (programming languages: "en C", "in R", "langage Go")
//! or within [`CONTEXT_WINDOW`] bytes of a context word or of another skill of the same field. One-letter
//! names and other short case-sensitive or ambiguous names (C, R, Go, AI, HR, SAP, REST...) are not in that
//! automaton, where they would fire inside common words (every c/r/d, "ai" in "said", "ui" in "suis"): a
//! second, case-sensitive automaton of a few dozen patterns (SIMD "Teddy" prefilter) finds them, and a third
//! one holds the one-letter names alone (memchr prefilter; one-byte patterns would disable Teddy).
//!
//! Results are deduplicated per skill (first mention kept) and sorted by byte position.
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};

/// Index of a skill in its [`Taxonomy`] (stable for a given taxonomy; use the slug to persist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SkillId(pub u32);

/// One skill of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    /// `[a-z0-9-]+`, unique and stable.
    pub slug: String,
    pub label_en: String,
    pub label_fr: String,
    /// language, framework, database, cloud, devops, data, ai, design, office, management, soft, business,
    /// finance, hr, marketing, sales, legal, health, industry, trade, logistics, hospitality, education,
    /// spoken, role, it, security, mobile, testing (free text: unknown categories are allowed).
    pub category: String,
    /// Other names. A leading `?` makes that alias ambiguous (exact case + context), a leading `~` makes it
    /// case-sensitive; other aliases match anywhere, case/accent-insensitively. See [`Skill::names`].
    pub aliases: Vec<String>,
    /// The labels need their exact case and context to count in a text (C, R, Go, Spring, Chef, Tableau...).
    pub ambiguous: bool,
    /// The labels are case-sensitive: exact, Capitalised or ALL CAPS ("Excel" but not "excel").
    pub case_sensitive: bool,
}

/// How strictly a name must appear in a text to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameRule {
    /// Case/accent-insensitive, on word boundaries.
    Strong,
    /// Written exactly, Capitalised or in ALL CAPS.
    CaseSensitive,
    /// Written exactly, and with context nearby.
    Ambiguous,
}

impl Skill {
    /// A skill with no alias and no flag.
    pub fn new(slug: &str, label_en: &str, label_fr: &str, category: &str) -> Skill {
        Skill {
            slug: slug.to_string(),
            label_en: label_en.to_string(),
            label_fr: label_fr.to_string(),
            category: category.to_string(),
            aliases: Vec::new(),
            ambiguous: false,
            case_sensitive: false,
        }
    }

    /// Every name with its matching rule, alias markers removed.
    pub fn names(&self) -> Vec<(&str, NameRule)> {
        let label_rule = if self.ambiguous {
            NameRule::Ambiguous
        } else if self.case_sensitive {
            NameRule::CaseSensitive
        } else {
            NameRule::Strong
        };
        let mut v = vec![(self.label_en.trim(), label_rule), (self.label_fr.trim(), label_rule)];
        for a in &self.aliases {
            let a = a.trim();
            if let Some(r) = a.strip_prefix('?') {
                v.push((r.trim(), NameRule::Ambiguous));
            } else if let Some(r) = a.strip_prefix('~') {
                v.push((r.trim(), NameRule::CaseSensitive));
            } else {
                v.push((a, NameRule::Strong));
            }
        }
        v
    }

    /// The label in `lang` ("fr" or anything else for English).
    pub fn label(&self, lang: &str) -> &str {
        if lang == "fr" {
            &self.label_fr
        } else {
            &self.label_en
        }
    }
}

/// A skill mention: byte offsets into the searched text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkillHit {
    pub skill: SkillId,
    pub start: usize,
    pub end: usize,
}

/// Why a taxonomy could not be built. Line numbers are 1-based lines of the TSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxonomyError {
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("skill '{slug}': {reason}")]
    Skill { slug: String, reason: String },
    #[error("the taxonomy has no skill")]
    Empty,
    #[error("cannot build the matcher: {0}")]
    Build(String),
}

/// Bytes around an ambiguous mention searched for context.
pub const CONTEXT_WINDOW: usize = 100;

// Context groups (bit masks).
const G_TECH: u8 = 1;
const G_DESIGN: u8 = 2;
const G_OFFICE: u8 = 4;
const G_HEALTH: u8 = 8;
const G_INDUSTRY: u8 = 16;

fn category_group(cat: &str) -> u8 {
    match cat {
        "language" | "framework" | "mobile" | "testing" | "database" | "cloud" | "devops" | "it" | "security"
        | "data" | "ai" => G_TECH,
        "design" => G_DESIGN,
        "office" | "management" | "business" | "finance" | "hr" | "sales" | "marketing" | "legal" => G_OFFICE,
        "health" => G_HEALTH,
        "industry" | "trade" | "logistics" => G_INDUSTRY,
        _ => 0,
    }
}

/// Context words per group (besides the skills of the group themselves).
const CONTEXT_WORDS: &[(u8, &[&str])] = &[
    (
        G_TECH,
        &[
            "langage", "langages", "language", "languages", "programming", "programmation", "programmer",
            "programmeur", "programmeuse", "code", "coding", "coder", "codé", "codage", "developer", "developers",
            "développeur", "développeuse", "développeurs", "dev", "devs", "développement", "development",
            "développer", "develop", "software", "logiciel", "logiciels", "compilateur", "compiler", "compilation",
            "compile", "embedded", "embarqué", "embarqués", "firmware", "microcontrôleur", "microcontrôleurs",
            "microcontroller", "microcontrollers", "APIs", "framework", "frameworks", "library",
            "libraries", "bibliothèque", "bibliothèques", "librairie", "librairies", "script", "scripts",
            "scripting", "algorithme", "algorithmes", "algorithm", "algorithms", "informatique",
            "computer science", "open source", "open-source", "stack", "tech", "technologies", "statistique",
            "statistiques", "statistics", "statistical", "econometrics", "économétrie", "bioinformatique",
            "bioinformatics", "data", "données", "dataset", "datasets", "regression", "régression", "ggplot",
            "ggplot2", "tidyverse", "RStudio", "Shiny", "CRAN", "goroutine", "goroutines", "JVM", "runtime",
            "kernel", "backend", "back-end", "frontend", "front-end", "fullstack", "full-stack", "web",
            "serveur", "serveurs", "server", "servers", "base de données", "bases de données", "database",
            "databases", "Xcode", "IntelliJ", "VS Code", "Visual Studio", "Eclipse", "Vim", "Emacs", "GCC",
            "Clang", "LLVM", "pointeurs", "pointers", "IDE", "infrastructure", "infra", "provisioning",
            "configuration management", "gestion de configuration", "cookbooks", "playbooks", "manifests",
            "déploiement", "deployment", "deployments", "automatisation", "cloud", "build", "builds",
            "toolchain", "linker", "cross-compilation", "ingénieur", "engineer", "engineering", "technique",
            "technical", "application", "applications", "sysadmin", "Unix", "GitHub",
            "logiciel libre", "HPC", "calcul scientifique", "scientific computing", "machine learning", "shiny",
            "charts", "cluster", "clusters", "conteneurs", "containers",
        ],
    ),
    (
        G_DESIGN,
        &[
            "design", "designer", "designers", "graphique", "graphiques", "maquette", "maquettes", "mockup",
            "mockups", "Adobe", "illustration", "illustrations", "dessin", "croquis", "icônes", "icons", "logo",
            "logos", "interface", "interfaces", "prototype", "vectoriel", "vector", "UI", "UX", "créa",
        ],
    ),
    (
        G_OFFICE,
        &[
            "bureautique", "tableur", "spreadsheet", "spreadsheets", "traitement de texte", "word processing",
            "documents", "courriers", "courrier", "mails", "e-mails", "emails", "rapports", "reports",
            "présentations", "presentations", "diaporama", "slides", "maîtrise", "maitrise", "proficient",
            "proficiency", "logiciel", "logiciels", "software", "outil", "outils", "tools", "Microsoft", "Google",
            "comptable", "comptables", "paie", "facturation", "macros", "notes", "wiki",
            "documentation",
        ],
    ),
    (
        G_HEALTH,
        &[
            "patient", "patients", "patiente", "soins", "soin", "care", "hôpital", "hôpitaux", "hospital",
            "hospitals", "clinique", "cliniques", "clinic", "clinical", "médical", "médicale", "médicaux",
            "medical", "santé", "health", "healthcare", "chirurgie", "surgery", "pédiatrie", "oncologie",
            "cardiologie", "psychiatrie", "réanimation", "diplôme d'État", "CHU", "hospitalier", "hospitalière",
            "ADELI", "RPPS", "ward", "nurse", "infirmier", "infirmière",
        ],
    ),
    (
        G_INDUSTRY,
        &[
            "usine", "usines", "factory", "atelier", "ateliers", "workshop", "chantier", "chantiers",
            "production", "manufacturing", "maintenance", "électricité", "electrical", "électrique",
            "électriques", "habilitation", "habilitations", "travaux", "BTP", "industriel", "industrielle",
            "industrial",
        ],
    ),
];

/// After an ambiguous name, these words mean the common-word reading ("Chef de", "Go to", "Make sure").
const VETO_NEXT: &[&str] = &[
    "de", "du", "des", "d", "of", "to", "the", "it", "up", "sure", "ahead", "away", "back", "home", "out", "à",
    "au", "aux", "la", "le", "les", "l",
];

/// Before a programming language's ambiguous name, these words are context enough ("en C", "in R").
const LEAD_IN: &[&str] = &["en", "in", "langage", "language", "langages", "languages", "lang"];

// Flags packed in the SkillId of intermediate entries of `find_into` (real ids are < 2^28).
const MARKER: u32 = 1 << 31;
const PENDING: u32 = 1 << 30;
const STRICT: u32 = 1 << 29;
const DROPPED: u32 = 1 << 28;
const ID_MASK: u32 = DROPPED - 1;
const NO_SKILL: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Pat {
    skill: u32,
    rule: NameRule,
    /// Context groups this word gives (context words, possibly also skill names).
    ctx: u8,
    /// The name ends with a symbol ('+', '#', '.'...).
    ends_with_symbol: bool,
    /// Forms accepted for weak names (exact first).
    exact: Box<str>,
    upper: Box<str>,
    capfirst: Box<str>,
    /// Shorter patterns that are prefixes of this one (ASCII case-insensitively), longest first.
    alts: Box<[u32]>,
    len: u32,
}

/// The taxonomy with its matchers. Build once, share with `Arc` ([`Taxonomy::shared`]).
pub struct Taxonomy {
    skills: Vec<Skill>,
    groups: Vec<u8>,
    cats: Vec<u16>,
    lead_in: Vec<bool>,
    /// The main (case-insensitive) names, looked up by their first word.
    words: WordIndex,
    pats: Vec<Pat>,
    /// Case-sensitive automaton for short weak names (C, R, Go, AI, HR, SAP...) and their case variants.
    short_ac: Option<AhoCorasick>,
    short_pats: Vec<Pat>,
    /// One-letter names (C, R, D), apart so that `short_ac` keeps its SIMD prefilter.
    letter_ac: Option<AhoCorasick>,
    letter_pats: Vec<Pat>,
    by_name: HashMap<String, u32>,
    by_loose: HashMap<String, u32>,
}

impl fmt::Debug for Taxonomy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Taxonomy")
            .field("skills", &self.skills.len())
            .field("patterns", &self.pats.len())
            .finish()
    }
}

/// The shipped taxonomy source.
pub const BUILTIN_TSV: &str = include_str!("skills.tsv");

impl Taxonomy {
    /// The shipped taxonomy (`skills.tsv`). Panics only if the shipped file is invalid (tested).
    pub fn builtin() -> Taxonomy {
        Taxonomy::from_tsv(BUILTIN_TSV).expect("the shipped skills.tsv is valid")
    }

    /// The shipped taxonomy, built once per process.
    pub fn shared() -> Arc<Taxonomy> {
        static T: OnceLock<Arc<Taxonomy>> = OnceLock::new();
        T.get_or_init(|| Arc::new(Taxonomy::builtin())).clone()
    }

    /// Parses a TSV taxonomy (see `skills.tsv` for the format).
    pub fn from_tsv(tsv: &str) -> Result<Taxonomy, TaxonomyError> {
        let mut skills = Vec::new();
        let mut lines = Vec::new();
        for (i, raw) in tsv.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim_end_matches('\r');
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            let err = |reason: String| TaxonomyError::Line { line, reason };
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != 5 && f.len() != 6 {
                return Err(err(format!(
                    "expected 6 TAB-separated columns (slug, label_en, label_fr, category, aliases, flags), found {}",
                    f.len()
                )));
            }
            let mut s = Skill::new(f[0].trim(), f[1].trim(), f[2].trim(), f[3].trim());
            s.aliases = f[4].split('|').map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect();
            if let Some(flags) = f.get(5) {
                for flag in flags.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                    match flag {
                        "ambiguous" => s.ambiguous = true,
                        "case" => s.case_sensitive = true,
                        other => return Err(err(format!("unknown flag '{other}' (allowed: ambiguous, case)"))),
                    }
                }
            }
            skills.push(s);
            lines.push(Some(line));
        }
        Taxonomy::build(skills, lines)
    }

    /// `base` with `extra` skills added; an extra skill with the slug of a base skill replaces it (keeping
    /// its [`SkillId`]). Conflicting names are reported with the slugs involved.
    pub fn with_overrides(base: &Taxonomy, extra: Vec<Skill>) -> Result<Taxonomy, TaxonomyError> {
        let mut skills = base.skills.clone();
        let mut lines: Vec<Option<usize>> = vec![None; skills.len()];
        let mut by_slug: HashMap<String, usize> =
            skills.iter().enumerate().map(|(i, s)| (s.slug.clone(), i)).collect();
        for s in extra {
            match by_slug.get(s.slug.trim()) {
                Some(&i) => skills[i] = s,
                None => {
                    by_slug.insert(s.slug.trim().to_string(), skills.len());
                    skills.push(s);
                    lines.push(None);
                }
            }
        }
        Taxonomy::build(skills, lines)
    }

    fn build(skills: Vec<Skill>, lines: Vec<Option<usize>>) -> Result<Taxonomy, TaxonomyError> {
        if skills.is_empty() {
            return Err(TaxonomyError::Empty);
        }
        if skills.len() >= ID_MASK as usize {
            return Err(TaxonomyError::Build("too many skills".into()));
        }
        let err = |i: usize, reason: String| match lines[i] {
            Some(line) => TaxonomyError::Line { line, reason },
            None => TaxonomyError::Skill { slug: skills[i].slug.clone(), reason },
        };
        let mut slugs: HashMap<&str, usize> = HashMap::new();
        let mut by_name: HashMap<String, u32> = HashMap::new();
        let mut cat_ids: HashMap<&str, u16> = HashMap::new();
        let mut cats = Vec::with_capacity(skills.len());
        let mut groups = Vec::with_capacity(skills.len());
        let mut lead_in = Vec::with_capacity(skills.len());
        // (name, skill, rule) for the automaton, one entry per distinct normalized name.
        let mut names: Vec<(String, u32, NameRule)> = Vec::new();
        let mut name_slot: HashMap<String, usize> = HashMap::new();

        for (i, s) in skills.iter().enumerate() {
            let slug = s.slug.trim();
            if slug.is_empty()
                || !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(err(i, format!("invalid slug '{slug}': use lowercase letters, digits and '-'")));
            }
            if let Some(&j) = slugs.get(slug) {
                let at = lines[j].map(|l| format!(" (line {l})")).unwrap_or_default();
                return Err(err(i, format!("duplicate slug '{slug}'{at}")));
            }
            slugs.insert(slug, i);
            if s.label_en.trim().is_empty() || s.label_fr.trim().is_empty() {
                return Err(err(i, "label_en and label_fr must not be empty".into()));
            }
            let cat = s.category.trim();
            if cat.is_empty() || !cat.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                return Err(err(i, format!("invalid category '{cat}': use lowercase letters and '-'")));
            }
            let next = cat_ids.len() as u16;
            cats.push(*cat_ids.entry(cat).or_insert(next));
            groups.push(category_group(cat));
            lead_in.push(cat == "language");
            // The slug is a lookup key too.
            by_name.entry(normalize(slug)).or_insert(i as u32);
            for (name, rule) in s.names() {
                if name.is_empty() {
                    return Err(err(i, "empty alias".into()));
                }
                if name.chars().count() > 100 {
                    return Err(err(i, format!("name '{name}' is longer than 100 characters")));
                }
                let key = normalize(name);
                if key.is_empty() {
                    return Err(err(i, format!("name '{name}' has no letter or digit")));
                }
                match by_name.get(&key) {
                    Some(&j) if j as usize != i && skills[j as usize].slug.trim() != slug => {
                        // A slug key of another skill only conflicts if it is also one of its names.
                        let other = &skills[j as usize];
                        let is_name = other.names().iter().any(|(n, _)| normalize(n) == key);
                        if is_name {
                            let at = lines[j as usize].map(|l| format!(", line {l}")).unwrap_or_default();
                            return Err(err(
                                i,
                                format!("name '{name}' is already a name of skill '{}'{at}", other.slug),
                            ));
                        }
                        by_name.insert(key.clone(), i as u32);
                    }
                    _ => {
                        by_name.insert(key.clone(), i as u32);
                    }
                }
                let mut chars = name.chars();
                let one = chars.next();
                if chars.next().is_none() {
                    let c = one.unwrap();
                    if !c.is_ascii_alphabetic() || rule != NameRule::Ambiguous {
                        return Err(err(
                            i,
                            format!("one-character name '{name}' must be an ASCII letter marked ambiguous"),
                        ));
                    }
                }
                // Same skill, same spelling twice (accents kept: "Télécom" and "Telecom" both need patterns):
                // keep the most permissive rule.
                let spelling = name.to_lowercase();
                match name_slot.get(&spelling) {
                    Some(&k) => {
                        if rule < names[k].2 {
                            names[k] = (name.to_string(), i as u32, rule);
                        }
                    }
                    None => {
                        name_slot.insert(spelling, names.len());
                        names.push((name.to_string(), i as u32, rule));
                    }
                }
            }
        }

        // Context words: merged into a skill name when they are one, else patterns of their own.
        let mut ctx_of: HashMap<String, u8> = HashMap::new();
        for (g, words) in CONTEXT_WORDS {
            for w in *words {
                *ctx_of.entry(normalize(w)).or_insert(0) |= g;
            }
        }
        let mut used: HashMap<String, ()> = HashMap::new();
        let mut entries: Vec<(String, u32, NameRule, u8)> = names
            .into_iter()
            .map(|(n, s, r)| {
                let k = normalize(&n);
                let ctx = ctx_of.get(&k).copied().unwrap_or(0);
                used.insert(k, ());
                (n, s, r, ctx)
            })
            .collect();
        // Context-only words, every spelling kept ("régression" and "regression").
        let mut spellings: HashMap<String, ()> = HashMap::new();
        for (_, words) in CONTEXT_WORDS {
            for w in *words {
                let k = normalize(w);
                if used.contains_key(&k) || spellings.insert(w.to_lowercase(), ()).is_some() {
                    continue;
                }
                entries.push((w.to_string(), NO_SKILL, NameRule::Strong, ctx_of[&k]));
            }
        }

        let mut patterns: Vec<String> = Vec::new();
        let mut pats: Vec<Pat> = Vec::new();
        let mut seen: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut short_patterns: Vec<String> = Vec::new();
        let mut short_pats: Vec<Pat> = Vec::new();
        let mut short_seen: HashMap<String, ()> = HashMap::new();
        let mut letter_patterns: Vec<String> = Vec::new();
        let mut letter_pats: Vec<Pat> = Vec::new();
        for (name, skill, rule, ctx) in entries {
            let upper: String = name.to_uppercase();
            let capfirst: String = {
                let mut c = name.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => String::new(),
                }
            };
            let last = name.chars().next_back().unwrap();
            let pat = |len: usize| Pat {
                skill,
                rule,
                ctx,
                ends_with_symbol: !is_word_char(last),
                exact: name.clone().into_boxed_str(),
                upper: upper.clone().into_boxed_str(),
                capfirst: capfirst.clone().into_boxed_str(),
                alts: Box::new([]),
                len: len as u32,
            };
            if rule != NameRule::Strong && is_short(&name) {
                // Only the accepted spellings, matched case-sensitively.
                let mut forms = vec![name.clone()];
                if rule == NameRule::CaseSensitive {
                    forms.push(upper.clone());
                    forms.push(capfirst.clone());
                }
                for f in forms {
                    if short_seen.insert(f.clone(), ()).is_none() {
                        if f.len() == 1 {
                            letter_pats.push(pat(1));
                            letter_patterns.push(f);
                        } else {
                            short_pats.push(pat(f.len()));
                            short_patterns.push(f);
                        }
                    }
                }
                continue;
            }
            for v in variants(&name) {
                let key = v.to_ascii_lowercase().into_bytes();
                if seen.contains_key(&key) {
                    continue;
                }
                seen.insert(key, pats.len() as u32);
                pats.push(pat(v.len()));
                patterns.push(v);
            }
        }
        // Prefix alternatives, for when the longest name fails the word-boundary test.
        for (pid, p) in patterns.iter().enumerate() {
            let lower = p.to_ascii_lowercase();
            let mut alts = Vec::new();
            for (cut, _) in lower.char_indices().skip(1).collect::<Vec<_>>().into_iter().rev() {
                if let Some(&q) = seen.get(&lower.as_bytes()[..cut]) {
                    alts.push(q);
                }
            }
            pats[pid].alts = alts.into_boxed_slice();
        }

        let words = WordIndex::new(&patterns);
        let small = |p: &[String]| -> Result<Option<AhoCorasick>, TaxonomyError> {
            if p.is_empty() {
                return Ok(None);
            }
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(p)
                .map(Some)
                .map_err(|e| TaxonomyError::Build(e.to_string()))
        };
        let short_ac = small(&short_patterns)?;
        let letter_ac = small(&letter_patterns)?;

        let mut by_loose: HashMap<String, u32> = HashMap::new();
        for (k, &v) in &by_name {
            let l = loose(k);
            if l.is_empty() {
                continue;
            }
            match by_loose.get(&l) {
                Some(&w) if w != v => {
                    by_loose.insert(l, NO_SKILL);
                }
                _ => {
                    by_loose.insert(l, v);
                }
            }
        }
        Ok(Taxonomy { skills, groups, cats, lead_in, words, pats, short_ac, short_pats, letter_ac, letter_pats, by_name, by_loose })
    }

    /// All skills; `SkillId(i)` is `skills()[i]`.
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The skill of an id. Panics on an id from another taxonomy that is out of range.
    pub fn get(&self, id: SkillId) -> &Skill {
        &self.skills[id.0 as usize]
    }

    /// The skill with this slug.
    pub fn by_slug(&self, slug: &str) -> Option<SkillId> {
        self.skills.iter().position(|s| s.slug == slug).map(|i| SkillId(i as u32))
    }

    /// Number of automaton patterns (names in all their variants, plus context words).
    pub fn pattern_count(&self) -> usize {
        self.pats.len()
    }

    /// The canonical skill of a name typed by a recruiter ("postgres", "Node.js", "k8s", "Développeur"):
    /// case-, accent- and spacing-insensitive; punctuation other than `+` and `#` is ignored as a last
    /// resort ("node js", "nodejs", "ci-cd") when that is unambiguous. Ambiguity rules do not apply here.
    pub fn lookup(&self, name: &str) -> Option<SkillId> {
        let k = normalize(name.trim().trim_start_matches(['~', '?']));
        if k.is_empty() {
            return None;
        }
        if let Some(&i) = self.by_name.get(&k) {
            return Some(SkillId(i));
        }
        match self.by_loose.get(&loose(&k)) {
            Some(&i) if i != NO_SKILL => Some(SkillId(i)),
            _ => None,
        }
    }

    /// Every skill mentioned in `text`, first mention per skill, sorted by position.
    pub fn find(&self, text: &str) -> Vec<SkillHit> {
        let mut out = Vec::new();
        self.find_into(text, &mut out);
        out
    }

    /// Like [`Taxonomy::find`], reusing `out` (cleared first); allocates nothing once `out` has grown,
    /// except for texts with more than 64 mentions.
    pub fn find_into(&self, text: &str, out: &mut Vec<SkillHit>) {
        self.find_into_with(text, out, |t, p| self.words.find_at(t, p))
    }

    /// [`Taxonomy::find_into`] with the main names found by `search` (the word index; the
    /// tests compare it with an automaton).
    fn find_into_with(&self, text: &str, out: &mut Vec<SkillHit>, search: impl Fn(&str, usize) -> Option<(usize, usize, u32)>) {
        out.clear();
        let len = text.len();
        let mut pos = 0usize;
        let mut pending = false;
        while pos < len {
            let Some((s, e, found)) = search(text, pos) else { break };
            if !left_ok(text, s) {
                pos = skip_word(text, s);
                continue;
            }
            let mut pid = found;
            let mut end = e;
            let mut verdict = self.judge(text, pid, s, end);
            if verdict == Verdict::Reject {
                let mut found = false;
                for &q in self.pats[pid as usize].alts.iter() {
                    let qe = s + self.pats[q as usize].len as usize;
                    let v = self.judge(text, q, s, qe);
                    if v != Verdict::Reject {
                        pid = q;
                        end = qe;
                        verdict = v;
                        found = true;
                        break;
                    }
                }
                if !found {
                    pos = skip_word(text, s);
                    continue;
                }
            }
            let p = &self.pats[pid as usize];
            if p.ctx != 0 {
                out.push(SkillHit { skill: SkillId(MARKER | p.ctx as u32), start: s, end });
            }
            match verdict {
                Verdict::Accept => out.push(SkillHit { skill: SkillId(p.skill), start: s, end }),
                Verdict::Pending { strict } => {
                    pending = true;
                    let flags = PENDING | if strict { STRICT } else { 0 };
                    out.push(SkillHit { skill: SkillId(p.skill | flags), start: s, end });
                }
                Verdict::ContextOnly | Verdict::Reject => {}
            }
            pos = end;
        }
        for (sac, spats) in [(&self.short_ac, &self.short_pats), (&self.letter_ac, &self.letter_pats)] {
            let Some(sac) = sac else { continue };
            for m in sac.find_iter(text) {
                let (s, e) = (m.start(), m.end());
                // Inside a match of the main automaton (C++, C#, "permis C", "generative AI")?
                let at = out.partition_point(|h| h.start <= s);
                if at > 0 && out[at - 1].end > s {
                    continue;
                }
                let p = &spats[m.pattern().as_usize()];
                let verdict = if !left_ok(text, s) || !right_ok(text, e, p.ends_with_symbol) {
                    Verdict::Reject
                } else if p.skill == NO_SKILL {
                    Verdict::ContextOnly
                } else if p.rule == NameRule::Ambiguous {
                    self.judge_weak(text, p.skill, s, e, e - s == 1)
                } else {
                    Verdict::Accept
                };
                let mut at = at;
                if verdict != Verdict::Reject && p.ctx != 0 {
                    out.insert(at, SkillHit { skill: SkillId(MARKER | p.ctx as u32), start: s, end: e });
                    at += 1;
                }
                match verdict {
                    Verdict::Accept => out.insert(at, SkillHit { skill: SkillId(p.skill), start: s, end: e }),
                    Verdict::Pending { strict } => {
                        pending = true;
                        let flags = PENDING | if strict { STRICT } else { 0 };
                        out.insert(at, SkillHit { skill: SkillId(p.skill | flags), start: s, end: e });
                    }
                    _ => {}
                }
            }
        }
        if pending {
            self.resolve(text, out);
        }
        // Compact: drop markers, rejected and unresolved entries, and repeated skills.
        let mut w = 0;
        let mut seen_big: Option<Vec<u64>> = None;
        for r in 0..out.len() {
            let h = out[r];
            if h.skill.0 & (MARKER | PENDING | DROPPED) != 0 {
                continue;
            }
            let id = h.skill.0;
            let dup = if w < 64 {
                out[..w].iter().any(|x| x.skill.0 == id)
            } else {
                let bits = seen_big.get_or_insert_with(|| {
                    let mut b = vec![0u64; self.skills.len().div_ceil(64)];
                    for x in &out[..w] {
                        b[x.skill.0 as usize / 64] |= 1 << (x.skill.0 % 64);
                    }
                    b
                });
                let hit = bits[id as usize / 64] & (1 << (id % 64)) != 0;
                bits[id as usize / 64] |= 1 << (id % 64);
                hit
            };
            if dup {
                continue;
            }
            if let Some(b) = seen_big.as_mut() {
                b[id as usize / 64] |= 1 << (id % 64);
            }
            out[w] = h;
            w += 1;
        }
        out.truncate(w);
    }

    /// Boundary and rule checks of one automaton match.
    fn judge(&self, text: &str, pid: u32, s: usize, e: usize) -> Verdict {
        let p = &self.pats[pid as usize];
        if !right_ok(text, e, p.ends_with_symbol) {
            return Verdict::Reject;
        }
        if p.skill == NO_SKILL {
            return Verdict::ContextOnly;
        }
        let got = &text[s..e];
        match p.rule {
            NameRule::Strong => Verdict::Accept,
            NameRule::CaseSensitive => {
                if got == &*p.exact || got == &*p.upper || got == &*p.capfirst {
                    Verdict::Accept
                } else if p.ctx != 0 {
                    Verdict::ContextOnly
                } else {
                    Verdict::Reject
                }
            }
            NameRule::Ambiguous => {
                if got != &*p.exact {
                    return if p.ctx != 0 { Verdict::ContextOnly } else { Verdict::Reject };
                }
                match self.judge_weak(text, p.skill, s, e, false) {
                    Verdict::Reject if p.ctx != 0 => Verdict::ContextOnly,
                    v => v,
                }
            }
        }
    }

    /// Vetoes, lead-in and sentence-start rules of an ambiguous mention whose case is right.
    fn judge_weak(&self, text: &str, skill: u32, s: usize, e: usize, letter: bool) -> Verdict {
        let b = text.as_bytes();
        let next = text[e..].chars().next();
        let prev = text[..s].chars().next_back();
        if letter {
            // Word boundaries for the letter scan, and "C.V.", "J.R.", "C++", "C#".
            if prev.is_some_and(is_word_char) || next.is_some_and(is_word_char) {
                return Verdict::Reject;
            }
            if matches!(next, Some('+' | '#')) {
                return Verdict::Reject;
            }
            if next == Some('.') && text[e + 1..].chars().next().is_some_and(char::is_alphanumeric) {
                return Verdict::Reject;
            }
            if prev == Some('.') && text[..s - 1].chars().next_back().is_some_and(char::is_alphanumeric) {
                return Verdict::Reject;
            }
            if matches!(next, Some('\'' | '’')) || matches!(prev, Some('\'' | '’')) {
                return Verdict::Reject;
            }
            if !right_ok(text, e, false) {
                return Verdict::Reject;
            }
        }
        // "R&D", "R & D", "AT&T".
        if next == Some('&') || prev == Some('&') {
            return Verdict::Reject;
        }
        if b.get(e) == Some(&b' ') && b.get(e + 1) == Some(&b'&') {
            return Verdict::Reject;
        }
        if s >= 2 && b[s - 1] == b' ' && b[s - 2] == b'&' {
            return Verdict::Reject;
        }
        // Hyphenated compounds: "C-suite", "Go-to-market", "sage-femme", "chef-lieu".
        if next == Some('-') && text[e + 1..].chars().next().is_some_and(char::is_alphabetic) {
            return Verdict::Reject;
        }
        if prev == Some('-') && text[..s - 1].chars().next_back().is_some_and(char::is_alphabetic) {
            return Verdict::Reject;
        }
        let nw = next_word(text, e);
        if let Some((_, w)) = nw {
            if VETO_NEXT.iter().any(|v| v.eq_ignore_ascii_case(w)) {
                return Verdict::Reject;
            }
        }
        if followed_by_year(text, e) {
            return Verdict::Reject;
        }
        if self.lead_in[skill as usize] {
            if let Some(w) = prev_word(text, s) {
                if LEAD_IN.iter().any(|v| v.eq_ignore_ascii_case(w)) {
                    return Verdict::Accept;
                }
            }
        }
        let strict = sentence_start(text, s)
            && nw.is_some_and(|(_, w)| w.chars().next().is_some_and(char::is_lowercase))
            && !matches!(nw, Some((_, "et" | "and" | "ou" | "or")));
        Verdict::Pending { strict }
    }

    /// Keeps pending ambiguous mentions that have context nearby.
    fn resolve(&self, text: &str, out: &mut [SkillHit]) {
        for i in 0..out.len() {
            let h = out[i];
            if h.skill.0 & MARKER != 0 || h.skill.0 & PENDING == 0 {
                continue;
            }
            let id = h.skill.0 & ID_MASK;
            let g = self.groups[id as usize];
            let cat = self.cats[id as usize];
            let strict_at = if h.skill.0 & STRICT != 0 { next_word(text, h.end).map(|(p, _)| p) } else { None };
            let strict = h.skill.0 & STRICT != 0;
            let supports = |o: &SkillHit| -> bool {
                let x = o.skill.0;
                if x & MARKER != 0 {
                    return (x as u8) & g != 0;
                }
                if x & (PENDING | DROPPED) != 0 {
                    return false;
                }
                let oid = x as usize;
                (g != 0 && self.groups[oid] & g != 0) || self.cats[oid] == cat
            };
            let mut ok = false;
            if strict {
                if let Some(p) = strict_at {
                    ok = out[i + 1..].iter().take_while(|o| o.start <= p).any(|o| o.start == p && supports(o));
                }
            } else {
                let lo = h.start.saturating_sub(CONTEXT_WINDOW);
                let hi = h.end + CONTEXT_WINDOW;
                ok = out[..i].iter().rev().take_while(|o| o.end >= lo).any(supports)
                    || out[i + 1..].iter().take_while(|o| o.start <= hi).any(supports);
            }
            out[i].skill = SkillId(if ok { id } else { id | DROPPED });
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    Pending { strict: bool },
    /// Not a skill mention here, but a context word.
    ContextOnly,
    Reject,
}

/// Weak names this short go to the case-sensitive automaton: in the case-insensitive one they would fire
/// inside common words ("ai" in "said", "po" in "pour", "ui" in "suis").
fn is_short(name: &str) -> bool {
    let n = name.len();
    n <= 3 || (n <= 4 && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// ASCII bytes that are word characters (letters, digits, `_`).
const WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_';
        i += 1;
    }
    t
};

/// The main names by their first word. Names only count at a word's start, so instead of an
/// automaton run over every byte, each word of a text costs one hash of its (ASCII-lowercased)
/// bytes and one table probe, which gives the few names starting with that word, longest
/// first. It finds what a leftmost-longest, ASCII-case-insensitive automaton finds wherever
/// a name may count: at word starts, and at the symbols some names begin with (".NET"), which
/// are reported also where they do not count so that the caller skips the word as before.
struct WordIndex {
    /// Open addressing: (hash of a first word, start in `cands`, count); hash 0 is empty.
    table: Vec<(u64, u32, u32)>,
    mask: usize,
    /// (pattern id, its range in `arena`), grouped by first word, longest first within a group.
    cands: Vec<(u32, u32, u32)>,
    /// Every pattern's bytes, ASCII-lowercased, end to end (one allocation, no pointer to
    /// follow per candidate).
    arena: Vec<u8>,
    /// ASCII non-word bytes some name begins with.
    sym_ascii: [bool; 128],
    /// Non-ASCII non-word characters some name begins with.
    sym_other: Vec<char>,
    /// One bit per value of a hash's top `FILTER_BITS` bits, set for every first word: most
    /// words of a text begin no name, and this 8 KiB table (in L1) tells so without a probe.
    filter: Vec<u64>,
}

const FILTER_BITS: u32 = 16;

#[inline(always)]
fn filter_slot(h: u64) -> (usize, u64) {
    let k = (h >> (64 - FILTER_BITS)) as usize;
    (k / 64, 1 << (k % 64))
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;

#[inline(always)]
fn finish(h: u64) -> u64 {
    let h = h ^ (h >> 29);
    h.max(1)
}

impl WordIndex {
    fn new(patterns: &[String]) -> WordIndex {
        let mut groups: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut sym_ascii = [false; 128];
        let mut sym_other = Vec::new();
        for (pid, p) in patterns.iter().enumerate() {
            let first = first_word(p, 0);
            let Some((_, h)) = first else { continue };
            let c = p.chars().next().unwrap();
            if !is_word_char(c) {
                if c.is_ascii() {
                    sym_ascii[c as usize] = true;
                } else if !sym_other.contains(&c) {
                    sym_other.push(c);
                }
            }
            groups.entry(h).or_default().push(pid as u32);
        }
        let size = (groups.len() * 2).next_power_of_two().max(16);
        let mut table = vec![(0u64, 0u32, 0u32); size];
        let mut cands = Vec::with_capacity(patterns.len());
        let mut arena = Vec::new();
        let mut keys: Vec<u64> = groups.keys().copied().collect();
        keys.sort_unstable();
        let mut filter = vec![0u64; (1usize << FILTER_BITS) / 64];
        for h in keys {
            let (w, bit) = filter_slot(h);
            filter[w] |= bit;
            let mut g = groups.remove(&h).unwrap();
            g.sort_by_key(|&pid| (std::cmp::Reverse(patterns[pid as usize].len()), pid));
            let mut i = h as usize & (size - 1);
            while table[i].0 != 0 {
                i = (i + 1) & (size - 1);
            }
            table[i] = (h, cands.len() as u32, g.len() as u32);
            for pid in g {
                let start = arena.len() as u32;
                arena.extend(patterns[pid as usize].bytes().map(|b| b.to_ascii_lowercase()));
                cands.push((pid, start, arena.len() as u32));
            }
        }
        WordIndex { table, mask: size - 1, cands, arena, sym_ascii, sym_other, filter }
    }

    #[inline]
    fn group(&self, h: u64) -> &[(u32, u32, u32)] {
        let (w, bit) = filter_slot(h);
        if self.filter[w] & bit == 0 {
            return &[];
        }
        let mut i = h as usize & self.mask;
        loop {
            let (k, start, n) = self.table[i];
            if k == h {
                return &self.cands[start as usize..(start + n) as usize];
            }
            if k == 0 {
                return &[];
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Every name's (ASCII-lowercased) bytes, by pattern id.
    #[cfg(test)]
    fn pattern_bytes(&self) -> Vec<&[u8]> {
        let mut v: Vec<(u32, &[u8])> = self.cands.iter().map(|&(pid, a, z)| (pid, &self.arena[a as usize..z as usize])).collect();
        v.sort_by_key(|x| x.0);
        assert!(v.iter().enumerate().all(|(i, x)| x.0 as usize == i), "every pattern is indexed");
        v.into_iter().map(|x| x.1).collect()
    }

    /// The longest name at `s` among those starting with the word whose hash is `h`.
    #[inline]
    fn longest_at(&self, b: &[u8], s: usize, h: u64) -> Option<(usize, u32)> {
        for &(pid, a, z) in self.group(h) {
            let p = &self.arena[a as usize..z as usize];
            if s + p.len() <= b.len() && b[s..s + p.len()].eq_ignore_ascii_case(p) {
                return Some((s + p.len(), pid));
            }
        }
        None
    }

    /// The first name at or after `pos`, as (start, end, pattern id).
    fn find_at(&self, text: &str, pos: usize) -> Option<(usize, usize, u32)> {
        let b = text.as_bytes();
        let len = b.len();
        let mut i = pos;
        // Whether the character before `i` is a word character.
        let mut prev_word = pos > 0 && text[..pos].chars().next_back().is_some_and(is_word_char);
        while i < len {
            let c = b[i];
            let (word, width, symbol) = if c < 0x80 {
                (WORD[c as usize], 1, self.sym_ascii[c as usize])
            } else {
                let ch = text[i..].chars().next().unwrap();
                (is_word_char(ch), ch.len_utf8(), self.sym_other.contains(&ch))
            };
            if word && prev_word {
                // Inside a word (only where `pos` fell): no name starts here.
                i += width;
                continue;
            }
            if word || symbol {
                let (end, h) = first_word(text, i).expect("a character starts here");
                if let Some((e, pid)) = self.longest_at(b, i, h) {
                    return Some((i, e, pid));
                }
                if word {
                    // The rest of the word cannot start a name.
                    i = end;
                    prev_word = true;
                    continue;
                }
            }
            prev_word = false;
            i += width;
        }
        None
    }
}

/// The first word of `text` at `s` (a run of word characters, or one other character), as
/// (its end, the hash of its ASCII-lowercased bytes). The bytes are hashed eight at a time
/// (lowercased word-wise), so a word costs one multiply per eight bytes instead of one per byte.
#[inline]
fn first_word(text: &str, s: usize) -> Option<(usize, u64)> {
    let b = text.as_bytes();
    let &c0 = b.get(s)?;
    let end = if c0 < 0x80 {
        if !WORD[c0 as usize] {
            return Some((s + 1, hash_bytes(b, s, s + 1)));
        }
        s + 1
    } else {
        let ch = text[s..].chars().next().unwrap();
        if !is_word_char(ch) {
            let e = s + ch.len_utf8();
            return Some((e, hash_bytes(b, s, e)));
        }
        s + ch.len_utf8()
    };
    let e = word_end(text, end);
    Some((e, hash_bytes(b, s, e)))
}

/// The end of the run of word characters starting at `i`. ASCII is classified eight bytes at
/// a time, so the end of a word is found without a branch per byte.
#[inline]
fn word_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        let n = (b.len() - i).min(8);
        let x = load_partial(b, i, n);
        // Bytes past the text are zero, which stops a word like any non-word byte.
        let stop = !word8(x) & HIGH8;
        if stop == 0 {
            i += 8;
            continue;
        }
        i += (stop.trailing_zeros() / 8) as usize;
        if i >= b.len() || b[i] < 0x80 {
            return i.min(b.len());
        }
        let ch = text[i..].chars().next().unwrap();
        if !is_word_char(ch) {
            return i;
        }
        i += ch.len_utf8();
    }
    i
}

const ONES8: u64 = 0x0101_0101_0101_0101;
const HIGH8: u64 = 0x8080_8080_8080_8080;

/// Per byte of `x`, the high bit set where `lo <= byte <= hi` (both below 0x80); bytes with
/// the high bit set never are.
#[inline(always)]
fn in_range8(x: u64, lo: u8, hi: u8) -> u64 {
    let low7 = x & !HIGH8;
    let ge = low7.wrapping_add(ONES8 * (0x80 - lo as u64));
    let gt = low7.wrapping_add(ONES8 * (0x7f - hi as u64));
    (ge ^ gt) & !x & HIGH8
}

/// Per byte of `x`, the high bit set where the byte is an ASCII word byte (`[0-9A-Za-z_]`).
#[inline(always)]
fn word8(x: u64) -> u64 {
    in_range8(x, b'0', b'9') | in_range8(x, b'A', b'Z') | in_range8(x, b'a', b'z') | in_range8(x, b'_', b'_')
}

/// ASCII letters of `x`'s eight bytes lowercased; other bytes unchanged.
#[inline(always)]
fn lower8(x: u64) -> u64 {
    x | (in_range8(x, b'A', b'Z') >> 2)
}

/// `b[from..from + n]` (1 ≤ n ≤ 8) as a little-endian u64, zero-padded. Loads eight bytes
/// straight from `b` wherever they fit (a copy to a buffer would stall the load).
#[inline(always)]
fn load_partial(b: &[u8], from: usize, n: usize) -> u64 {
    if from + 8 <= b.len() {
        let x = u64::from_le_bytes(b[from..from + 8].try_into().unwrap());
        if n == 8 { x } else { x & ((1u64 << (8 * n)) - 1) }
    } else if from + n >= 8 {
        let x = u64::from_le_bytes(b[from + n - 8..from + n].try_into().unwrap());
        x >> (8 * (8 - n))
    } else {
        b[from..from + n].iter().rev().fold(0u64, |acc, &x| acc << 8 | x as u64)
    }
}

/// Hash of the ASCII-lowercased bytes `b[s..e]`, never 0.
#[inline(always)]
fn hash_bytes(b: &[u8], s: usize, e: usize) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = SEED ^ ((e - s) as u64).wrapping_mul(K);
    let mut i = s;
    while i < e {
        let n = (e - i).min(8);
        let x = lower8(load_partial(b, i, n));
        h = (h ^ x).wrapping_mul(K).rotate_left(29);
        i += n;
    }
    finish(h.wrapping_mul(K))
}

/// Letters and digits (Unicode) and `_`; Latin letters without the table walk.
#[inline]
fn is_word_char(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return WORD[u as usize];
    }
    // Latin-1 letters, Latin Extended-A and -B: all alphabetic but × and ÷.
    if (0xC0..0x250).contains(&u) {
        return u != 0xD7 && u != 0xF7;
    }
    // General punctuation, symbols, arrows … dingbats, and the emoji planes' pictographs.
    if (0x2000..0x2070).contains(&u) || (0x1F300..0x1FB00).contains(&u) {
        return false;
    }
    c.is_alphanumeric()
}

#[inline]
fn left_ok(text: &str, s: usize) -> bool {
    if s == 0 {
        return true;
    }
    let b = text.as_bytes()[s - 1];
    if b < 0x80 {
        return !(b.is_ascii_alphanumeric() || b == b'_');
    }
    !text[..s].chars().next_back().is_some_and(is_word_char)
}

#[inline]
fn right_ok(text: &str, e: usize, ends_with_symbol: bool) -> bool {
    let b = text.as_bytes();
    let Some(&n) = b.get(e) else { return true };
    if n < 0x80 {
        if n.is_ascii_alphabetic() || n == b'_' {
            return false;
        }
        if n.is_ascii_digit() {
            return ends_with_symbol;
        }
        if n == b'\'' {
            return apostrophe_ok(text, e + 1);
        }
        return true;
    }
    let c = text[e..].chars().next().unwrap();
    if c == '’' {
        return apostrophe_ok(text, e + c.len_utf8());
    }
    if c.is_alphabetic() {
        return false;
    }
    if c.is_numeric() {
        return ends_with_symbol;
    }
    true
}

/// After `name'`: a letter continues the word (C'est), except the English possessive 's.
fn apostrophe_ok(text: &str, after: usize) -> bool {
    let mut it = text[after..].chars();
    match it.next() {
        Some('s' | 'S') => !it.next().is_some_and(is_word_char),
        Some(c) => !c.is_alphabetic(),
        None => true,
    }
}

/// The first position after `s` where a match could start (the end of the word starting at `s`).
#[inline]
fn skip_word(text: &str, s: usize) -> usize {
    let first = text[s..].chars().next().map(char::len_utf8).unwrap_or(1);
    let p = s + first;
    match text[p..].find(|c: char| !is_word_char(c)) {
        Some(i) => p + i,
        None => text.len(),
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{a0}' || c == '\u{202f}'
}

/// The word (letters only) after `e`, past spaces, with its start.
fn next_word(text: &str, e: usize) -> Option<(usize, &str)> {
    let rest = &text[e..];
    let t = rest.trim_start_matches(is_space);
    let start = e + (rest.len() - t.len());
    let wlen = t.find(|c: char| !c.is_alphabetic()).unwrap_or(t.len());
    if wlen == 0 {
        None
    } else {
        Some((start, &t[..wlen]))
    }
}

/// The word (letters only) before `s`, past spaces.
fn prev_word(text: &str, s: usize) -> Option<&str> {
    let t = text[..s].trim_end_matches(is_space);
    let start = t.rfind(|c: char| !c.is_alphabetic()).map(|i| i + t[i..].chars().next().unwrap().len_utf8());
    let w = &t[start.unwrap_or(0)..];
    if w.is_empty() {
        None
    } else {
        Some(w)
    }
}

/// "Spring 2025", "Spring '25".
fn followed_by_year(text: &str, e: usize) -> bool {
    let t = text[e..].trim_start_matches(is_space);
    let (t, n) = match t.strip_prefix(['\'', '’']) {
        Some(x) => (x, 2),
        None => (t, 4),
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits == n && (n == 2 || t.starts_with("19") || t.starts_with("20"))
}

fn sentence_start(text: &str, s: usize) -> bool {
    let t = text[..s].trim_end_matches(is_space);
    match t.chars().next_back() {
        None => true,
        Some(c) => matches!(c, '.' | '!' | '?' | '\n' | '\r' | '•' | '*' | '-' | '–' | '—' | '·' | '>' | '"' | '«' | '“'),
    }
}

/// A name's variants for the automaton: as written, non-ASCII letters lowercased / uppercased,
/// accents stripped, and `'`/`’` swapped.
fn variants(name: &str) -> Vec<String> {
    let mut v = vec![name.to_string()];
    if !name.is_ascii() {
        let lower: String = name.chars().map(|c| if c.is_ascii() { c.to_string() } else { c.to_lowercase().collect() }).collect();
        let upper: String = name.chars().map(|c| if c.is_ascii() { c.to_string() } else { c.to_uppercase().collect() }).collect();
        let stripped: String = name
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    return c.to_string();
                }
                let low: String = c.to_lowercase().collect();
                let mut f = String::new();
                for l in low.chars() {
                    match fold(l) {
                        Some(s) => f.push_str(s),
                        None => f.push(l),
                    }
                }
                if c.is_uppercase() {
                    f.to_uppercase()
                } else {
                    f
                }
            })
            .collect();
        v.extend([lower, upper, stripped]);
        // Ligatures typed as two letters while other accents are kept ("Maîtrise d'oeuvre").
        if name.contains(['œ', 'Œ', 'æ', 'Æ']) {
            let lig = name.replace('œ', "oe").replace('Œ', "OE").replace('æ', "ae").replace('Æ', "AE");
            v.push(lig);
        }
    }
    let n = v.len();
    for i in 0..n {
        if v[i].contains('\'') {
            let x = v[i].replace('\'', "’");
            v.push(x);
        } else if v[i].contains('’') {
            let x = v[i].replace('’', "'");
            v.push(x);
        }
    }
    v
}

/// Accent folding of a lowercase letter.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' => "z",
        'š' | 'ś' => "s",
        'ł' => "l",
        'đ' | 'ď' => "d",
        'ř' => "r",
        'ť' => "t",
        'ğ' => "g",
        'œ' => "oe",
        'æ' => "ae",
        'ß' => "ss",
        _ => return None,
    })
}

/// Lookup key: lowercase, accents folded, typographic apostrophes made plain, spaces collapsed.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        let c = if matches!(c, '’' | '‘' | '`' | '´') { '\'' } else { c };
        for l in c.to_lowercase() {
            match fold(l) {
                Some(f) => out.push_str(f),
                None => out.push(l),
            }
        }
    }
    out
}

/// Looser key: only letters, digits, `+` and `#`.
fn loose(k: &str) -> String {
    k.chars().filter(|c| c.is_alphanumeric() || *c == '+' || *c == '#').collect()
}

#[cfg(test)]
mod tests {
    /// The word index finds exactly what the leftmost-longest, ASCII-case-insensitive automaton
    /// it replaced found, on realistic replies, on skill-laden texts and on random texts.
    #[test]
    fn word_index_agrees_with_the_automaton() {
        use aho_corasick::{AhoCorasick, Input, MatchKind};
        let tax = Taxonomy::builtin();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(tax.words.pattern_bytes())
            .unwrap();
        let by_ac = |t: &str, p: usize| ac.find(Input::new(t).span(p..t.len())).map(|m| (m.start(), m.end(), m.pattern().as_u32()));
        let mut texts = crate::sourcing::extract::corpus::replies(3000, 7);
        // Every name, in several cases, glued to words, symbols, digits and apostrophes.
        let names: Vec<String> = tax.words.pattern_bytes().iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        let around = ["", " ", "x", "_", ".", "-", "'s", "’s", "2", "++", "é", "(", ")", "/", "#", ",", "Z"];
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for (i, n) in names.iter().enumerate() {
            let a = around[(next() % around.len() as u64) as usize];
            let z = around[(next() % around.len() as u64) as usize];
            let cased = match i % 3 {
                0 => n.clone(),
                1 => n.to_ascii_uppercase(),
                _ => n.chars().enumerate().map(|(k, c)| if k == 0 { c.to_ascii_uppercase() } else { c }).collect(),
            };
            let other = &names[(next() % names.len() as u64) as usize];
            texts.push(format!("{a}{cased}{z} {other}{z}{a}{cased}"));
        }
        let alphabet: Vec<char> = "aAcCgGoOrRjJsS+#._-/ 'é’2\n".chars().collect();
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            texts.push((0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect());
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for t in &texts {
            tax.find_into(t, &mut a);
            tax.find_into_with(t, &mut b, by_ac);
            assert_eq!(a, b, "{t:?}");
        }
    }

    use super::*;

    #[test]
    fn normalize_folds() {
        assert_eq!(normalize("  Développeur   Back-End "), "developpeur back-end");
        assert_eq!(normalize("Maîtrise d’œuvre"), "maitrise d'oeuvre");
        assert_eq!(loose("node.js"), "nodejs");
    }

    #[test]
    fn variants_cover_accents() {
        let v = variants("Développeur");
        assert!(v.contains(&"DÉveloppeur".to_string()));
        assert!(v.contains(&"Developpeur".to_string()));
        let v = variants("chef d'équipe");
        assert!(v.iter().any(|x| x.contains('’')));
    }

    #[test]
    fn word_bytes_classified_eight_at_a_time() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut x = [b'q'; 8];
                x[pos] = b;
                let got = word8(u64::from_le_bytes(x)).to_le_bytes();
                let want = b < 0x80 && WORD[b as usize];
                assert_eq!(got[pos] == 0x80, want, "byte {b:#x} at {pos}");
                assert!(got.iter().enumerate().all(|(i, &g)| i == pos || g == 0x80));
            }
        }
        for t in ["abc", "abcdefgh", "abcdefghij klm", "ab_9Z-x", "dév", "naïve—x", "a\u{1F600}b", "x\u{2019}y", "k8s,"] {
            for i in 0..t.len() {
                if t.is_char_boundary(i) {
                    let slow = t[i..].find(|c: char| !is_word_char(c)).map_or(t.len(), |k| i + k);
                    assert_eq!(word_end(t, i), slow, "{t:?} from {i}");
                }
            }
        }
    }

    #[test]
    fn word_char_fast_path_agrees_with_unicode() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric() || c == '_', "{c:?} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn word_hash_is_ascii_case_insensitive_and_lowercases_every_byte() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut x = [b'q'; 8];
                x[pos] = b;
                let want: Vec<u8> = x.iter().map(u8::to_ascii_lowercase).collect();
                assert_eq!(lower8(u64::from_le_bytes(x)).to_le_bytes().to_vec(), want, "byte {b:#x} at {pos}");
            }
        }
        let h = |w: &[u8]| hash_bytes(w, 0, w.len());
        assert_eq!(h(b"JavaScript"), h(b"javascript"));
        assert_eq!(h("DÉVELOPPEUR".as_bytes()), h("dÉveloppeur".as_bytes()));
        assert_ne!(h(b"java"), h(b"javas"));
        assert_ne!(h(b"abcdefgh"), h(b"abcdefgh\0"));
        assert_eq!(first_word("Kubernetes, k8s", 0), Some((10, h(b"kubernetes"))));
        assert_eq!(first_word("Kubernetes, k8s", 10), Some((11, h(b","))));
        // The same word hashes alike wherever it sits: alone, at the end, amid a longer text.
        let text = b"xx Kubernetes-Administrator yy and some more text after it";
        for (s, e) in [(3usize, 13usize), (3, 27), (14, 27), (28, 30), (0, 1)] {
            let alone = text[s..e].to_vec();
            assert_eq!(hash_bytes(text, s, e), h(&alone), "{s}..{e}");
            assert_eq!(hash_bytes(&text[..e], s, e), h(&alone), "{s}..{e} at the end");
            assert_eq!(hash_bytes(&text[s..], 0, e - s), h(&alone), "{s}..{e} at the start");
        }
        assert_eq!(first_word("équipe—x", 0).map(|x| x.0), Some("équipe".len()));
    }

    #[test]
    fn boundaries() {
        assert!(right_ok("C++17", 3, true));
        assert!(!right_ok("Javas", 4, false));
        assert!(!right_ok("C'est", 1, false));
        assert!(right_ok("Java's", 4, false));
        assert!(left_ok("(C#)", 1));
        assert!(!left_ok("xJava", 1));
        assert_eq!(skip_word("experience here", 6), 10);
        assert!(followed_by_year("Spring 2025", 6));
        assert!(followed_by_year("Spring '25", 6));
        assert!(!followed_by_year("Spring 6", 6));
        assert_eq!(prev_word("expérience en C", 14), Some("en"));
        assert_eq!(next_word("Chef d'équipe", 4).map(|x| x.1), Some("d"));
    }
}
