//! Candidate sourcing: what candidates write (replies, profiles, CVs) turned into facts a
//! recruiter can use. Pure parts (no I/O): `cv_text` (CV files to text), `extract` (links,
//! contacts, languages, experience), `skills` (the taxonomy and its one-pass matcher),
//! `score` (a candidate against an opening, with its explanation), `index` (many replies
//! against many openings). CV files are fetched only through `crate::fetch`.
pub mod cv_text;
