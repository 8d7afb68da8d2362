-- Broadcast engine: connected channel accounts, pending OAuth flows, and the durable outbox.

-- The recruiter's time zone, for scheduled posts (IANA name).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Paris';

-- One connected account on a network (or a webhook, or an email list).
CREATE TABLE channel_accounts (
    id TEXT PRIMARY KEY NOT NULL,
    -- x, mastodon, bluesky, linkedin, slack, discord, teams, webhook, email
    network TEXT NOT NULL,
    -- What people see: "@jobs@mastodon.social", "#jobs on Slack".
    name TEXT NOT NULL,
    -- Non-secret settings as JSON (instance URL, handle, DID, PDS, author URN, limits).
    config TEXT NOT NULL,
    -- Credentials as JSON, encrypted with HIRECAST_SECRET_KEY (nonce + ciphertext, base64).
    secret TEXT,
    -- connected, reconnect_needed
    status TEXT NOT NULL,
    status_reason TEXT,
    checked_at TIMESTAMP,
    token_expires_at TIMESTAMP,
    -- Per-account budget: no send starts before this time; moved on by min_interval_ms at each
    -- claim and to the network's reset time on a 429.
    next_send_at TIMESTAMP NOT NULL,
    min_interval_ms BIGINT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);

-- A started OAuth authorization: the state sent to the network and the PKCE verifier.
CREATE TABLE oauth_flows (
    state_hash TEXT PRIMARY KEY NOT NULL,
    network TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Encrypted like channel_accounts.secret: PKCE verifier, client id and secret.
    secret TEXT NOT NULL,
    -- Non-secret JSON: instance URL, redirect URI, account to reconnect.
    config TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- The outbox: one row per (opening, account, kind, sequence); written in the same transaction
-- as the opening's status change, sent by the workers.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES channel_accounts(id),
    -- post, repost, filled_reply, delete
    kind TEXT NOT NULL,
    -- 0 for the first post, then 1, 2, ... for re-posts.
    sequence BIGINT NOT NULL,
    -- For filled_reply and delete: the delivery whose post they answer or remove.
    parent_id TEXT REFERENCES deliveries(id),
    -- scheduled, queued, sending, published, unconfirmed, failed, cancelled
    state TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    -- Sent to networks that accept one; the same on every attempt.
    idempotency_key TEXT NOT NULL UNIQUE,
    -- What identifies the post on the network when reading it back: its tracked link.
    marker TEXT NOT NULL,
    -- The composed post(s) as JSON, frozen at the first attempt so every attempt sends the same.
    payload TEXT,
    remote_id TEXT,
    remote_url TEXT,
    -- JSON array of every remote id (a thread has several).
    remote_ids TEXT,
    last_error TEXT,
    last_status BIGINT,
    first_sent_at TIMESTAMP,
    published_at TIMESTAMP,
    -- For posts: re-post every N days while the opening is open; on close: nothing, reply, delete.
    repost_every_days BIGINT,
    on_close TEXT NOT NULL DEFAULT 'nothing',
    notified_at TIMESTAMP,
    -- Unconfirmed on a channel that cannot be read back (webhooks, email): a person decides.
    needs_review BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (opening_id, account_id, kind, sequence)
);
CREATE INDEX deliveries_due ON deliveries(state, due_at);
CREATE INDEX deliveries_account ON deliveries(account_id, state);

-- What happened to a delivery, in order: the history shown on its page.
CREATE TABLE delivery_events (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    state TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX delivery_events_delivery ON delivery_events(delivery_id, at);
