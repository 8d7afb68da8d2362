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
