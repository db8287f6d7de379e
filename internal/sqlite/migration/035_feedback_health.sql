-- The dashboard's deliverability health counts the mail sent in the last
-- seven days; without this it would read every delivery ever made.
CREATE INDEX deliveries_sent_at ON deliveries (sent_at) WHERE sent_at IS NOT NULL;

-- Why an admin added an entry by hand, in their words.
ALTER TABLE suppressions ADD COLUMN note TEXT NOT NULL DEFAULT '';
