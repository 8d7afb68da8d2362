DROP TABLE scorecards;
DROP TABLE candidate_notes;
ALTER TABLE openings DROP COLUMN scorecard_criteria;
ALTER TABLE shortlist_events DROP COLUMN reason;
