-- The dashboard's warning counts the messages sent in the last seven days.
-- It counted them through deliveries_sent_at, an index only it read, which
-- every delivery marked sent wrote an entry to: about a quarter of the
-- cost of marking a row sent, and some 40 bytes a delivery on disk. The
-- writes of results now add what they mark sent to the hour's count here,
-- one row an hour, in the same transaction.
CREATE TABLE sent_hours (
	hour INTEGER PRIMARY KEY, -- Unix seconds / 3600 of sent_at
	sent INTEGER NOT NULL
);

INSERT INTO sent_hours (hour, sent)
	SELECT CAST(strftime('%s', sent_at) AS INTEGER) / 3600, COUNT(*)
	FROM deliveries WHERE sent_at IS NOT NULL GROUP BY 1;

DROP INDEX IF EXISTS deliveries_sent_at;
