DROP TABLE merge_proposals;
INSERT INTO candidate_identities (kind, value, candidate_id, created_at)
    SELECT kind, value, MIN(candidate_id), MIN(created_at) FROM candidate_signals WHERE kind IN ('phone', 'cv') GROUP BY kind, value;
DROP TABLE candidate_signals;
