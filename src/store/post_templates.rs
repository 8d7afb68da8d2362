//! The organization's post templates: an override per (network, language) of the shipped defaults.
use diesel::prelude::*;

use super::schema::post_templates;
use super::{write_transaction, DbConn};
use crate::compose::{ChannelProfile, Network};
use crate::i18n::Lang;

/// Every override: (network, language, source).
pub fn overrides(conn: &mut DbConn) -> QueryResult<Vec<(String, String, String)>> {
    post_templates::table
        .select((post_templates::network, post_templates::language, post_templates::source))
        .order((post_templates::network.asc(), post_templates::language.asc()))
        .load(conn)
}

/// Saves an override. The caller has checked it with `compose::check_template`.
pub fn set(conn: &mut DbConn, network: Network, lang: Lang, source: &str, by: &str) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        reset(conn, network, lang)?;
        diesel::insert_into(post_templates::table)
            .values((
                post_templates::network.eq(network.as_str()),
                post_templates::language.eq(lang.code()),
                post_templates::source.eq(source),
                post_templates::updated_by.eq(Some(by)),
                post_templates::updated_at.eq(super::now()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Back to the shipped default.
pub fn reset(conn: &mut DbConn, network: Network, lang: Lang) -> QueryResult<usize> {
    diesel::delete(post_templates::table.find((network.as_str(), lang.code()))).execute(conn)
}

/// Fills each profile's template from the organization's override, where the profile names none.
pub fn apply(conn: &mut DbConn, profiles: &mut [ChannelProfile]) -> QueryResult<()> {
    let all = overrides(conn)?;
    for p in profiles.iter_mut().filter(|p| p.template.is_none()) {
        p.template = all.iter().find(|(n, l, _)| n == p.network.as_str() && l == p.language.code()).map(|(_, _, s)| s.clone());
    }
    Ok(())
}
