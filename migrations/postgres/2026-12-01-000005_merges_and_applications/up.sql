-- Applications from the careers site go through the sourcing pipeline once (scored, shortlisted,
-- acknowledged): NULL until then.
ALTER TABLE applications ADD COLUMN ingested_at TIMESTAMP;

-- A candidate merged into another one stays, hidden, so the merge can be undone.
ALTER TABLE candidates ADD COLUMN merged_into TEXT;

-- Every merge of two candidates (automatic, when one answer names identities of both, or by a
-- recruiter), with what it moved from the absorbed candidate to the one kept (JSON), so that
-- undoing it puts exactly that back. An undone merge keeps the two apart from then on.
CREATE TABLE candidate_merges (
    id TEXT PRIMARY KEY NOT NULL,
    survivor_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    absorbed_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    moved TEXT NOT NULL,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    merged_at TIMESTAMP NOT NULL,
    undone_at TIMESTAMP,
    undone_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX candidate_merges_survivor ON candidate_merges(survivor_id);
CREATE INDEX candidate_merges_absorbed ON candidate_merges(absorbed_id);
