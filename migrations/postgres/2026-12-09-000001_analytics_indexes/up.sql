-- Analytics counts by date in the database: entries, answers, stage events and
-- acknowledgements read by day over every opening (or one), and an entry's first touch and
-- acknowledgements found by its opening and person.
CREATE INDEX shortlist_entries_created ON shortlist_entries(created_at);
CREATE INDEX candidate_sources_harvested ON candidate_sources(harvested_at);
CREATE INDEX candidate_sources_opening_harvested ON candidate_sources(opening_id, harvested_at);
CREATE INDEX candidate_sources_entry ON candidate_sources(opening_id, candidate_id);
CREATE INDEX shortlist_events_at ON shortlist_events(at);
CREATE INDEX shortlist_events_opening_at ON shortlist_events(opening_id, at);
CREATE INDEX candidate_messages_kind_created ON candidate_messages(kind, created_at);
CREATE INDEX candidate_messages_entry ON candidate_messages(opening_id, candidate_id, kind);
CREATE INDEX link_clicks_day ON link_clicks(day);
-- The few people merged away, apart: an opening's count leaves them out without reading a
-- million rows (SQLite's statistics see `candidates_merged` as one NULL value for everyone).
CREATE INDEX candidates_merged_away ON candidates(id) WHERE merged_into IS NOT NULL;
-- An opening's count by stage from the index alone (the review's "active" and stage filters).
CREATE INDEX shortlist_entries_opening_state ON shortlist_entries(opening_id, state, candidate_id);
