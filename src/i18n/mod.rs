//! English and French. Each area keeps its texts in one struct per language, so a
//! missing translation is a compile error, not a blank on screen.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// fr or en from a language tag as networks give it (`fr`, `fr-CA`, `en_US`); `None` for others.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::parse(tag.split(['-', '_']).next().unwrap_or(""))
    }

    /// Whether a short text (a reply, a post) is written in French or in English, from the
    /// common words of each; `None` when it cannot tell (no such word, as many of each, or
    /// another language). Only the first 2,000 bytes are read.
    pub fn guess(text: &str) -> Option<Lang> {
        const FR: &[&str] = &[
            "je", "tu", "il", "elle", "nous", "vous", "le", "la", "les", "des", "du", "un", "une", "est", "et", "ou", "pour", "avec", "mon", "ma",
            "mes", "votre", "vos", "suis", "dans", "sur", "pas", "qui", "que", "au", "aux", "ai", "bonjour", "merci", "salut", "bonsoir", "très",
            "mais", "cette", "ce", "ces", "son", "sa", "ses", "chez", "depuis", "poste", "offre", "ans", "expérience",
        ];
        const EN: &[&str] = &[
            "i", "you", "he", "she", "we", "they", "the", "and", "is", "are", "am", "my", "your", "for", "with", "to", "of", "in", "this",
            "that", "have", "has", "hi", "hello", "thanks", "thank", "it", "here", "but", "from", "would", "role", "position",
            "resume", "looking", "interested",
        ];
        let head = match text.char_indices().nth(2000) {
            Some((i, _)) => &text[..i],
            None => text,
        };
        let (mut fr, mut en) = (0usize, 0usize);
        let mut rest = head;
        while !rest.is_empty() {
            let start = rest.find(char::is_alphabetic).unwrap_or(rest.len());
            rest = &rest[start..];
            let len = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
            if len == 0 {
                break;
            }
            let word = rest[..len].to_lowercase();
            let after = &rest[len..];
            rest = after;
            // Elided French articles and pronouns count before their apostrophe only (j'ai, l'offre);
            // English contractions (I'm, it's) count by their first part.
            let elided = after.starts_with(['\'', '’']);
            let w = word.as_str();
            if elided && matches!(w, "j" | "l" | "d" | "m" | "c" | "qu" | "n" | "s" | "t") {
                fr += 1;
                continue;
            }
            if FR.contains(&w) {
                fr += 1;
            } else if EN.contains(&w) {
                en += 1;
            }
        }
        match fr.cmp(&en) {
            std::cmp::Ordering::Greater => Some(Lang::Fr),
            std::cmp::Ordering::Less => Some(Lang::En),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// Picks fr or en from an `Accept-Language` header by quality; English when neither appears.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = Lang::parse(primary) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, l));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

pub mod ui;
pub mod public;
pub mod sourcing;
pub mod email;
pub mod broadcast;
pub mod review;
pub mod analytics;
pub mod privacy;
pub mod security;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_of_a_reply_is_guessed_from_its_common_words() {
        for t in [
            "Bonjour, intéressée ! Mon CV : https://cv.example.fr/lea.pdf (écrivez-moi : lea [at] example [dot] fr)",
            "J'ai 5 ans d'expérience en Rust",
            "Merci pour le partage",
            "Dispo dès lundi, voici mon portfolio",
        ] {
            assert_eq!(Lang::guess(t), Some(Lang::Fr), "{t}");
        }
        for t in ["here's my resume: https://x.example/bob", "Hi! I'm interested in this role", "Thanks, my CV is attached", "I have 5 years of experience with Go"] {
            assert_eq!(Lang::guess(t), Some(Lang::En), "{t}");
        }
        // An address written "name [at] domain [dot] fr" does not make a French reply English.
        assert_eq!(Lang::guess("Mon CV : lea [at] example [dot] fr"), Some(Lang::Fr));
        // Nothing to go by, or as much of each: the caller decides.
        for t in ["", "https://x.example/cv.pdf", "Rust, Go, PostgreSQL", "🙂", "Hallo, ich bin interessiert"] {
            assert_eq!(Lang::guess(t), None, "{t}");
        }
        // Long texts are cut at a character boundary, never inside one.
        assert_eq!(Lang::guess(&"é".repeat(5000)), None);
    }

    #[test]
    fn language_tags_of_networks() {
        assert_eq!(Lang::from_tag("fr"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("en_US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("EN"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("de-DE,en;q=0.5,fr;q=0.7"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr;q=0"), Lang::En);
    }
}
