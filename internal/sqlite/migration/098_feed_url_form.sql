-- A feed's URL is stored as an article's is (articles.ArticleURL, which
-- articles.Feeds.Add now applies): its scheme and host in lower case,
-- without the scheme's default port. https://Example.com/feed.xml,
-- https://example.com:443/feed.xml and https://example.com/feed.xml were
-- three feeds of a list, each polled, though they are one. The URLs stored
-- before are put in that form here, as 066 and 095 did for articles, so
-- that the same feed added again finds its row instead of making another.
--
-- The form is 066's and 095's: the authority ends at the first "/", "?"
-- or "#"; its host follows the last "@" (the user info keeps its case);
-- ASCII letters of the scheme and host are folded (lower() folds no
-- other, as NormalizeURL); the default port (:443 for https, :80 for
-- http, also with leading zeros or empty) after the host's last ":" goes,
-- not one inside an IPv6 address's brackets. The path, query and
-- fragment are kept as they are. A port given twice (h:443:443), which
-- url.Parse refuses and so no feed has, is left alone.
-- rtrim(s, replace(s, c, '')) is s up to its last c.
--
-- No two feeds are merged, which would lose one's status, items and
-- memory of its deleted items: where several feeds of one list come to
-- one URL and none has it already, only the oldest (lowest id) is
-- changed; where one has it already, none is. The others keep their URL,
-- and are still polled, until an admin deletes them. Running this again
-- changes nothing.
CREATE TEMP TABLE url_098 (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO url_098 (old, new)
WITH candidates (u) AS (
	SELECT url FROM feeds
	UNION SELECT feed_url FROM deleted_feed_items
), split AS (
	SELECT u, substr(u, 1, instr(u, '://') - 1) AS scheme, substr(u, instr(u, '://') + 3) AS after
	FROM candidates WHERE instr(u, '://') > 0
), bounded AS (
	SELECT u, scheme, after, min(
		coalesce(nullif(instr(after, '/'), 0), length(after) + 1),
		coalesce(nullif(instr(after, '?'), 0), length(after) + 1),
		coalesce(nullif(instr(after, '#'), 0), length(after) + 1)) AS e
	FROM split WHERE lower(scheme) IN ('http', 'https')
), parts AS (
	SELECT u, scheme, substr(after, 1, e - 1) AS authority, substr(after, e) AS rest FROM bounded
), hosts AS (
	SELECT u, scheme, rest, rtrim(authority, replace(authority, '@', '')) AS userinfo,
		substr(authority, length(rtrim(authority, replace(authority, '@', ''))) + 1) AS hostport
	FROM parts
), ports AS (
	-- hostc is the host and the colon before the port ('' for none).
	SELECT u, scheme, rest, userinfo, hostport, rtrim(hostport, replace(hostport, ':', '')) AS hostc,
		substr(hostport, length(rtrim(hostport, replace(hostport, ':', ''))) + 1) AS port
	FROM hosts
), formed AS (
	SELECT u, lower(scheme) || '://' || userinfo || lower(CASE
		WHEN length(hostc) > 1
			AND (port = '' OR ltrim(port, '0') = CASE lower(scheme) WHEN 'https' THEN '443' ELSE '80' END)
			AND (instr(substr(hostc, 1, length(hostc) - 1), ':') = 0 OR (substr(hostc, 1, 1) = '[' AND substr(hostc, -2, 1) = ']'))
		THEN substr(hostc, 1, length(hostc) - 1)
		ELSE hostport END) || rest AS new
	FROM ports
)
SELECT u, new FROM formed WHERE new != u;

UPDATE feeds SET url = c.new
FROM (SELECT min(f.id) AS id, m.new FROM feeds f JOIN url_098 m ON m.old = f.url
	GROUP BY f.list_id, m.new
	HAVING NOT EXISTS (SELECT 1 FROM feeds o WHERE o.list_id = f.list_id AND o.url = m.new)) AS c
WHERE feeds.id = c.id;

-- A list's deleted items remember the URL of the feed that gave them
-- (deleted_feed_items.feed_url, 070), so that the feed, even deleted and
-- added again at that URL, knows them. They follow their feed's URL, and
-- so do those of a feed deleted since, whose URL would now be stored in
-- the new form when added again; those of a feed that kept its URL above
-- keep it. Rows that come to one key (list, item, feed) are one memory of
-- the delete: the one a poll saw last (latest seen_at) is kept, the
-- others go, as in 095.
CREATE TEMP TABLE deleted_098 AS
WITH moved AS (
	SELECT d.list_id, d.item_id, d.feed_url AS old, m.new, d.seen_at
	FROM deleted_feed_items d JOIN url_098 m ON m.old = d.feed_url
	WHERE NOT EXISTS (SELECT 1 FROM feeds f WHERE f.list_id = d.list_id AND f.url = d.feed_url)
), standing AS (
	SELECT d.list_id, d.item_id, d.feed_url AS old, d.feed_url AS new, d.seen_at
	FROM deleted_feed_items d
	WHERE EXISTS (SELECT 1 FROM moved x WHERE x.list_id = d.list_id AND x.item_id = d.item_id AND x.new = d.feed_url)
), together AS (
	SELECT * FROM moved UNION ALL SELECT * FROM standing
)
SELECT list_id, item_id, old, new,
	row_number() OVER (PARTITION BY list_id, item_id, new ORDER BY seen_at DESC, old = new DESC, old) AS rank
FROM together;
DELETE FROM deleted_feed_items WHERE EXISTS (SELECT 1 FROM deleted_098 x
	WHERE x.rank > 1 AND x.list_id = deleted_feed_items.list_id AND x.item_id = deleted_feed_items.item_id
	AND x.old = deleted_feed_items.feed_url);
UPDATE deleted_feed_items SET feed_url = x.new FROM deleted_098 x
WHERE x.rank = 1 AND x.old != x.new AND x.list_id = deleted_feed_items.list_id
	AND x.item_id = deleted_feed_items.item_id AND x.old = deleted_feed_items.feed_url;

DROP TABLE temp.url_098;
DROP TABLE temp.deleted_098;
