-- The time zone an editor picked for a campaign's "Send at": send_at keeps
-- the instant, in UTC, and the admin pages showed it in the zone its
-- lists share, so that a campaign scheduled for 09:00 in Asia/Tokyo to a
-- list in Europe/London read as 01:00, in a zone its editor never typed.
-- send_zone keeps the IANA name the time was read in, for the pages to
-- show it in again. Empty (the campaigns scheduled before this migration,
-- those scheduled through the API without one, drafts): the lists' zone,
-- as before.
ALTER TABLE campaigns ADD COLUMN send_zone TEXT NOT NULL DEFAULT '';
