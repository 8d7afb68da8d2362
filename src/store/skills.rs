//! The organization's own skills: added to the shipped taxonomy, or replacing one by slug.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::skill_overrides;
use super::{write_transaction, DbConn};
use crate::sourcing::skills::{Skill, Taxonomy, TaxonomyError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = skill_overrides)]
pub struct SkillRow {
    pub slug: String,
    pub label_en: String,
    pub label_fr: String,
    pub category: String,
    /// JSON array.
    pub aliases: String,
    pub ambiguous: bool,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

impl SkillRow {
    pub fn skill(&self) -> Skill {
        let mut s = Skill::new(&self.slug, &self.label_en, &self.label_fr, &self.category);
        s.aliases = serde_json::from_str(&self.aliases).unwrap_or_default();
        s.ambiguous = self.ambiguous;
        s
    }
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<SkillRow>> {
    skill_overrides::table.order(skill_overrides::slug.asc()).select(SkillRow::as_select()).load(conn)
}

/// The shipped taxonomy with the organization's skills. A stored skill that no longer fits
/// (a clash with a newer shipped name) is left out rather than stopping sourcing.
///
/// Building the matcher takes milliseconds: the last one built is kept, keyed by the stored
/// skills' content, and built again only when they change.
pub fn taxonomy(conn: &mut DbConn) -> QueryResult<std::sync::Arc<Taxonomy>> {
    use std::hash::{Hash, Hasher};
    // A few, not one: several databases may share the process (instances, tests).
    static BUILT: std::sync::Mutex<Vec<(u64, std::sync::Arc<Taxonomy>)>> = std::sync::Mutex::new(Vec::new());
    let rows = list(conn)?;
    if rows.is_empty() {
        return Ok(Taxonomy::shared());
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for r in &rows {
        (&r.slug, &r.label_en, &r.label_fr, &r.category, &r.aliases, r.ambiguous).hash(&mut h);
    }
    let key = h.finish();
    {
        // Least recently used goes first: a hit moves to the end, so a set in use is not
        // evicted by others being built beside it.
        let mut cache = BUILT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
            let hit = cache.remove(i);
            let t = hit.1.clone();
            cache.push(hit);
            return Ok(t);
        }
    }
    let built = build(&rows);
    let mut cache = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    // Another caller may have built the same set meanwhile: one matcher per set, theirs.
    if let Some((_, t)) = cache.iter().find(|(k, _)| *k == key) {
        return Ok(t.clone());
    }
    if cache.len() >= 32 {
        cache.remove(0);
    }
    cache.push((key, built.clone()));
    Ok(built)
}

fn build(rows: &[SkillRow]) -> std::sync::Arc<Taxonomy> {
    let base = Taxonomy::shared();
    let all: Vec<Skill> = rows.iter().map(SkillRow::skill).collect();
    if let Ok(t) = Taxonomy::with_overrides(&base, all) {
        return std::sync::Arc::new(t);
    }
    let mut kept: Vec<Skill> = Vec::new();
    for s in rows.iter().map(SkillRow::skill) {
        let mut trial = kept.clone();
        trial.push(s.clone());
        if Taxonomy::with_overrides(&base, trial).is_ok() {
            kept.push(s);
        }
    }
    std::sync::Arc::new(Taxonomy::with_overrides(&base, kept).unwrap_or_else(|_| Taxonomy::builtin()))
}

/// Checks `skill` against the shipped taxonomy and the other stored skills, then saves it
/// (replacing the stored one of the same slug). The error names the clash.
pub fn save(conn: &mut DbConn, skill: &Skill, by: &str, now: NaiveDateTime) -> anyhow::Result<Result<(), TaxonomyError>> {
    Ok(write_transaction::<_, anyhow::Error, _>(conn, |c| {
        let mut others: Vec<Skill> = list(c)?.into_iter().filter(|r| r.slug != skill.slug).map(|r| r.skill()).collect();
        others.push(skill.clone());
        if let Err(e) = Taxonomy::with_overrides(&Taxonomy::shared(), others) {
            return Ok(Err(e));
        }
        diesel::delete(skill_overrides::table.find(&skill.slug)).execute(c)?;
        diesel::insert_into(skill_overrides::table)
            .values((
                skill_overrides::slug.eq(&skill.slug),
                skill_overrides::label_en.eq(&skill.label_en),
                skill_overrides::label_fr.eq(&skill.label_fr),
                skill_overrides::category.eq(&skill.category),
                skill_overrides::aliases.eq(serde_json::to_string(&skill.aliases)?),
                skill_overrides::ambiguous.eq(skill.ambiguous),
                skill_overrides::updated_by.eq(Some(by)),
                skill_overrides::updated_at.eq(now),
            ))
            .execute(c)?;
        Ok(Ok(()))
    })?)
}

pub fn remove(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    Ok(diesel::delete(skill_overrides::table.find(slug)).execute(conn)? == 1)
}
