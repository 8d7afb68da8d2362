-- Weak signals: a phone number, an email found inside a document (a CV, a reply's text),
-- a CV file's SHA-256. Several people may share one (a switchboard, an agency's address, a
-- CV sent for a friend), so they never merge two candidates by themselves: a match only
-- proposes a merge for a person to confirm. candidate_identities keeps what a person gave
-- themselves (the form's email, the replying account).
CREATE TABLE candidate_signals (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, value, candidate_id)
);
CREATE INDEX candidate_signals_candidate ON candidate_signals(candidate_id);

-- Phones and CV files were identities: they become signals.
INSERT INTO candidate_signals (kind, value, candidate_id, created_at)
    SELECT kind, value, candidate_id, created_at FROM candidate_identities WHERE kind IN ('phone', 'cv');
DELETE FROM candidate_identities WHERE kind IN ('phone', 'cv');

-- Two candidates who may be one person, for a recruiter to merge or keep apart. One row per
-- pair (candidate_a < candidate_b), with the first signal they were found to share.
CREATE TABLE merge_proposals (
    id TEXT PRIMARY KEY NOT NULL,
    candidate_a TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    candidate_b TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    value TEXT NOT NULL,
    proposed_at TIMESTAMP NOT NULL,
    decision TEXT,
    decided_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    decided_at TIMESTAMP,
    merge_id TEXT,
    UNIQUE (candidate_a, candidate_b)
);
CREATE INDEX merge_proposals_b ON merge_proposals(candidate_b);
CREATE INDEX merge_proposals_open ON merge_proposals(decided_at);
