-- The description rendered once, when the opening is saved: sanitized HTML for the pages, the
-- feeds and the API, and plain text (folded, uncut) for summaries and meta descriptions.
-- Empty for rows saved before this column: they are rendered when the service starts.
ALTER TABLE openings ADD COLUMN description_html TEXT NOT NULL DEFAULT '';
ALTER TABLE openings ADD COLUMN description_text TEXT NOT NULL DEFAULT '';
