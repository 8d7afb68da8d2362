/// Renders a recruiter's Markdown to HTML that is safe to embed: raw HTML in the
/// source is escaped by the renderer's output then cleaned by an allowlist (ammonia).
pub fn to_safe_html(md: &str) -> String {
    use pulldown_cmark::{html, Options, Parser};
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut out, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&out)
        .to_string()
}

/// Plain text (for feeds, meta descriptions): tags dropped, whitespace folded, cut at `max` characters.
pub fn to_plain_text(md: &str, max: usize) -> String {
    cut(&plain_text(md), max)
}

/// A folded plain text cut at `max` characters (an ellipsis marks the cut).
pub fn cut(folded: &str, max: usize) -> String {
    if folded.chars().count() <= max {
        folded.to_string()
    } else {
        let cut: String = folded.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The text of Markdown: tags dropped, whitespace folded, not cut.
pub fn plain_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut s = String::new();
    for ev in Parser::new(md) {
        match ev {
            Event::Text(t) | Event::Code(t) => s.push_str(&t),
            // Inline ends (emphasis, links) join their text to what follows: no space.
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_) => s.push(' '),
            _ => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_scripts_and_handlers() {
        let h = to_safe_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **bold**");
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("onerror"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(h.contains("<strong>bold</strong>"));
    }

    #[test]
    fn plain_text_is_cut() {
        assert_eq!(to_plain_text("# Title\n\nSome *text* here", 100), "Title Some text here");
        assert_eq!(to_plain_text("abcdef", 4), "abc…");
        assert_eq!(to_plain_text("We build *things*. Join [us](https://x.fr).", 100), "We build things. Join us.");
    }
}
