//! schema.org `JobPosting` for Google for Jobs, and its safe embedding in a script element.
use serde_json::{json, Map, Value};

use crate::domain::markdown::to_safe_html;
use crate::domain::opening::{Opening, RemotePolicy};

/// The opening's description, or (Google for Jobs requires one) a short one made of its fields.
fn description_md(o: &Opening) -> String {
    let d = &o.draft;
    if !d.description_md.trim().is_empty() {
        return d.description_md.clone();
    }
    let lang: crate::i18n::Lang = d.language.into();
    let (skills, at) = match lang {
        crate::i18n::Lang::Fr => ("Compétences", " chez "),
        crate::i18n::Lang::En => ("Skills", " at "),
    };
    let mut out = format!("{}{at}{}", d.title, d.company);
    let place = [d.city.as_deref().unwrap_or_default(), d.remote_policy.label(lang), d.employment_type.label(lang)];
    out.push_str(&format!("\n\n{}", place.iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" · ")));
    if !d.required_skills.is_empty() {
        out.push_str(&format!("\n\n{skills}: {}", d.required_skills.join(", ")));
    }
    out
}

/// The JobPosting of an opening; `url` is its canonical page, `base_url` the site.
pub fn job_posting(o: &Opening, url: &str, base_url: &str) -> Value {
    let d = &o.draft;
    let mut p = Map::new();
    p.insert("@context".into(), json!("https://schema.org/"));
    p.insert("@type".into(), json!("JobPosting"));
    p.insert("title".into(), json!(d.title));
    let description = if o.draft.description_md.trim().is_empty() { to_safe_html(&description_md(o)) } else { o.description_html().into_owned() };
    p.insert("description".into(), json!(description));
    if let Some(at) = o.published_at {
        p.insert("datePosted".into(), json!(at.date().format("%Y-%m-%d").to_string()));
    }
    if let Some(v) = d.valid_through {
        p.insert("validThrough".into(), json!(format!("{}T23:59:59", v.format("%Y-%m-%d"))));
    }
    p.insert("hiringOrganization".into(), json!({"@type": "Organization", "name": d.company, "sameAs": base_url}));
    if let Some(city) = &d.city {
        p.insert(
            "jobLocation".into(),
            json!({
                "@type": "Place",
                "address": {"@type": "PostalAddress", "addressLocality": city, "addressCountry": d.country}
            }),
        );
    }
    if d.remote_policy == RemotePolicy::Remote {
        p.insert("jobLocationType".into(), json!("TELECOMMUTE"));
        p.insert("applicantLocationRequirements".into(), json!({"@type": "Country", "name": d.country}));
    }
    p.insert("employmentType".into(), json!(d.employment_type.schema_org()));
    if let Some(s) = &d.salary {
        let mut value = Map::new();
        value.insert("@type".into(), json!("QuantitativeValue"));
        if let Some(min) = s.min {
            value.insert("minValue".into(), json!(min));
        }
        if let Some(max) = s.max {
            value.insert("maxValue".into(), json!(max));
        }
        value.insert("unitText".into(), json!(s.period.schema_org()));
        p.insert("baseSalary".into(), json!({"@type": "MonetaryAmount", "currency": s.currency, "value": value}));
    }
    p.insert("identifier".into(), json!({"@type": "PropertyValue", "name": d.company, "value": o.id}));
    p.insert("directApply".into(), json!(true));
    p.insert("url".into(), json!(url));
    if !d.required_skills.is_empty() {
        p.insert("skills".into(), json!(d.required_skills.join(", ")));
    }
    Value::Object(p)
}

/// Makes JSON text safe inside `<script>`: no `<`, `>` or `&` can close the element or
/// open a comment, and the line separators JavaScript once refused are escaped too.
/// The result still parses to the same JSON value.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_has_no_markup_and_parses_back() {
        let v = json!({"title": "</script><script>alert(1)</script> & \"q\" \u{2028}"});
        let safe = script_safe(&v.to_string());
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'), "{safe}");
        assert!(!safe.contains('\u{2028}'));
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn an_opening_without_description_still_gets_one() {
        let mut input = crate::domain::opening::tests::valid();
        input.description.clear();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let draft = crate::domain::opening::OpeningDraft::parse(&input, today).unwrap();
        let o = Opening::unsaved(draft, today.and_hms_opt(9, 0, 0).unwrap());
        let p = job_posting(&o, "https://jobs.example/x", "https://jobs.example");
        let text = p["description"].as_str().unwrap();
        assert!(text.contains(&o.draft.title), "{text}");
        assert!(text.contains(&o.draft.company), "{text}");
    }
}
