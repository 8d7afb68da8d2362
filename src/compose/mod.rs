//! The post composer: an opening and a channel profile give the post(s) a network accepts
//! the first time, counted exactly as that network counts. Pure code: no I/O here.
//!
//! Counting rules (see `count`): X uses twitter-text configuration v3 (NFC, URLs 23,
//! emoji 2, CJK 2); Mastodon counts grapheme clusters with every URL as the instance's
//! URL reserve and `@user@domain` as `@user`; Bluesky counts graphemes (300) and UTF-8
//! bytes (3000) of the text as shown; LinkedIn counts the displayed (unescaped) text.
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;
use utoipa::ToSchema;

use crate::domain::opening::{Opening, RemotePolicy};
use crate::i18n::Lang;

pub mod count;
pub mod escape;
pub mod hashtags;
pub mod template;

pub use count::{count, default_limit, Count};
pub use escape::linkedin_escape;
pub use template::{check_template, TemplateError};

use template::{Segment, Template, Values};

#[cfg(test)]
mod tests;

/// Where a post goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    X,
    Mastodon,
    Bluesky,
    LinkedIn,
    Slack,
    Discord,
    Teams,
    Email,
    /// A generic JSON webhook (signed): the text plus the opening's fields.
    Webhook,
}

impl Network {
    pub const ALL: &'static [Network] = &[
        Network::X,
        Network::Mastodon,
        Network::Bluesky,
        Network::LinkedIn,
        Network::Slack,
        Network::Discord,
        Network::Teams,
        Network::Email,
        Network::Webhook,
    ];

    /// The network's name as people write it.
    pub fn label(self) -> &'static str {
        match self {
            Network::X => "X",
            Network::Mastodon => "Mastodon",
            Network::Bluesky => "Bluesky",
            Network::LinkedIn => "LinkedIn",
            Network::Slack => "Slack",
            Network::Discord => "Discord",
            Network::Teams => "Microsoft Teams",
            Network::Email => "Email",
            Network::Webhook => "Webhook",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Network::X => "x",
            Network::Mastodon => "mastodon",
            Network::Bluesky => "bluesky",
            Network::LinkedIn => "linkedin",
            Network::Slack => "slack",
            Network::Discord => "discord",
            Network::Teams => "teams",
            Network::Email => "email",
            Network::Webhook => "webhook",
        }
    }

    /// Parses a network name; the error names the accepted values.
    pub fn parse(raw: &str) -> Result<Network, String> {
        let v = raw.trim().to_ascii_lowercase();
        Network::ALL.iter().copied().find(|n| n.as_str() == v).ok_or_else(|| {
            let allowed: Vec<&str> = Network::ALL.iter().map(|n| n.as_str()).collect();
            let shown: String = raw.chars().take(40).collect();
            format!("'{shown}' is not one of: {}", allowed.join(", "))
        })
    }

    /// Hashtags shown by default; chat networks and email show none.
    pub fn default_max_hashtags(self) -> usize {
        match self {
            Network::X => 3,
            Network::Bluesky => 4,
            Network::Mastodon | Network::LinkedIn => 5,
            Network::Slack | Network::Discord | Network::Teams | Network::Email | Network::Webhook => 0,
        }
    }

    /// Networks where a thread of posts makes sense.
    pub fn can_thread(self) -> bool {
        matches!(self, Network::X | Network::Mastodon | Network::Bluesky)
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one channel wants its posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChannelProfile {
    pub network: Network,
    /// Language of the post ("fr" or "en").
    #[schema(value_type = String, example = "fr")]
    pub language: Lang,
    /// Overrides the shipped default template (see `check_template`).
    #[serde(default)]
    pub template: Option<String>,
    /// X premium, a Mastodon instance's `max_characters`.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Mastodon's `characters_reserved_per_url`.
    #[serde(default)]
    pub url_reserve: Option<usize>,
    #[serde(default)]
    pub max_hashtags: Option<usize>,
    #[serde(default)]
    pub allow_thread: bool,
    /// 0 for the first post; re-posts use 1, 2, … for a varied text (an opening line such as
    /// "Still hiring:" and the hashtags in another order).
    #[serde(default)]
    pub variant: u32,
}

/// The networks a preview shows when no channel is named: the social networks a post is written for.
pub const PREVIEW_NETWORKS: &[Network] = &[Network::X, Network::Mastodon, Network::Bluesky, Network::LinkedIn];

/// Default profiles of [`PREVIEW_NETWORKS`] in a language.
pub fn preview_profiles(language: Lang) -> Vec<ChannelProfile> {
    PREVIEW_NETWORKS.iter().map(|n| ChannelProfile::new(*n, language)).collect()
}

impl ChannelProfile {
    /// The network's defaults in a language.
    pub fn new(network: Network, language: Lang) -> Self {
        Self { network, language, template: None, limit: None, url_reserve: None, max_hashtags: None, allow_thread: false, variant: 0 }
    }
}

/// The post(s) for one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Composed {
    pub network: Network,
    /// One post, or a thread.
    pub posts: Vec<Post>,
    /// What fitting removed: "hashtag #Kafka", "salary", "location detail", "title truncated".
    pub dropped: Vec<String>,
}

/// One post as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Post {
    /// The text to send (for LinkedIn in its escaped "little" format, for Slack mrkdwn, …).
    pub text: String,
    /// The length as the network counts it (for email: the subject line).
    pub length: usize,
    pub limit: usize,
    pub fits: bool,
    /// Tags without '#'.
    pub hashtags: Vec<String>,
    /// Full URLs the post links to.
    pub links: Vec<String>,
    /// Bluesky rich-text facets (UTF-8 byte offsets into `text`); empty elsewhere.
    pub facets: Vec<Facet>,
    /// Email only: the subject line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// A Bluesky rich-text facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Facet {
    pub byte_start: usize,
    pub byte_end: usize,
    pub feature: FacetFeature,
}

/// `app.bsky.richtext.facet#link` or `#tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "$type")]
pub enum FacetFeature {
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link { uri: String },
    /// The tag without '#'.
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag { tag: String },
    /// `@handle` in the text. The network wants the account's DID: the Bluesky client resolves
    /// the handle when it sends, and leaves the text plain if the handle does not resolve.
    #[serde(rename = "app.bsky.richtext.facet#mention")]
    Mention { handle: String },
}

/// `@handle.domain` mentions in a Bluesky text as (byte start, byte end, handle), following
/// Bluesky's own rule: after the start, a space or "(", a handle with at least one dot.
pub fn bluesky_mentions(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(off) = text[i..].find('@') {
        let at = i + off;
        i = at + 1;
        let starts_ok = at == 0 || matches!(b[at - 1], b' ' | b'\t' | b'\n' | b'\r' | b'(') || text[..at].ends_with('\u{a0}');
        if !starts_ok {
            continue;
        }
        let mut end = at + 1;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'.' || b[end] == b'-') {
            end += 1;
        }
        // A handle never ends with the sentence's full stop or a hyphen.
        while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let handle = &text[at + 1..end];
        if handle_is_valid(handle) {
            out.push((at, end, handle.to_ascii_lowercase()));
            i = end;
        }
    }
    out
}

/// A syntactically valid handle: dot-separated labels of letters, digits and inner hyphens,
/// at least two labels, the last one starting with a letter.
fn handle_is_valid(h: &str) -> bool {
    let labels: Vec<&str> = h.split('.').collect();
    h.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
        && labels.last().is_some_and(|l| l.as_bytes()[0].is_ascii_alphabetic())
}

/// How Bluesky shows a link: without scheme and "www.", long ones cut with "…"; the facet
/// carries the full URL.
pub fn bluesky_link_display(link: &str) -> String {
    let s = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://")).unwrap_or(link);
    let s = s.strip_prefix("www.").unwrap_or(s);
    let g: Vec<&str> = s.graphemes(true).collect();
    if g.len() <= 32 {
        s.to_string()
    } else {
        format!("{}…", g[..31].concat())
    }
}

fn default_template(network: Network, lang: Lang) -> &'static str {
    use Network::*;
    match (lang, network) {
        (Lang::Fr, X | Mastodon | Bluesky) => include_str!("../../templates/posts/fr/short.txt"),
        (Lang::Fr, LinkedIn | Email) => include_str!("../../templates/posts/fr/long.txt"),
        (Lang::Fr, Slack | Discord | Teams | Webhook) => include_str!("../../templates/posts/fr/chat.txt"),
        (Lang::En, X | Mastodon | Bluesky) => include_str!("../../templates/posts/en/short.txt"),
        (Lang::En, LinkedIn | Email) => include_str!("../../templates/posts/en/long.txt"),
        (Lang::En, Slack | Discord | Teams | Webhook) => include_str!("../../templates/posts/en/chat.txt"),
    }
}

/// The shipped default template source for a network and language.
pub fn default_template_source(network: Network, lang: Lang) -> &'static str {
    default_template(network, lang)
}

/// The opening line of a re-post, varied by its number.
pub fn repost_intro(lang: Lang, variant: u32) -> &'static str {
    const EN: [&str; 3] = ["Still hiring: ", "Reminder, we're hiring: ", "Open position: "];
    const FR: [&str; 3] = ["Toujours ouvert : ", "Rappel, nous recrutons : ", "Poste à pourvoir : "];
    let i = (variant.max(1) as usize - 1) % 3;
    match lang {
        Lang::En => EN[i],
        Lang::Fr => FR[i],
    }
}

fn remote_label(p: RemotePolicy, lang: Lang) -> &'static str {
    match (p, lang) {
        (RemotePolicy::OnSite, Lang::Fr) => "Sur site",
        (RemotePolicy::Hybrid, Lang::Fr) => "Télétravail hybride",
        (RemotePolicy::Remote, Lang::Fr) => "Télétravail complet",
        (RemotePolicy::OnSite, Lang::En) => "On-site",
        (RemotePolicy::Hybrid, Lang::En) => "Hybrid remote",
        (RemotePolicy::Remote, Lang::En) => "Fully remote",
    }
}

/// Text as sent, text as counted, and what it carries.
#[derive(Debug, Clone, Default)]
struct Rendered {
    text: String,
    display: String,
    links: Vec<String>,
    hashtags: Vec<String>,
    facets: Vec<Facet>,
}

fn escape_for(network: Network, t: &str) -> String {
    match network {
        Network::LinkedIn => escape::linkedin_escape(t),
        Network::Slack => escape::slack_escape(t),
        Network::Discord => escape::discord_escape(t),
        Network::Teams => escape::teams_escape(t),
        Network::X | Network::Mastodon | Network::Bluesky | Network::Email | Network::Webhook => t.to_string(),
    }
}

fn format(network: Network, segments: &[Segment]) -> Rendered {
    let mut r = Rendered::default();
    for seg in segments {
        match seg {
            Segment::Text(t) => {
                r.text.push_str(&escape_for(network, t));
                r.display.push_str(t);
            }
            Segment::Link(url) => {
                r.links.push(url.clone());
                match network {
                    Network::Bluesky => {
                        let shown = bluesky_link_display(url);
                        let start = r.text.len();
                        r.text.push_str(&shown);
                        r.display.push_str(&shown);
                        r.facets.push(Facet {
                            byte_start: start,
                            byte_end: r.text.len(),
                            feature: FacetFeature::Link { uri: url.clone() },
                        });
                    }
                    Network::Slack => {
                        r.text.push_str(&format!("<{}>", escape::slack_escape(url)));
                        r.display.push_str(url);
                    }
                    Network::LinkedIn => {
                        r.text.push_str(&escape::linkedin_escape(url));
                        r.display.push_str(url);
                    }
                    Network::Teams => {
                        r.text.push_str(&url.replace('&', "&amp;"));
                        r.display.push_str(url);
                    }
                    // Discord: escaping would break the link.
                    Network::X | Network::Mastodon | Network::Discord | Network::Email | Network::Webhook => {
                        r.text.push_str(url);
                        r.display.push_str(url);
                    }
                }
            }
            Segment::Hashtags(tags) => {
                for (i, tag) in tags.iter().enumerate() {
                    if i > 0 {
                        r.text.push(' ');
                        r.display.push(' ');
                    }
                    r.hashtags.push(tag.clone());
                    let plain = format!("#{tag}");
                    match network {
                        Network::LinkedIn => r.text.push_str(&escape::linkedin_hashtag(tag)),
                        Network::Bluesky => {
                            let start = r.text.len();
                            r.text.push_str(&plain);
                            r.facets.push(Facet {
                                byte_start: start,
                                byte_end: r.text.len(),
                                feature: FacetFeature::Tag { tag: tag.clone() },
                            });
                        }
                        _ => r.text.push_str(&escape_for(network, &plain)),
                    }
                    r.display.push_str(&plain);
                }
            }
        }
    }
    if network == Network::Bluesky {
        let taken: Vec<(usize, usize)> = r.facets.iter().map(|f| (f.byte_start, f.byte_end)).collect();
        for (start, end, handle) in bluesky_mentions(&r.text) {
            if taken.iter().all(|&(s, e)| end <= s || start >= e) {
                r.facets.push(Facet { byte_start: start, byte_end: end, feature: FacetFeature::Mention { handle } });
            }
        }
        r.facets.sort_by_key(|f| f.byte_start);
    }
    r
}

fn measure(network: Network, r: &Rendered, profile: &ChannelProfile) -> Count {
    if network != Network::LinkedIn {
        return count(network, &r.text, profile.limit, profile.url_reserve);
    }
    // LinkedIn shows the commentary without its little-format escapes, but whether its limit
    // applies before or after them is not documented: the post must fit both ways.
    let mut shown = count(network, &r.display, profile.limit, profile.url_reserve);
    let sent = count(network, &r.text, profile.limit, profile.url_reserve);
    if shown.fits && !sent.fits {
        shown.fits = false;
        shown.reason = Some(format!("{} characters once LinkedIn's reserved characters are escaped, over {}", sent.length, sent.limit));
    }
    shown
}

fn to_post(r: Rendered, c: &Count) -> Post {
    Post {
        text: r.text,
        length: c.length,
        limit: c.limit,
        fits: c.fits,
        hashtags: r.hashtags,
        links: r.links,
        facets: r.facets,
        subject: None,
    }
}

/// Cuts `s` at a grapheme boundary so that `fits(candidate)` holds, ending with "…";
/// None when even "…" alone does not fit.
fn truncate_to_fit(s: &str, fits: impl Fn(&str) -> bool) -> Option<String> {
    let g: Vec<&str> = s.graphemes(true).collect();
    let cut = |k: usize| format!("{}…", g[..k].concat().trim_end());
    if !fits(&cut(0)) {
        return None;
    }
    // Largest k (< len) whose cut fits; lengths grow with k, so a binary search finds it.
    let (mut lo, mut hi) = (0usize, g.len().saturating_sub(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&cut(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(cut(lo))
}

/// Composes the post(s) for one channel. `link` is where readers land (the job page now;
/// a tracked short link once tracked links exist).
pub fn compose(opening: &Opening, link: &str, profile: &ChannelProfile) -> Composed {
    let network = profile.network;
    let lang = profile.language;
    let d = &opening.draft;
    let mut dropped = Vec::new();
    let template = match profile.template.as_deref().map(Template::parse) {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            dropped.push(format!("custom template ({e}); the default was used"));
            default_parsed(network, lang)
        }
        None => default_parsed(network, lang),
    };
    let max_tags = profile.max_hashtags.unwrap_or_else(|| network.default_max_hashtags());
    let mut v = Values {
        title: d.title.clone(),
        company: d.company.clone(),
        location: d.city.clone().unwrap_or_default(),
        remote: remote_label(d.remote_policy, lang).to_string(),
        contract: d.employment_type.label(lang).to_string(),
        salary: opening.salary_label(lang).unwrap_or_default(),
        link: link.to_string(),
        hashtags: hashtags::for_opening(opening, lang, max_tags),
    };
    if profile.variant > 0 {
        v.title = format!("{}{}", repost_intro(lang, profile.variant), v.title);
        if !v.hashtags.is_empty() {
            let n = v.hashtags.len();
            v.hashtags.rotate_left(profile.variant as usize % n);
        }
    }
    if network == Network::Email {
        return compose_email(&template, &v, lang, dropped);
    }
    let attempt = |v: &Values| -> (Rendered, Count) {
        let r = format(network, &template.render(v));
        let c = measure(network, &r, profile);
        (r, c)
    };
    let full = v.clone();
    let threaded = profile.allow_thread && network.can_thread();
    // One post; or, on a channel that threads, the fitted post first (self-contained: title
    // and link) and what fitting left out after it, numbered.
    let done = |(r, c): (Rendered, Count), fitted: &Values, dropped: Vec<String>| {
        let first = to_post(r, &c);
        let rest = if threaded { rest_segments(&full, fitted, lang) } else { Vec::new() };
        if rest.is_empty() {
            return Composed { network, posts: vec![first], dropped };
        }
        let posts = numbered(network, profile, first, &rest);
        let dropped = dropped.into_iter().map(|d| if d.starts_with("custom template") { d } else { format!("{d} (in the thread)") }).collect();
        Composed { network, posts, dropped }
    };

    let first = attempt(&v);
    if first.1.fits {
        return done(first, &v, dropped);
    }
    // Lowest value first: trailing hashtags one at a time, then salary, then city.
    while let Some(tag) = v.hashtags.pop() {
        dropped.push(format!("hashtag #{tag}"));
        let a = attempt(&v);
        if a.1.fits {
            return done(a, &v, dropped);
        }
    }
    for (what, field) in [("salary", 0), ("location detail", 1)] {
        let f = if field == 0 { &mut v.salary } else { &mut v.location };
        if !f.is_empty() {
            f.clear();
            dropped.push(what.to_string());
            let a = attempt(&v);
            if a.1.fits {
                return done(a, &v, dropped);
            }
        }
    }
    let untruncated = v.clone();
    let fits_with = |field: fn(&mut Values) -> &mut String, base: &Values, s: &str| {
        let mut t = base.clone();
        *field(&mut t) = s.to_string();
        attempt(&t).1.fits
    };
    if let Some(title) = truncate_to_fit(&v.title, |s| fits_with(|v| &mut v.title, &v, s)) {
        v.title = title;
        dropped.push("title truncated".into());
        return done(attempt(&v), &v, dropped);
    }
    if threaded {
        // The template's own text is too long for one post: the whole of it becomes a thread.
        return thread(network, profile, &template, &untruncated, dropped);
    }
    // Only a very long company name (or custom template text) is left to cut.
    v.title = "…".into();
    dropped.push("title truncated".into());
    if let Some(company) = truncate_to_fit(&v.company, |s| fits_with(|v| &mut v.company, &v, s)) {
        v.company = company;
        dropped.push("company truncated".into());
    }
    done(attempt(&v), &v, dropped)
}

/// What the fitted first post of a thread left out, for the posts after it: the full title
/// when it was cut, the location, the salary and the hashtags that did not fit.
fn rest_segments(full: &Values, fitted: &Values, lang: Lang) -> Vec<Segment> {
    let (place, pay) = match lang {
        Lang::Fr => ("Lieu : ", "Salaire : "),
        Lang::En => ("Location: ", "Salary: "),
    };
    let mut lines: Vec<String> = Vec::new();
    if fitted.title != full.title {
        lines.push(full.title.clone());
    }
    if fitted.location.is_empty() && !full.location.is_empty() {
        lines.push(format!("{place}{}", full.location));
    }
    if fitted.salary.is_empty() && !full.salary.is_empty() {
        lines.push(format!("{pay}{}", full.salary));
    }
    let tags: Vec<String> = full.hashtags.iter().filter(|t| !fitted.hashtags.contains(t)).cloned().collect();
    let mut segs: Vec<Segment> = Vec::new();
    if !lines.is_empty() {
        segs.push(Segment::Text(lines.join("\n")));
    }
    if !tags.is_empty() {
        if !segs.is_empty() {
            segs.push(Segment::Text("\n".into()));
        }
        segs.push(Segment::Hashtags(tags));
    }
    segs
}

/// `first`, then `rest` packed into as few posts as fit, numbered "2/3", "3/3".
fn numbered(network: Network, profile: &ChannelProfile, first: Post, rest: &[Segment]) -> Vec<Post> {
    let packed = pack(network, profile, tokens(rest));
    let total = packed.len() + 1;
    let mut posts = Vec::with_capacity(total);
    posts.push(first);
    for (i, toks) in packed.iter().enumerate() {
        let r = format(network, &thread_segments(&format!("{}/{total} ", i + 2), toks));
        let c = measure(network, &r, profile);
        posts.push(to_post(r, &c));
    }
    posts
}

fn default_parsed(network: Network, lang: Lang) -> Template {
    // The shipped templates are checked by a test; parsing them cannot fail.
    Template::parse(default_template(network, lang)).unwrap_or_else(|_| Template::parse("{title}\n{link}").expect("minimal template"))
}

fn compose_email(template: &Template, v: &Values, lang: Lang, dropped: Vec<String>) -> Composed {
    let r = format(Network::Email, &template.render(v));
    let lead = match lang {
        Lang::Fr => "Nous recrutons : ",
        Lang::En => "We're hiring: ",
    };
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let full = format!("{lead}{}", one_line(&v.title));
    let limit = default_limit(Network::Email);
    let subject = if full.chars().count() <= limit {
        full
    } else {
        let fits = |s: &str| count(Network::Email, &format!("{lead}{s}"), None, None).fits;
        format!("{lead}{}", truncate_to_fit(&one_line(&v.title), fits).unwrap_or_default())
    };
    let c = count(Network::Email, &subject, None, None);
    let mut post = to_post(r, &c);
    post.subject = Some(subject);
    Composed { network: Network::Email, posts: vec![post], dropped }
}

/// A piece of a thread: never split unless plain text.
#[derive(Debug, Clone)]
enum Token {
    Plain(String),
    Link(String),
    Tag(String),
}

fn tokens(segments: &[Segment]) -> Vec<(String, Token)> {
    let mut out: Vec<(String, Token)> = Vec::new();
    let mut sep = String::new();
    for seg in segments {
        match seg {
            Segment::Text(t) => {
                let mut word = String::new();
                for c in t.chars() {
                    if c.is_whitespace() {
                        if !word.is_empty() {
                            out.push((std::mem::take(&mut sep), Token::Plain(std::mem::take(&mut word))));
                        }
                        sep.push(c);
                    } else {
                        word.push(c);
                    }
                }
                if !word.is_empty() {
                    out.push((std::mem::take(&mut sep), Token::Plain(word)));
                }
            }
            Segment::Link(u) => out.push((std::mem::take(&mut sep), Token::Link(u.clone()))),
            Segment::Hashtags(tags) => {
                for t in tags {
                    out.push((std::mem::take(&mut sep), Token::Tag(t.clone())));
                    sep = " ".into();
                }
                sep.clear();
            }
        }
    }
    out
}

fn thread_segments(prefix: &str, toks: &[(String, Token)]) -> Vec<Segment> {
    let mut segs = vec![Segment::Text(prefix.to_string())];
    for (i, (sep, t)) in toks.iter().enumerate() {
        if i > 0 {
            segs.push(Segment::Text(sep.clone()));
        }
        segs.push(match t {
            Token::Plain(p) => Segment::Text(p.clone()),
            Token::Link(u) => Segment::Link(u.clone()),
            Token::Tag(tag) => Segment::Hashtags(vec![tag.clone()]),
        });
    }
    segs
}

/// Splits tokens into posts that each fit with the widest number prefix ("99/99 "); only
/// plain words are ever cut (at a grapheme boundary), never a link or a hashtag.
fn pack(network: Network, profile: &ChannelProfile, toks: Vec<(String, Token)>) -> Vec<Vec<(String, Token)>> {
    let fits = |segs: &[Segment]| measure(network, &format(network, segs), profile).fits;
    let mut posts_tokens: Vec<Vec<(String, Token)>> = Vec::new();
    let mut current: Vec<(String, Token)> = Vec::new();
    // Pack with the widest prefix; the real one is never wider.
    const WIDE: &str = "99/99 ";
    let mut queue: std::collections::VecDeque<(String, Token)> = toks.into();
    while let Some(tok) = queue.pop_front() {
        current.push(tok);
        if fits(&thread_segments(WIDE, &current)) {
            continue;
        }
        let tok = current.pop().expect("just pushed");
        if !current.is_empty() {
            posts_tokens.push(std::mem::take(&mut current));
            queue.push_front(tok);
            continue;
        }
        // Alone it is too long: only plain text is cut, at a grapheme boundary.
        match tok.1 {
            Token::Plain(word) => {
                let g: Vec<&str> = word.graphemes(true).collect();
                let mut k = g.len() - 1;
                while k > 1 && !fits(&thread_segments(WIDE, &[(String::new(), Token::Plain(g[..k].concat()))])) {
                    k = k * 3 / 4;
                }
                let k = k.max(1);
                posts_tokens.push(vec![(tok.0, Token::Plain(g[..k].concat()))]);
                if k < g.len() {
                    queue.push_front((String::new(), Token::Plain(g[k..].concat())));
                }
            }
            other => posts_tokens.push(vec![(tok.0, other)]),
        }
    }
    if !current.is_empty() {
        posts_tokens.push(current);
    }
    posts_tokens
}

/// A template whose own text cannot fit one post: first the title and the link,
/// self-contained; then the whole rendered template, numbered "2/3", "3/3".
fn thread(network: Network, profile: &ChannelProfile, template: &Template, v: &Values, dropped: Vec<String>) -> Composed {
    let fits = |segs: &[Segment]| measure(network, &format(network, segs), profile).fits;
    let head = |title: &str| vec![Segment::Text(title.to_string()), Segment::Text("\n".into()), Segment::Link(v.link.clone())];
    let title = if fits(&head(&v.title)) {
        v.title.clone()
    } else {
        truncate_to_fit(&v.title, |s| fits(&head(s))).unwrap_or_else(|| "…".into())
    };
    let r = format(network, &head(&title));
    let c = measure(network, &r, profile);
    let posts = numbered(network, profile, to_post(r, &c), &template.render(v));
    let mut dropped = dropped;
    if title != v.title {
        dropped.push("title truncated in the first post".into());
    }
    Composed { network, posts, dropped }
}
