ALTER TABLE openings DROP COLUMN description_text;
ALTER TABLE openings DROP COLUMN description_html;
