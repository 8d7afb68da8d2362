-- The retention schedule, kept by the database as data changes (issue 18, point 4): each
-- person's removal date is computed by hirecast (store::privacy) into retention_due; every
-- change that can move it marks the person in retention_dirty, by trigger, so no write path
-- can forget to. Readers recompute the marked people first. `person_id`, not `candidate_id`:
-- these are hirecast's own bookkeeping, not part of a person's export.
CREATE TABLE retention_due (
    person_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    rule TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL
);
CREATE INDEX retention_due_at ON retention_due(due_at, person_id);
CREATE TABLE retention_dirty (
    person_id TEXT PRIMARY KEY NOT NULL
);

CREATE TRIGGER retention_entries_insert AFTER INSERT ON shortlist_entries
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (NEW.candidate_id); END;
CREATE TRIGGER retention_entries_update AFTER UPDATE OF candidate_id, opening_id, state, origin ON shortlist_entries
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (OLD.candidate_id), (NEW.candidate_id); END;
CREATE TRIGGER retention_entries_delete AFTER DELETE ON shortlist_entries
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (OLD.candidate_id); END;

CREATE TRIGGER retention_applications_insert AFTER INSERT ON applications
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (NEW.candidate_id); END;
CREATE TRIGGER retention_applications_update AFTER UPDATE OF candidate_id, opening_id ON applications
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (OLD.candidate_id), (NEW.candidate_id); END;
CREATE TRIGGER retention_applications_delete AFTER DELETE ON applications
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (OLD.candidate_id); END;

CREATE TRIGGER retention_candidates_insert AFTER INSERT ON candidates
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (NEW.id); END;
CREATE TRIGGER retention_candidates_update AFTER UPDATE OF name, created_at, talent_pool_at, last_action_at, notice_sent_at, merged_into ON candidates
BEGIN INSERT OR IGNORE INTO retention_dirty (person_id) VALUES (NEW.id); END;
CREATE TRIGGER retention_candidates_delete AFTER DELETE ON candidates
BEGIN DELETE FROM retention_due WHERE person_id = OLD.id; DELETE FROM retention_dirty WHERE person_id = OLD.id; END;

-- Closing, reopening or removing an opening moves the dates of everyone in it.
CREATE TRIGGER retention_openings_closed AFTER UPDATE OF closed_at ON openings
WHEN OLD.closed_at IS NOT NEW.closed_at
BEGIN
    INSERT OR IGNORE INTO retention_dirty (person_id) SELECT candidate_id FROM shortlist_entries WHERE opening_id = NEW.id;
    INSERT OR IGNORE INTO retention_dirty (person_id) SELECT candidate_id FROM applications WHERE opening_id = NEW.id;
END;

-- Everyone is computed once.
INSERT OR IGNORE INTO retention_dirty (person_id) SELECT id FROM candidates;
