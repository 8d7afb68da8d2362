//! Escaping for the networks whose post text is a markup language.

/// LinkedIn "little" text format: every reserved character is backslash-escaped, else
/// LinkedIn cuts the commentary at the first one (e.g. the "(" of "Développeur (H/F)").
pub fn linkedin_escape(text: &str) -> String {
    escape_with(text, &['|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '\\', '*', '_', '~'])
}

/// A clickable LinkedIn hashtag in little format (HashtagTemplate: `{hashtag|\#|Tag}`; `#` is reserved, so escaped).
pub fn linkedin_hashtag(tag: &str) -> String {
    format!("{{hashtag|\\#|{}}}", linkedin_escape(tag))
}

/// Slack mrkdwn: only `&`, `<` and `>` are control characters.
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Discord markdown, with @everyone / @here defused by a zero-width space.
pub fn discord_escape(text: &str) -> String {
    escape_with(text, &['\\', '*', '_', '~', '`', '|', '>'])
        .replace("@everyone", "@\u{200B}everyone")
        .replace("@here", "@\u{200B}here")
}

/// Teams message text: HTML entities first, then markdown emphasis characters.
pub fn teams_escape(text: &str) -> String {
    let html = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    escape_with(&html, &['\\', '*', '_', '~', '`', '[', ']'])
}

fn escape_with(text: &str, reserved: &[char]) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if reserved.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
