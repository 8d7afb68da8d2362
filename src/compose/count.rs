//! Counting text exactly as each network counts it.
use serde::Serialize;
use twitter_text::entity::Type as EntityType;
use twitter_text::extractor::{Extract, Extractor};
use unicode_segmentation::UnicodeSegmentation;
use utoipa::ToSchema;

use super::Network;

/// Bluesky refuses a post over 3000 UTF-8 bytes whatever its grapheme count.
pub const BLUESKY_MAX_BYTES: usize = 3000;
/// Mastodon's `characters_reserved_per_url` when the instance does not say.
pub const MASTODON_URL_RESERVE: usize = 23;

/// How long a text is for one network, and whether it would accept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Count {
    pub network: super::Network,
    pub length: usize,
    pub limit: usize,
    pub fits: bool,
    /// Why it does not fit, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The limit a network applies when the channel does not configure one.
pub fn default_limit(network: Network) -> usize {
    match network {
        Network::X => 280,
        Network::Mastodon => 500,
        Network::Bluesky => 300,
        Network::LinkedIn => 3000,
        // A section block's text; a whole message may be longer (40 000) but not one block.
        Network::Slack => 3000,
        Network::Discord => 2000,
        // Teams refuses messages over 28 KiB; keep room for the card around the text.
        Network::Teams => 28_000,
        // A subject line (RFC 5322 line length); the body has no limit.
        Network::Email => 78,
        // Our own JSON field; receivers usually forward it to a chat.
        Network::Webhook => 4000,
    }
}

/// Counts `text` as `network` does. `limit` overrides the default (X premium, a Mastodon
/// instance's `max_characters`); `url_reserve` is Mastodon's `characters_reserved_per_url`.
/// For LinkedIn give the text as displayed (unescaped); for Slack, Discord and Teams the
/// text as sent; for email the subject line.
pub fn count(network: Network, text: &str, limit: Option<usize>, url_reserve: Option<usize>) -> Count {
    let limit = limit.unwrap_or_else(|| default_limit(network));
    let (length, refused) = match network {
        Network::X => {
            let (len, valid_chars) = x_length(text, limit);
            (len, if valid_chars { None } else { Some(x_refused(text)) })
        }
        Network::Mastodon => (mastodon_length(text, url_reserve.unwrap_or(MASTODON_URL_RESERVE)), None),
        Network::Bluesky => {
            let bytes = text.len();
            let refused = (bytes > BLUESKY_MAX_BYTES)
                .then(|| format!("is {bytes} UTF-8 bytes; Bluesky accepts at most {BLUESKY_MAX_BYTES}"));
            (text.graphemes(true).count(), refused)
        }
        // LinkedIn's API counts Java string length: UTF-16 code units, so an emoji counts 2.
        Network::LinkedIn => (text.encode_utf16().count(), None),
        Network::Slack | Network::Discord | Network::Webhook => (text.chars().count(), None),
        Network::Teams => (text.len(), None),
        Network::Email => {
            let refused = text.contains(['\r', '\n']).then(|| "a subject line cannot contain a line break".to_string());
            (text.chars().count(), refused)
        }
    };
    let reason = if text.trim().is_empty() {
        Some("the text is empty".to_string())
    } else if length > limit {
        Some(format!("counts {length} for {}, over the limit of {limit}", network.as_str()))
    } else {
        refused
    };
    Count { network, length, limit, fits: reason.is_none(), reason }
}

/// X's weighted length (twitter-text configuration v3, limit set to `limit` so the crate's
/// validity only reflects refused characters and emptiness) and whether the crate accepts
/// the characters.
pub fn x_length(text: &str, limit: usize) -> (usize, bool) {
    let mut config = twitter_text_config::config_v3().clone();
    config.max_weighted_tweet_length = i32::try_from(limit).unwrap_or(i32::MAX);
    let Some(r) = twitter_parse(text, &config) else {
        // Every parser of the crate failed: count 2 per character (never under X's count) and refuse.
        return (text.chars().count() * 2, false);
    };
    let len = usize::try_from(r.weighted_length).unwrap_or(0);
    // The crate's is_valid also fails on length and emptiness, which are reported apart.
    let chars_ok = r.is_valid || (!text.contains(X_REFUSED) && (len > limit || text.trim().is_empty()));
    (len, chars_ok)
}

/// twitter-text's parse. Its default (nom) parser panics on some mixed-script inputs
/// (a byte slice inside a multi-byte character), so a panic falls back to the crate's other
/// parsers, which count the same way.
pub fn twitter_parse(text: &str, config: &twitter_text_config::Configuration) -> Option<twitter_text::TwitterTextParseResults> {
    guarded(|backend| twitter_text::parse_with_parser_backend(text, config, true, backend))
}

/// Runs a twitter-text call with each of its parsers until one does not panic.
pub(crate) fn guarded<T>(f: impl Fn(twitter_text::ParserBackend) -> T) -> Option<T> {
    use twitter_text::ParserBackend;
    [ParserBackend::Nom, ParserBackend::Pest, ParserBackend::External]
        .into_iter()
        .find_map(|backend| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(backend))).ok())
}

const X_REFUSED: &[char] = &['\u{FFFE}', '\u{FEFF}', '\u{FFFF}'];

fn x_refused(text: &str) -> String {
    match text.chars().find(|c| X_REFUSED.contains(c)) {
        Some(c) => format!("contains U+{:04X}, a character X refuses", c as u32),
        None => "contains a character X refuses".to_string(),
    }
}

/// Byte offset of a UTF-16 offset in `text` (twitter-text reports UTF-16 positions).
pub(crate) fn utf16_to_byte(text: &str, idx: i32) -> usize {
    let idx = usize::try_from(idx).unwrap_or(0);
    let mut units = 0;
    for (b, c) in text.char_indices() {
        if units >= idx {
            return b;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// http(s) URLs in `text` as byte ranges, as Mastodon finds them (twitter-text's
/// extractor without protocol-less URLs: trailing punctuation and unbalanced
/// parentheses are left out).
pub fn url_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    guarded(|backend| {
        let mut ex = Extractor::with_parser_backend(backend);
        ex.set_extract_url_without_protocol(false);
        ex.extract_urls_with_indices(text)
            .iter()
            .map(|e| utf16_to_byte(text, e.get_start())..utf16_to_byte(text, e.get_end()))
            .collect()
    })
    .unwrap_or_default()
}

/// Mastodon's count: grapheme clusters, each URL as `url_reserve` characters, and a remote
/// mention `@user@domain` as `@user` (app/validators/status_length_validator.rb).
pub fn mastodon_length(text: &str, url_reserve: usize) -> usize {
    let urls = url_ranges(text);
    let mentions: Vec<(std::ops::Range<usize>, String)> = if text.contains('@') {
        guarded(|backend| {
            Extractor::with_parser_backend(backend)
                .extract_entities_with_indices_federated(text)
                .iter()
                .filter(|e| e.get_type() == EntityType::FEDERATEDMENTION)
                .map(|e| (utf16_to_byte(text, e.get_start())..utf16_to_byte(text, e.get_end()), e.get_value().to_string()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|(r, _)| !urls.iter().any(|u| u.start < r.end && r.start < u.end))
        .collect()
    } else {
        Vec::new()
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = urls.into_iter().map(|r| (r, "x".repeat(url_reserve))).collect();
    for (r, value) in mentions {
        let v = value.trim_start_matches(['@', '＠']);
        let user = v.split(['@', '＠']).next().unwrap_or(v);
        edits.push((r, format!("@{user}")));
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut countable = String::with_capacity(text.len());
    let mut at = 0;
    for (r, rep) in edits {
        if r.start < at {
            continue;
        }
        countable.push_str(&text[at..r.start]);
        countable.push_str(&rep);
        at = r.end;
    }
    countable.push_str(&text[at..]);
    countable.graphemes(true).count()
}
