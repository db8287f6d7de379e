-- The language the publisher writes its articles and campaigns in, a BCP
-- 47 tag in its canonical form ("fr", "pt-BR"), saved at /admin/settings:
-- mails and archive pages mark the publisher's words with it, so that a
-- screen reader reads them in that language rather than in English.
-- Empty (every install before this migration): English, as before.
ALTER TABLE settings ADD COLUMN language TEXT NOT NULL DEFAULT '';
