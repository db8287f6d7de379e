-- A scheduled campaign whose lists have no confirmed reader when its time
-- comes is not sent: it is made a draft again, without a send time
-- (campaigns.Service.unschedule). Only the log said so, and its pages
-- showed a draft like any other. missed_send_at keeps the send time it
-- passed, for its page, the campaigns list and the API to say why it is
-- a draft; NULL for every other campaign. Scheduling it again or sending
-- it forgets it.
ALTER TABLE campaigns ADD COLUMN missed_send_at DATETIME;
