-- When an editor last gave the reader another address. A bounce that
-- names a delivery sent before then is about the old address: it marks
-- the delivery and suppresses the address it reports, but leaves the
-- reader and their new address alone.
ALTER TABLE subscribers ADD COLUMN email_changed_at DATETIME;
