//! The post template language: plain text with placeholders `{title}` … and optional
//! sections `[...]` that vanish when any placeholder inside them is empty. `\{ \} \[ \] \\`
//! write the character itself. Pure: parsing and rendering only.
use serde::Serialize;
use utoipa::ToSchema;

/// A value a template can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    Title,
    Company,
    Location,
    Remote,
    Contract,
    Salary,
    Link,
    Hashtags,
}

impl Placeholder {
    pub const ALL: &'static [Placeholder] = &[
        Placeholder::Title,
        Placeholder::Company,
        Placeholder::Location,
        Placeholder::Remote,
        Placeholder::Contract,
        Placeholder::Salary,
        Placeholder::Link,
        Placeholder::Hashtags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Title => "title",
            Placeholder::Company => "company",
            Placeholder::Location => "location",
            Placeholder::Remote => "remote",
            Placeholder::Contract => "contract",
            Placeholder::Salary => "salary",
            Placeholder::Link => "link",
            Placeholder::Hashtags => "hashtags",
        }
    }

    fn from_name(s: &str) -> Option<Placeholder> {
        Placeholder::ALL.iter().copied().find(|p| p.name() == s)
    }
}

/// Why a template cannot be used; `offset` is a character position in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TemplateError {
    #[error("unknown placeholder {{{name}}} at character {offset}; known: {{title}} {{company}} {{location}} {{remote}} {{contract}} {{salary}} {{link}} {{hashtags}}")]
    UnknownPlaceholder { name: String, offset: usize },
    #[error("'{{' at character {offset} is never closed by '}}'")]
    UnclosedPlaceholder { offset: usize },
    #[error("'[' at character {offset} is never closed by ']'")]
    UnclosedSection { offset: usize },
    #[error("'{ch}' at character {offset} closes nothing (write \\{ch} for the character itself)")]
    Unmatched { ch: char, offset: usize },
    #[error("the template has no {{link}}: every post must link back to the opening")]
    MissingLink,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text(String),
    Value(Placeholder),
    Section(Vec<Node>),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    nodes: Vec<Node>,
}

/// One piece of rendered output, kept apart so each network can escape text and format
/// links and hashtags its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Template text or a field value: plain text to escape as the network needs.
    Text(String),
    Link(String),
    /// Tags without '#'.
    Hashtags(Vec<String>),
}

/// What the placeholders stand for; empty strings (and no hashtags) count as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub title: String,
    pub company: String,
    pub location: String,
    pub remote: String,
    pub contract: String,
    pub salary: String,
    pub link: String,
    pub hashtags: Vec<String>,
}

impl Values {
    fn is_empty(&self, p: Placeholder) -> bool {
        match p {
            Placeholder::Title => self.title.trim().is_empty(),
            Placeholder::Company => self.company.trim().is_empty(),
            Placeholder::Location => self.location.trim().is_empty(),
            Placeholder::Remote => self.remote.trim().is_empty(),
            Placeholder::Contract => self.contract.trim().is_empty(),
            Placeholder::Salary => self.salary.trim().is_empty(),
            Placeholder::Link => self.link.trim().is_empty(),
            Placeholder::Hashtags => self.hashtags.is_empty(),
        }
    }

    fn segment(&self, p: Placeholder) -> Segment {
        match p {
            Placeholder::Title => Segment::Text(self.title.clone()),
            Placeholder::Company => Segment::Text(self.company.clone()),
            Placeholder::Location => Segment::Text(self.location.clone()),
            Placeholder::Remote => Segment::Text(self.remote.clone()),
            Placeholder::Contract => Segment::Text(self.contract.clone()),
            Placeholder::Salary => Segment::Text(self.salary.clone()),
            Placeholder::Link => Segment::Link(self.link.clone()),
            Placeholder::Hashtags => Segment::Hashtags(self.hashtags.clone()),
        }
    }
}

/// Checks a template as a recruiter edited it.
pub fn check_template(src: &str) -> Result<(), TemplateError> {
    Template::parse(src).map(|_| ())
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let chars: Vec<char> = src.chars().collect();
        let mut i = 0;
        let nodes = parse_nodes(&chars, &mut i, None)?;
        let t = Template { nodes };
        if !t.uses(Placeholder::Link) {
            return Err(TemplateError::MissingLink);
        }
        Ok(t)
    }

    pub fn uses(&self, p: Placeholder) -> bool {
        fn any(nodes: &[Node], p: Placeholder) -> bool {
            nodes.iter().any(|n| match n {
                Node::Value(v) => *v == p,
                Node::Section(inner) => any(inner, p),
                Node::Text(_) => false,
            })
        }
        any(&self.nodes, p)
    }

    /// Renders to segments; adjacent text is merged and trailing whitespace removed.
    pub fn render(&self, values: &Values) -> Vec<Segment> {
        let mut out = Vec::new();
        render_nodes(&self.nodes, values, &mut out);
        let mut merged: Vec<Segment> = Vec::new();
        for s in out {
            match (merged.last_mut(), s) {
                (Some(Segment::Text(a)), Segment::Text(b)) => a.push_str(&b),
                (_, s) => merged.push(s),
            }
        }
        // Trailing blank lines of the template file are not part of the post.
        while let Some(Segment::Text(t)) = merged.last_mut() {
            let trimmed = t.trim_end().len();
            t.truncate(trimmed);
            if t.is_empty() {
                merged.pop();
            } else {
                break;
            }
        }
        merged
    }
}

fn parse_nodes(chars: &[char], i: &mut usize, open: Option<usize>) -> Result<Vec<Node>, TemplateError> {
    let mut nodes = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, nodes: &mut Vec<Node>| {
        if !text.is_empty() {
            nodes.push(Node::Text(std::mem::take(text)));
        }
    };
    while *i < chars.len() {
        let c = chars[*i];
        match c {
            '\\' if *i + 1 < chars.len() && matches!(chars[*i + 1], '{' | '}' | '[' | ']' | '\\') => {
                text.push(chars[*i + 1]);
                *i += 2;
            }
            '{' => {
                let start = *i;
                let Some(len) = chars[start + 1..].iter().position(|&c| c == '}') else {
                    return Err(TemplateError::UnclosedPlaceholder { offset: start });
                };
                let name: String = chars[start + 1..start + 1 + len].iter().collect();
                let Some(p) = Placeholder::from_name(name.trim()) else {
                    return Err(TemplateError::UnknownPlaceholder { name, offset: start });
                };
                flush(&mut text, &mut nodes);
                nodes.push(Node::Value(p));
                *i = start + len + 2;
            }
            '[' => {
                flush(&mut text, &mut nodes);
                let start = *i;
                *i += 1;
                let inner = parse_nodes(chars, i, Some(start))?;
                nodes.push(Node::Section(inner));
            }
            ']' => {
                if open.is_some() {
                    *i += 1;
                    flush(&mut text, &mut nodes);
                    return Ok(nodes);
                }
                return Err(TemplateError::Unmatched { ch: ']', offset: *i });
            }
            '}' => return Err(TemplateError::Unmatched { ch: '}', offset: *i }),
            c => {
                text.push(c);
                *i += 1;
            }
        }
    }
    if let Some(offset) = open {
        return Err(TemplateError::UnclosedSection { offset });
    }
    flush(&mut text, &mut nodes);
    Ok(nodes)
}

fn any_empty(nodes: &[Node], v: &Values) -> bool {
    nodes.iter().any(|n| match n {
        Node::Value(p) => v.is_empty(*p),
        // A nested section vanishing on its own does not make its parent vanish.
        Node::Section(_) | Node::Text(_) => false,
    })
}

fn render_nodes(nodes: &[Node], v: &Values, out: &mut Vec<Segment>) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push(Segment::Text(t.clone())),
            Node::Value(p) => out.push(v.segment(*p)),
            Node::Section(inner) => {
                if !any_empty(inner, v) {
                    render_nodes(inner, v, out);
                }
            }
        }
    }
}

/// Plain text of segments (hashtags with '#', separated by spaces).
pub fn plain(segments: &[Segment]) -> String {
    let mut s = String::new();
    for seg in segments {
        match seg {
            Segment::Text(t) | Segment::Link(t) => s.push_str(t),
            Segment::Hashtags(tags) => s.push_str(&hashtag_line(tags)),
        }
    }
    s
}

pub fn hashtag_line(tags: &[String]) -> String {
    tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ")
}
