package campaigns

import "strings"

// CopyPrefix starts the subject of a campaign Duplicate makes, so that
// editors tell the copy from its original in the list of campaigns.
const CopyPrefix = "Copy of "

// SubjectCopied says c's subject still starts as Duplicate made it
// ("Copy of …"): sent unedited, every reader would get it under that
// subject, and the archive would show it so. The send page warns of it;
// nothing refuses it, as it may be the subject meant.
func (c *Campaign) SubjectCopied() bool { return strings.HasPrefix(c.Subject, CopyPrefix) }
