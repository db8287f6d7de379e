-- A round-up mark is the window of a daily list's weekly readers. Before
-- this version a list that left daily kept its mark for good, unused; the
-- first digest of a list no longer daily now takes its weekly readers from
-- that mark, so an old one would mail them every article since it again.
-- The marks of lists not daily today go, with the round-up's holds (an
-- article held there is held for the list's own mark too). A list that
-- left daily since its last digest loses the weekly readers' catch-up
-- once, as before this version.
DELETE FROM digest_holds WHERE marks = 'digest_rollup_marks'
	AND list_id IN (SELECT id FROM lists WHERE digest <> 'daily');
DELETE FROM digest_rollup_marks WHERE list_id IN (SELECT id FROM lists WHERE digest <> 'daily');
