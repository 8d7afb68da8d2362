-- Saved searches over public timelines (a hashtag such as #OpenToWork, with keywords such as
-- Rust): the people they find are "sourced" for the opening, not applicants.
CREATE TABLE sourcing_searches (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
    hashtag TEXT NOT NULL,
    keywords TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    seen TEXT NOT NULL,
    found BIGINT NOT NULL,
    next_run_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sourcing_searches_opening ON sourcing_searches(opening_id);
