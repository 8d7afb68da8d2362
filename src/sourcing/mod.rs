//! Candidate sourcing: what candidates write (replies, profiles, CVs) turned into facts a
//! recruiter can use. Pure parts (no I/O): `cv_text` (CV files to text), `skills` (the
//! shipped bilingual taxonomy and its matcher), `score` (a candidate against an opening, with
//! its explanation), `index` (many replies routed to many openings), `extract` (links, CV
//! links, emails, phones, languages, experience, location in what people write). With I/O:
//! `pipeline` (one answer: fetch CVs through `crate::fetch`, read, score, file) and `harvest`
//! (the replies of published posts, on a schedule, and the acknowledgements).
pub mod cv_text;
pub mod extract;
pub mod harvest;
pub mod index;
pub mod pipeline;
pub mod scan;
pub mod score;
pub mod skills;

pub use index::{MatchScratch, OpeningIndex};
pub use score::{score, CandidateFacts, Criterion, Evidence, MatchedSkill, OpeningCriteria, Remote, Score, Source};
pub use skills::{Skill, SkillHit, SkillId, Taxonomy, TaxonomyError};
