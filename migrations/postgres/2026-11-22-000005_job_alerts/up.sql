-- Job alerts: people who asked to receive new openings by email (double opt-in), and what
-- each email-list delivery sent to whom, so a retry never mails anyone twice.

CREATE TABLE alert_subscribers (
    id TEXT PRIMARY KEY NOT NULL,
    -- Normalized (trimmed, lower-cased): one row per address.
    email TEXT NOT NULL UNIQUE,
    -- fr or en: only openings written in this language are sent.
    language TEXT NOT NULL,
    -- A city or a country code; NULL: anywhere.
    location TEXT,
    -- JSON array of skills; empty: any opening.
    skills TEXT NOT NULL,
    -- pending, confirmed, unsubscribed
    state TEXT NOT NULL,
    -- SHA-256 of the one-time confirmation token, and when it stops working.
    confirm_hash TEXT UNIQUE,
    confirm_expires_at TIMESTAMP,
    confirm_sent_at TIMESTAMP,
    -- SHA-256 of the unsubscribe token (looked up by it), and the token sealed with
    -- HIRECAST_SECRET_KEY so every alert can carry it.
    unsubscribe_hash TEXT NOT NULL UNIQUE,
    unsubscribe_sealed TEXT NOT NULL,
    consent_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    unsubscribed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX alert_subscribers_state ON alert_subscribers(state, language);

-- One row per (delivery, subscriber), written as 'sending' before the mail goes out and
-- 'sent' (or 'failed') after: a retry skips every row already here.
CREATE TABLE alert_sends (
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL REFERENCES alert_subscribers(id) ON DELETE CASCADE,
    -- sending, sent, failed
    state TEXT NOT NULL,
    detail TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (delivery_id, subscriber_id)
);
