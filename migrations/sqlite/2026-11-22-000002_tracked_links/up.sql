-- One short link per (opening, channel), and its clicks counted per day.
-- Nothing about the visitor is kept: no IP address, no user agent, no referrer.
CREATE TABLE tracked_links (
    code TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (opening_id, channel)
);

-- Daily buckets: per-channel attribution and analytics read these.
CREATE TABLE link_clicks (
    code TEXT NOT NULL REFERENCES tracked_links(code) ON DELETE CASCADE,
    day DATE NOT NULL,
    clicks BIGINT NOT NULL,
    PRIMARY KEY (code, day)
);
