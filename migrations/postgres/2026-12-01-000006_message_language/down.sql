ALTER TABLE candidate_messages DROP COLUMN language;
