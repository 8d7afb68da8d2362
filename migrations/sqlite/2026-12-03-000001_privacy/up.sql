-- Privacy (GDPR): retention, the rights of the person, the audit log.

-- Agreement to join the talent pool (kept 2 years after the person's last own action
-- instead of 3 months after the recruitment ends), and that last own action (a reply, an
-- application, a visit of their privacy page).
ALTER TABLE candidates ADD COLUMN talent_pool_at TIMESTAMP;
ALTER TABLE candidates ADD COLUMN last_action_at TIMESTAMP;
-- When the information notice (GDPR article 14) reached them, by which channel.
ALTER TABLE candidates ADD COLUMN notice_sent_at TIMESTAMP;
ALTER TABLE applications ADD COLUMN talent_pool BOOLEAN NOT NULL DEFAULT FALSE;
-- Emails about a candidate (to them or to the team) are erased with them.
ALTER TABLE notifications ADD COLUMN candidate_id TEXT;
CREATE INDEX notifications_candidate ON notifications(candidate_id);

-- Self-service links sent in emails to candidates: only the token's SHA-256 is kept.
-- `full` links (private channels: email) open export and erasure at once; `request` links
-- (posted where others may read them) open a request the team answers.
CREATE TABLE privacy_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX privacy_links_candidate ON privacy_links(candidate_id);

-- Requests to exercise a right (export, erasure, objection), due within a month. The
-- candidate id is cleared when the person is erased; the request and its outcome stay.
CREATE TABLE privacy_requests (
    id TEXT PRIMARY KEY NOT NULL,
    candidate_id TEXT,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT,
    requested_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP,
    done_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    outcome TEXT
);
CREATE INDEX privacy_requests_state ON privacy_requests(state, due_at);

-- People who objected to sourcing: a salted SHA-256 of each identifier, nothing else.
CREATE TABLE sourcing_objections (
    identity_hash TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Settings of this installation that must survive key rotation (the objection salt).
CREATE TABLE install_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Who viewed, downloaded, exported or erased which candidate.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    candidate_id TEXT,
    opening_id TEXT
);
CREATE INDEX audit_log_candidate ON audit_log(candidate_id, at);
CREATE INDEX audit_log_at ON audit_log(at);

-- Each run of the retention purge: what it removed, as counts per table, never content.
CREATE TABLE purge_runs (
    id TEXT PRIMARY KEY NOT NULL,
    ran_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    candidates BIGINT NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX purge_runs_at ON purge_runs(ran_at);
