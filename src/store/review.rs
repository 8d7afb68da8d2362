//! Hiring-manager review: an opening's scorecard criteria, the team's private notes on a
//! candidate, and each reviewer's scorecard (1 to 5 per criterion, with a comment).
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{candidate_notes, openings, scorecards, users};
use super::{new_id, write_transaction, DbConn};
use crate::i18n::Lang;

/// At most this many criteria per opening, each at most [`CRITERION_MAX`] characters.
pub const CRITERIA_MAX: usize = 10;
pub const CRITERION_MAX: usize = 80;
/// A note or a scorecard comment: at most this many characters.
pub const NOTE_MAX: usize = 5000;

/// The criteria reviewers rate when an opening sets none, in the opening's language.
pub fn default_criteria(lang: Lang) -> Vec<String> {
    let names: &[&str] = match lang {
        Lang::En => &["Skills", "Experience", "Communication", "Motivation"],
        Lang::Fr => &["Compétences", "Expérience", "Communication", "Motivation"],
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// Criteria typed one per line: trimmed, blank lines and repeats dropped. Err: what to fix.
pub fn parse_criteria(raw: &str) -> Result<Vec<String>, CriteriaError> {
    let mut out: Vec<String> = Vec::new();
    for line in raw.lines() {
        let c = line.trim();
        if c.is_empty() || out.iter().any(|o| o.eq_ignore_ascii_case(c)) {
            continue;
        }
        if c.chars().count() > CRITERION_MAX {
            return Err(CriteriaError::TooLong);
        }
        out.push(c.to_string());
    }
    if out.is_empty() {
        return Err(CriteriaError::Empty);
    }
    if out.len() > CRITERIA_MAX {
        return Err(CriteriaError::TooMany);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriteriaError {
    Empty,
    TooMany,
    TooLong,
}

/// The opening's criteria (its own, else the defaults in its language).
pub fn criteria(conn: &mut DbConn, opening_id: &str, lang: Lang) -> QueryResult<Vec<String>> {
    let raw: String = openings::table.find(opening_id).select(openings::scorecard_criteria).first(conn)?;
    let own: Vec<String> = serde_json::from_str(&raw).unwrap_or_default();
    Ok(if own.is_empty() { default_criteria(lang) } else { own })
}

pub fn set_criteria(conn: &mut DbConn, opening_id: &str, criteria: &[String]) -> QueryResult<usize> {
    let json = serde_json::to_string(criteria).unwrap_or_else(|_| "[]".into());
    diesel::update(openings::table.find(opening_id)).set(openings::scorecard_criteria.eq(json)).execute(conn)
}

/// A private note, with its author's name (absent when the account was deleted).
#[derive(Debug, Clone)]
pub struct Note {
    pub id: String,
    pub author: Option<String>,
    pub body: String,
    pub at: NaiveDateTime,
}

pub fn add_note(conn: &mut DbConn, opening_id: &str, candidate_id: &str, author_id: &str, body: &str, at: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(candidate_notes::table)
        .values((
            candidate_notes::id.eq(&id),
            candidate_notes::opening_id.eq(opening_id),
            candidate_notes::candidate_id.eq(candidate_id),
            candidate_notes::author_id.eq(author_id),
            candidate_notes::body.eq(body),
            candidate_notes::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A candidate's notes in one opening, oldest first.
pub fn notes(conn: &mut DbConn, opening_id: &str, candidate_id: &str) -> QueryResult<Vec<Note>> {
    let rows: Vec<(String, Option<String>, String, NaiveDateTime)> = candidate_notes::table
        .left_join(users::table.on(users::id.nullable().eq(candidate_notes::author_id)))
        .filter(candidate_notes::opening_id.eq(opening_id))
        .filter(candidate_notes::candidate_id.eq(candidate_id))
        .order((candidate_notes::created_at.asc(), candidate_notes::id.asc()))
        .select((candidate_notes::id, users::name.nullable(), candidate_notes::body, candidate_notes::created_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, author, body, at)| Note { id, author, body, at }).collect())
}

/// One reviewer's scorecard: (criterion, rating 1-5) in the opening's criteria order.
#[derive(Debug, Clone)]
pub struct Scorecard {
    pub reviewer_id: String,
    pub reviewer: String,
    pub ratings: Vec<(String, u8)>,
    pub comment: String,
    pub at: NaiveDateTime,
}

impl Scorecard {
    /// The mean of the ratings given, one decimal; None when none was given.
    pub fn mean(&self) -> Option<f64> {
        mean(self.ratings.iter().map(|r| r.1))
    }
}

pub fn mean(ratings: impl Iterator<Item = u8>) -> Option<f64> {
    let (n, sum) = ratings.fold((0u32, 0u32), |(n, s), r| (n + 1, s + r as u32));
    (n > 0).then(|| (sum as f64 / n as f64 * 10.0).round() / 10.0)
}

/// Saves (or replaces) a reviewer's scorecard. Ratings are 1..=5 for criteria of the opening.
pub fn save_scorecard(
    conn: &mut DbConn,
    opening_id: &str,
    candidate_id: &str,
    reviewer_id: &str,
    ratings: &[(String, u8)],
    comment: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    // [[criterion, rating], ...] in the opening's order.
    let json = serde_json::to_string(ratings).unwrap_or_else(|_| "[]".into());
    write_transaction::<_, diesel::result::Error, _>(conn, |conn| {
        diesel::delete(scorecards::table.find((opening_id, candidate_id, reviewer_id))).execute(conn)?;
        diesel::insert_into(scorecards::table)
            .values((
                scorecards::opening_id.eq(opening_id),
                scorecards::candidate_id.eq(candidate_id),
                scorecards::reviewer_id.eq(reviewer_id),
                scorecards::ratings.eq(&json),
                scorecards::comment.eq(comment),
                scorecards::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Every reviewer's scorecard for a candidate in an opening, the latest first.
pub fn scorecards_of(conn: &mut DbConn, opening_id: &str, candidate_id: &str) -> QueryResult<Vec<Scorecard>> {
    let rows: Vec<(String, String, String, String, NaiveDateTime)> = scorecards::table
        .inner_join(users::table.on(users::id.eq(scorecards::reviewer_id)))
        .filter(scorecards::opening_id.eq(opening_id))
        .filter(scorecards::candidate_id.eq(candidate_id))
        .order(scorecards::updated_at.desc())
        .select((scorecards::reviewer_id, users::name, scorecards::ratings, scorecards::comment, scorecards::updated_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(reviewer_id, reviewer, ratings, comment, at)| Scorecard {
            reviewer_id,
            reviewer,
            ratings: serde_json::from_str::<Vec<(String, u8)>>(&ratings).unwrap_or_default(),
            comment,
            at,
        })
        .collect())
}

/// Per criterion, the mean rating over every reviewer (None: nobody rated it).
pub fn criterion_means(criteria: &[String], cards: &[Scorecard]) -> Vec<(String, Option<f64>)> {
    criteria
        .iter()
        .map(|c| (c.clone(), mean(cards.iter().filter_map(|s| s.ratings.iter().find(|r| &r.0 == c).map(|r| r.1)))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_are_trimmed_deduplicated_and_bounded() {
        assert_eq!(parse_criteria(" Rust \n\nrust\nTeamwork\r\n").unwrap(), vec!["Rust".to_string(), "Teamwork".to_string()]);
        assert_eq!(parse_criteria("  \n "), Err(CriteriaError::Empty));
        assert_eq!(parse_criteria(&"x\n".repeat(1).replace('x', &"é".repeat(81))), Err(CriteriaError::TooLong));
        let eleven: String = (0..11).map(|i| format!("c{i}\n")).collect();
        assert_eq!(parse_criteria(&eleven), Err(CriteriaError::TooMany));
        assert_eq!(parse_criteria(&"é".repeat(80)).unwrap().len(), 1);
    }

    #[test]
    fn means_round_to_one_decimal_and_skip_the_unrated() {
        assert_eq!(mean([4u8, 5, 5].into_iter()), Some(4.7));
        assert_eq!(mean(std::iter::empty()), None);
        let card = |r: &[(&str, u8)]| Scorecard {
            reviewer_id: String::new(),
            reviewer: String::new(),
            ratings: r.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
            comment: String::new(),
            at: NaiveDateTime::default(),
        };
        let cards = [card(&[("Skills", 4), ("Motivation", 2)]), card(&[("Skills", 5)])];
        let crit = vec!["Skills".to_string(), "Motivation".to_string(), "Communication".to_string()];
        assert_eq!(
            criterion_means(&crit, &cards),
            vec![("Skills".into(), Some(4.5)), ("Motivation".into(), Some(2.0)), ("Communication".into(), None)]
        );
    }
}

/// What a reviewer does to a candidate from the review page, the candidate page or in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// One step along the forward path (inbox → shortlisted → interview → offer → hired).
    Advance,
    Hold,
    Reject(super::sourcing::RejectReason),
    To(super::sourcing::Stage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Moved(super::sourcing::Stage),
    /// Not in this opening's store (or merged into another candidate).
    NotFound,
    /// Hired, rejected or withdrawn: there is no next stage.
    NothingToAdvance,
}

/// Carries out one reviewer action, in one transaction (a savepoint inside a bulk action's).
pub fn act(conn: &mut DbConn, opening_id: &str, candidate_id: &str, action: Action, note: Option<&str>, actor: &str, at: NaiveDateTime) -> anyhow::Result<Outcome> {
    use super::sourcing::{decide, entry, Decision, Stage};
    write_transaction::<_, anyhow::Error, _>(conn, |conn| {
        let Some(current) = entry(conn, opening_id, candidate_id)? else { return Ok(Outcome::NotFound) };
        let (to, reason) = match action {
            Action::Advance => match current.stage.next() {
                Some(s) => (s, None),
                None => return Ok(Outcome::NothingToAdvance),
            },
            Action::Hold => (Stage::OnHold, None),
            Action::Reject(r) => (Stage::Rejected, Some(r)),
            Action::To(s) => (s, None),
        };
        Ok(if decide(conn, opening_id, candidate_id, &Decision { to, note, reason }, actor, at)? { Outcome::Moved(to) } else { Outcome::NotFound })
    })
}

/// The same action on several candidates, all or nothing: Err names nothing personal, and an
/// outcome per candidate comes back in order.
pub fn act_on_all(conn: &mut DbConn, opening_id: &str, candidates: &[String], action: Action, note: Option<&str>, actor: &str, at: NaiveDateTime) -> anyhow::Result<Vec<Outcome>> {
    write_transaction::<_, anyhow::Error, _>(conn, |conn| candidates.iter().map(|c| act(conn, opening_id, c, action, note, actor, at)).collect())
}

/// Where a candidate was found: (kind, network) per candidate, for the candidates given, in
/// this opening (or not tied to one, like a profile), oldest first, without repeats.
pub fn source_kinds(conn: &mut DbConn, opening_id: &str, candidate_ids: &[String]) -> QueryResult<std::collections::HashMap<String, Vec<(String, String)>>> {
    use super::schema::candidate_sources as s;
    let rows: Vec<(String, String, String)> = s::table
        .filter(s::candidate_id.eq_any(candidate_ids))
        .filter(s::opening_id.eq(opening_id).or(s::opening_id.is_null()))
        .order(s::harvested_at.asc())
        .select((s::candidate_id, s::kind, s::network))
        .load(conn)?;
    let mut out: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    for (cid, kind, network) in rows {
        let v = out.entry(cid).or_default();
        if !v.iter().any(|x| x.0 == kind && x.1 == network) {
            v.push((kind, network));
        }
    }
    Ok(out)
}

/// One thing a candidate wrote where hirecast found them.
#[derive(Debug, Clone)]
pub struct SourceView {
    pub kind: String,
    pub network: String,
    pub url: Option<String>,
    pub author: Option<String>,
    pub text: String,
    pub at: NaiveDateTime,
}

/// Every source of a candidate, oldest first.
pub fn sources(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<SourceView>> {
    use super::schema::candidate_sources as s;
    let rows: Vec<(String, String, Option<String>, Option<String>, String, Option<NaiveDateTime>, NaiveDateTime)> = s::table
        .filter(s::candidate_id.eq(candidate_id))
        .order(s::harvested_at.asc())
        .select((s::kind, s::network, s::url, s::author, s::text, s::posted_at, s::harvested_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, network, url, author, text, posted, harvested)| SourceView { kind, network, url, author, text, at: posted.unwrap_or(harvested) })
        .collect())
}

/// A CV file of a candidate and the text read from it (pages), when it could be read.
#[derive(Debug, Clone)]
pub struct CvView {
    pub sha256: String,
    pub format: String,
    pub size: i64,
    pub source_url: Option<String>,
    pub pages: Vec<String>,
}

pub fn cvs(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<CvView>> {
    use super::schema::{candidate_cvs as c, cv_texts as t};
    let rows: Vec<(String, String, i64, Option<String>, Option<String>)> = c::table
        .left_join(t::table.on(t::sha256.eq(c::sha256)))
        .filter(c::candidate_id.eq(candidate_id))
        .order(c::fetched_at.asc())
        .select((c::sha256, c::format, c::size, c::source_url, t::pages.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(sha256, format, size, source_url, pages)| CvView {
            sha256,
            format,
            size,
            source_url,
            pages: pages.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default(),
        })
        .collect())
}
