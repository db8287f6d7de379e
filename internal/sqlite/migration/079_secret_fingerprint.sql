-- A fingerprint of the secret that signs the links in mail (unsubscribe,
-- preferences, confirmation) and keys the erasures: HMAC-SHA256 keyed by
-- the secret over a fixed text, never the secret. A start whose secret
-- (BULLETIN_SECRET, or DATA/secret) gives another fingerprint is refused:
-- every link already sent would stop working and erased addresses would
-- no longer be known. One row (id 1), written by the first start that
-- finds none, and again by "bulletin secret rotate". A backup carries it,
-- so a restore onto a host without the old secret is refused too.
CREATE TABLE secret_fingerprint (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	fingerprint TEXT NOT NULL,
	recorded_at DATETIME NOT NULL
);
