-- A campaign's preheader: the line an inbox shows after the subject,
-- hidden in the mail itself. Empty means the start of the body's text,
-- as before.
ALTER TABLE campaigns ADD COLUMN preheader TEXT NOT NULL DEFAULT '';
