-- An article's URL is stored without its scheme's default port
-- (articles.ArticleURL): https://example.com:443/a and
-- https://example.com/a are one page, and were two articles, so a CMS
-- writing :443 brought back a story an editor had deleted, and it was
-- mailed again. The URLs stored before, and the feed items and deleted
-- items known by them, are put in that form here, as 066 folded their
-- case, so that the same URL posted or polled again finds its article or
-- its delete.
--
-- The default port is :443 for https and :80 for http, also written with
-- leading zeros (:0443) or empty ("https://example.com:/a"), after the
-- authority's last ":" when a host stands before it: not one in the user
-- info (what precedes the authority's last "@"), nor inside an IPv6
-- address's brackets (the port is then digits only, with no "]"). The
-- authority ends at the first "/", "?" or "#"; the path, query and
-- fragment are kept as they are (a fragment may be all that tells two
-- items of a changelog apart). A URL whose port is dropped has its
-- scheme and host in lower case too (ASCII letters only, as lower() and
-- NormalizeURL fold). rtrim(s, replace(s, c, '')) is s up to its last c.
-- A port given twice (h:443:443) is no URL an article may have and is
-- left alone.
CREATE TEMP TABLE url_095 (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO url_095 (old, new)
WITH candidates (u) AS (
	SELECT url FROM articles
	UNION SELECT item_id FROM feed_items
	UNION SELECT item_id FROM deleted_feed_items
	UNION SELECT link FROM deleted_feed_items
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
	SELECT u, scheme, rest, userinfo, rtrim(hostport, replace(hostport, ':', '')) AS hostc,
		substr(hostport, length(rtrim(hostport, replace(hostport, ':', ''))) + 1) AS port
	FROM hosts
)
SELECT u, lower(scheme) || '://' || userinfo || lower(substr(hostc, 1, length(hostc) - 1)) || rest
FROM ports
WHERE length(hostc) > 1 AND (port = '' OR ltrim(port, '0') = CASE lower(scheme) WHEN 'https' THEN '443' ELSE '80' END);
DELETE FROM url_095 WHERE new IN (SELECT old FROM url_095);

-- A feed's items known by their links (feed_items, 067): an item without
-- a guid is known by its link as articles store it, so its key is the
-- URL of its article, or, once that was deleted, the link its list
-- remembers the deleted item by (070). A key that is a guid is the
-- feed's own word and is kept as the feed gives it, as is a key that
-- cannot be told from one (the article's URL changed by an editor since).
-- Two keys of one feed that become one are not merged: only one is
-- changed, that of the oldest article (the one the articles' change
-- below gives the URL, when none has it), and none where the feed has
-- the key already. Read before the articles and deleted items below
-- change.
CREATE TEMP TABLE feed_items_095 AS
	SELECT fi.feed_id, fi.item_id AS old, m.new, row_number() OVER (PARTITION BY fi.feed_id, m.new
		ORDER BY fi.article_id IS NULL, fi.article_id, fi.item_id) AS rank
	FROM feed_items fi JOIN url_095 m ON m.old = fi.item_id
	WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = fi.article_id AND a.url = fi.item_id)
	OR (fi.article_id IS NULL AND EXISTS (SELECT 1 FROM feeds f JOIN deleted_feed_items d ON d.list_id = f.list_id
		WHERE f.id = fi.feed_id AND d.item_id = fi.item_id AND d.link = fi.item_id));
UPDATE feed_items SET item_id = c.new FROM feed_items_095 AS c
WHERE c.rank = 1 AND feed_items.feed_id = c.feed_id AND feed_items.item_id = c.old
	AND NOT EXISTS (SELECT 1 FROM feed_items o WHERE o.feed_id = c.feed_id AND o.item_id = c.new);

-- A list's deleted items known by URL (068, 070): the rows of no feed
-- (feed_url '', a deleted article's URL) and a feed's rows keyed by the
-- item's link (item_id is the link). A guid's row keeps its key. Rows
-- that come to one key (list, item, feed) are one memory of the delete:
-- the one a poll or a post saw last (latest seen_at) is kept, the others
-- go.
CREATE TEMP TABLE deleted_095 AS
WITH moved AS (
	SELECT d.list_id, d.item_id AS old, d.feed_url, m.new, d.seen_at
	FROM deleted_feed_items d JOIN url_095 m ON m.old = d.item_id
	WHERE d.feed_url = '' OR d.item_id = d.link
), standing AS (
	SELECT d.list_id, d.item_id AS old, d.feed_url, d.item_id AS new, d.seen_at
	FROM deleted_feed_items d
	WHERE EXISTS (SELECT 1 FROM moved x WHERE x.list_id = d.list_id AND x.new = d.item_id AND x.feed_url = d.feed_url)
), together AS (
	SELECT * FROM moved UNION ALL SELECT * FROM standing
)
SELECT list_id, old, feed_url, new,
	row_number() OVER (PARTITION BY list_id, new, feed_url ORDER BY seen_at DESC, old = new DESC, old) AS rank
FROM together;
DELETE FROM deleted_feed_items WHERE EXISTS (SELECT 1 FROM deleted_095 x
	WHERE x.rank > 1 AND x.list_id = deleted_feed_items.list_id AND x.old = deleted_feed_items.item_id
	AND x.feed_url = deleted_feed_items.feed_url);
UPDATE deleted_feed_items SET item_id = x.new FROM deleted_095 x
WHERE x.rank = 1 AND x.old != x.new AND x.list_id = deleted_feed_items.list_id
	AND x.old = deleted_feed_items.item_id AND x.feed_url = deleted_feed_items.feed_url;
-- The link a deleted item was seen with is a URL as articles store them.
UPDATE deleted_feed_items SET link = m.new FROM url_095 m WHERE m.old = deleted_feed_items.link;

-- The articles, as 066 did: no two rows are merged, which would lose
-- their lists, digests and clicks. Where several URLs come to one and
-- none has it already, only the oldest (lowest id) is changed; where one
-- has it already, none is. The others keep their URL, to be found by it.
-- The URL in the admin's search text (025: title, summary, URL and
-- author, each on its line, in lower case) changes with it; a URL whose
-- letters Go's lower case and SQLite's tell apart (beyond ASCII) is not
-- found there, and its search text keeps the port.
UPDATE articles SET url = c.new,
	search_text = replace(search_text, char(10) || lower(articles.url) || char(10), char(10) || lower(c.new) || char(10))
FROM (SELECT min(a.id) AS id, m.new FROM articles a JOIN url_095 m ON m.old = a.url
	GROUP BY m.new HAVING NOT EXISTS (SELECT 1 FROM articles o WHERE o.url = m.new)) AS c
WHERE articles.id = c.id;

DROP TABLE temp.url_095;
DROP TABLE temp.feed_items_095;
DROP TABLE temp.deleted_095;
