-- The language a campaign or digest was sent in, a BCP 47 tag ("fr",
-- "pt-BR", "en" for English), kept when it starts sending: its mails,
-- those sent after a pause too, and its archive page keep that language
-- when the publication's setting (settings.language) changes later.
-- Empty for a campaign that has not started: it takes the setting in
-- force when it does.
ALTER TABLE campaigns ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- The campaigns started already (sent, sending, paused or cancelled) get
-- the setting in force now, which the archive shows them in until this
-- migration, so an upgrade changes nothing a reader sees; no setting, or
-- an empty one, is English. Those sent before a language was set, or
-- before it was changed, cannot be told apart from the others any more.
UPDATE campaigns SET language = COALESCE((SELECT NULLIF(language, '') FROM settings WHERE id = 1), 'en')
WHERE started_at IS NOT NULL;
