-- A reader's ask, on their preferences page, for the mail with the link
-- that downloads their data or erases it (subscribers.DataLinks). The ask
-- is committed before the page answers, and its mail sent after, from
-- this row: a serve killed in between sends it when it starts again, if
-- its link still works (asked within subscribers.DataLinkTTL, an hour),
-- and a sent one is not sent again. The rows also hold each reader's turn
-- (one mail a purpose each subscribers.DataLinkInterval) across a restart.
-- tries counts the sends begun, each recorded before its mail goes: a
-- serve killed between a send and its sent_at tries once more at most,
-- so a reader gets at most one second copy. A row past DataLinkTTL is of
-- no more use, and is deleted at the next ask and at serve's start; an
-- erased reader's go with them.
CREATE TABLE data_link_asks (
	id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: an id names one ask to its sender
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	purpose TEXT NOT NULL CHECK (purpose IN ('data download', 'data erase')),
	asked_at DATETIME NOT NULL,
	tries INTEGER NOT NULL DEFAULT 0,
	sent_at DATETIME
);
CREATE INDEX data_link_asks_reader ON data_link_asks (subscriber_id, purpose, asked_at);
CREATE INDEX data_link_asks_asked ON data_link_asks (asked_at);
