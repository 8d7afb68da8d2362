DROP TABLE candidate_merges;
ALTER TABLE candidates DROP COLUMN merged_into;
ALTER TABLE applications DROP COLUMN ingested_at;
