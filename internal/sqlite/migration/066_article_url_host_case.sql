-- An article's URL is stored with its scheme and host in lower case
-- (articles.NormalizeURL): https://Example.com/a and https://example.com/a
-- are one page, and were stored as two articles. The URLs stored before
-- are folded the same way here, so that the same URL posted or polled
-- again finds its article instead of making a second one.
--
-- Only ASCII letters of the scheme and of the host are folded (lower()
-- folds no other), as NormalizeURL does; the user info, the path, the
-- query and the fragment keep their case. The host is what follows the
-- authority's last "@" (rtrim(a, replace(a, '@', '')) is the authority up
-- to that "@"), and the authority ends at the first "/", "?" or "#".
--
-- No two rows are merged, which would lose their lists, digests and
-- clicks: where several stored URLs fold to one, and none is folded
-- already, only the oldest (lowest id) is folded and the others are left
-- as they were, to be found by their own URL; where one is folded
-- already, none changes. So a URL that folds to one stored before finds
-- exactly one article. Running this again changes nothing.
WITH split AS (
	SELECT id, url, substr(url, 1, instr(url, '://') - 1) AS scheme, substr(url, instr(url, '://') + 3) AS after
	FROM articles WHERE instr(url, '://') > 0
), bounded AS (
	SELECT id, url, scheme, after, min(
		coalesce(nullif(instr(after, '/'), 0), length(after) + 1),
		coalesce(nullif(instr(after, '?'), 0), length(after) + 1),
		coalesce(nullif(instr(after, '#'), 0), length(after) + 1)) AS e
	FROM split WHERE lower(scheme) IN ('http', 'https')
), parts AS (
	SELECT id, url, scheme, substr(after, 1, e - 1) AS authority, substr(after, e) AS rest FROM bounded
), folded AS (
	SELECT id, url, lower(scheme) || '://' || rtrim(authority, replace(authority, '@', ''))
		|| lower(substr(authority, length(rtrim(authority, replace(authority, '@', ''))) + 1)) || rest AS norm
	FROM parts
), chosen AS (
	SELECT min(id) AS id, norm FROM folded GROUP BY norm HAVING max(url = norm) = 0
)
UPDATE articles SET url = chosen.norm FROM chosen WHERE articles.id = chosen.id;
