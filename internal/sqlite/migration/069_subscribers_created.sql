-- The admin's subscribers page lists readers newest first, by when they
-- joined (created_at, then id), a page at a time, of all readers or of
-- those of one status. Without an index in that order every page sorted
-- the readers it selects: 1.2 s a page at 1,000,000 readers, the first
-- page included. With these a page reads its rows from an index, from
-- the cursor on. They cost about 113 bytes a reader (51 and 62, measured
-- with dbstat after importing 200,000; the table itself takes 229), and
-- two more inserts at an index's end a signup (the times grow with the
-- ids).
CREATE INDEX IF NOT EXISTS subscribers_created ON subscribers (created_at, id);
CREATE INDEX IF NOT EXISTS subscribers_status_created ON subscribers (status, created_at, id);
