-- Every table naming a person can be searched by candidate_id (erasure and the purge delete
-- by it); the newest applications (dashboard); an opening's shortlist store by score and by
-- arrival (the review page, one page at a time).
CREATE INDEX candidate_notes_candidate ON candidate_notes(candidate_id);
CREATE INDEX scorecards_candidate ON scorecards(candidate_id);
CREATE INDEX shortlist_events_candidate ON shortlist_events(candidate_id);
CREATE INDEX shortlist_notices_candidate ON shortlist_notices(candidate_id);
CREATE INDEX candidate_messages_candidate ON candidate_messages(candidate_id);
CREATE INDEX privacy_requests_candidate ON privacy_requests(candidate_id);
CREATE INDEX applications_created ON applications(created_at);
CREATE INDEX shortlist_entries_opening_score ON shortlist_entries(opening_id, score, created_at);
CREATE INDEX shortlist_entries_opening_created ON shortlist_entries(opening_id, created_at);
