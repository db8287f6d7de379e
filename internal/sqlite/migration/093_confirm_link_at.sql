-- The confirm_sent_at of the latest mail that carried a confirmation
-- link, which that link is signed for. confirm_sent_at moves with every
-- mail a signup sends, the already-subscribed mail too ("Your
-- subscription to …"), which carries no confirmation link: a confirmed
-- reader's link from the confirmation before it stays good
-- (subscribers.ConfirmLink), where it stopped working. Until now each
-- mail's time was its link's, which this starts from; the link of a
-- reader mailed an already-subscribed mail before it cannot be told
-- any more.
ALTER TABLE subscribers ADD COLUMN confirm_link_at DATETIME;
UPDATE subscribers SET confirm_link_at = confirm_sent_at WHERE confirm_sent_at IS NOT NULL;
