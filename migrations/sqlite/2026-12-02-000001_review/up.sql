-- Hiring-manager review: why a candidate was rejected, the opening's scorecard criteria, the
-- team's private notes and each reviewer's scorecard.
ALTER TABLE shortlist_events ADD COLUMN reason TEXT;
-- JSON array of criterion names; empty: the default criteria in the opening's language.
ALTER TABLE openings ADD COLUMN scorecard_criteria TEXT NOT NULL DEFAULT '[]';

-- Notes on a candidate for one opening, seen by the people who see the opening, never by the candidate.
CREATE TABLE candidate_notes (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX candidate_notes_entry ON candidate_notes(opening_id, candidate_id);

-- One scorecard per reviewer, candidate and opening: ratings 1-5 per criterion (JSON array of
-- [criterion, rating] in the criteria order) and a comment; saving again replaces it.
CREATE TABLE scorecards (
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    reviewer_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ratings TEXT NOT NULL,
    comment TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (opening_id, candidate_id, reviewer_id)
);
