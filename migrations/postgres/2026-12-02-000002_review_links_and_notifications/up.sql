-- A hiring manager without an account reviews one opening's shortlist from a link sent by
-- email: only the token's SHA-256 is kept; the link expires and can be revoked. The reviewer
-- acts as a guest account (no password, cannot sign in) so their decisions, notes and
-- scorecards are recorded like anyone's.
CREATE TABLE review_links (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    reviewer_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE INDEX review_links_opening ON review_links(opening_id);

-- Emails to the team (hiring managers, recruiters, reviewers by link), rendered when queued
-- and sent once by the worker: the unique key stops a second queueing, the state a second
-- sending (a message whose sending was interrupted is marked unconfirmed, never resent).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    state TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_due ON notifications(state, due_at);

-- What each user wants to be told by email. No row: the defaults (new shortlisted candidates
-- at once, failures and response targets on).
CREATE TABLE notification_settings (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    shortlist TEXT NOT NULL,
    failures BOOLEAN NOT NULL DEFAULT TRUE,
    response_targets BOOLEAN NOT NULL DEFAULT TRUE,
    digest_sent_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

-- Which shortlisted candidates a hiring manager was already told about (at once or in a digest).
CREATE TABLE shortlist_notices (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    notified_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, opening_id, candidate_id)
);
