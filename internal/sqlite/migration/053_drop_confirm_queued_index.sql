-- No query reads subscribers_confirm_queued: the confirmation tasks find
-- their rows by id, and the reconciler through subscribers_status, as the
-- rows it looks for are pending or have a signup request. Every signup
-- wrote it all the same: one more b-tree page in each commit of the
-- signups, and one more in each claim of their mails.
DROP INDEX IF EXISTS subscribers_confirm_queued;
