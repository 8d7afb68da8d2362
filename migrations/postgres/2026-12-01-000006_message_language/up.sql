-- The language a message to a candidate is written in: the one the person wrote in (their
-- reply, the careers-site form they used). NULL: the opening's language.
ALTER TABLE candidate_messages ADD COLUMN language TEXT;
