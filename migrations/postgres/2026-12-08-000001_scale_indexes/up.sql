-- Every table naming a person can be searched by candidate_id (erasure and the purge delete
-- by it); the newest applications, of all and of an opening (dashboard, opening page); an
-- opening's shortlist store in the review's orders (best score then earliest; by arrival,
-- read either way), so a page is read from the index without sorting the whole opening.
CREATE INDEX candidate_notes_candidate ON candidate_notes(candidate_id);
CREATE INDEX scorecards_candidate ON scorecards(candidate_id);
CREATE INDEX shortlist_events_candidate ON shortlist_events(candidate_id);
CREATE INDEX shortlist_notices_candidate ON shortlist_notices(candidate_id);
CREATE INDEX candidate_messages_candidate ON candidate_messages(candidate_id);
CREATE INDEX privacy_requests_candidate ON privacy_requests(candidate_id);
CREATE INDEX candidates_merged ON candidates(merged_into);
CREATE INDEX applications_created ON applications(created_at, id);
CREATE INDEX applications_opening_created ON applications(opening_id, created_at, id);
CREATE INDEX shortlist_entries_opening_score ON shortlist_entries(opening_id, score DESC, created_at, candidate_id);
CREATE INDEX shortlist_entries_opening_created ON shortlist_entries(opening_id, created_at, candidate_id);
