package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/prose"
)

// campaignSendPage asks before a send, naming how many readers it
// reaches and its lists by name; its form posts that number as confirm.
type campaignSendPage struct {
	adminPage
	C        *campaigns.Campaign
	Audience string // "2,314 readers"
	Lists    []listLabel
	Error    string
	// Suppressed is how many confirmed readers of its lists the send
	// leaves out for a suppressed address: "every confirmed reader"
	// alone would count them.
	Suppressed int
	// OutboxDir is the outbox's folder when no SMTP server is set: the
	// page then says, before its button, that the send writes there and
	// reaches no reader, though the campaign counts as sent.
	OutboxDir string
	// ArchiveNote says the public archive's copy shows the reader's
	// address empty, for a body that writes it to a public list.
	ArchiveNote *archiveNote
	// Froms are the From of each of its lists, in the order the fan-out
	// takes them, when they are not all the same (severalFroms): a list
	// may have its own, and nothing else said the mail goes out under
	// more than one.
	Froms []campaigns.ListFrom
}

// severalFroms is froms when they name more than one From, else nil.
func severalFroms(froms []campaigns.ListFrom) []campaigns.ListFrom {
	for _, f := range froms {
		if f.From != froms[0].From {
			return froms
		}
	}
	return nil
}

// renderSendPage shows the confirmation of a send of c, with msg above it.
func (s *Server) renderSendPage(w http.ResponseWriter, r *http.Request, status int, c *campaigns.Campaign, msg string) {
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &campaignSendPage{C: c, Audience: readers(c.Audience), Lists: lists.labels(c.Lists), Error: msg}
	if p.Suppressed, err = s.Campaigns.SuppressedAudience(r.Context(), c.ID); err != nil {
		s.adminError(w, r, err)
		return
	}
	if s.campaignsToOutbox() {
		p.OutboxDir = s.Outbox.Dir
	}
	p.ArchiveNote = s.archiveNoteOf(c.Body, lists, c.Lists, true)
	froms, err := s.Campaigns.Froms(r.Context(), c.ID)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Froms = severalFroms(froms)
	s.renderAdmin(w, r, status, "admin_campaign_send", p)
}

// sendCampaignPage shows the confirmation of a send.
func (s *Server) sendCampaignPage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	if e.Kind != "campaign" || !editableStatus(e.Status) {
		http.Redirect(w, r, "/admin/campaigns/"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
		return
	}
	if e.Audience == 0 {
		s.renderCampaign(w, r, http.StatusUnprocessableEntity, s.nobodyMessage(r, e.Campaign))
		return
	}
	s.renderSendPage(w, r, http.StatusOK, e.Campaign, "")
}

// nobodyMessageFor is the page's refusal of a send of c to nobody, with
// why (nobodyWhy).
func nobodyMessageFor(c *campaigns.Campaign, suppressed int) string {
	if len(c.Lists) == 0 {
		return "This campaign has no list: " + nobodyWhy(c, suppressed)
	}
	return "This campaign would reach nobody: " + nobodyWhy(c, suppressed)
}

// nobodyWhy is why c reaches no one, and what to do, after a colon: for
// a campaign whose every list was deleted, that it has none; for one
// whose lists' confirmed readers (suppressed of them) are all suppressed,
// that, not that they have none. The page's line on the audience says it
// after "Reaches no one:", which said "This campaign would reach nobody"
// again.
func nobodyWhy(c *campaigns.Campaign, suppressed int) string {
	lists, have := "its lists", "have"
	if len(c.Lists) == 1 {
		lists, have = "its list", "has"
	}
	switch {
	case len(c.Lists) == 0:
		return "every list it had was deleted. Edit it to choose one."
	case suppressed > 0:
		return "every confirmed reader of " + lists + " is suppressed (" + readers(suppressed) + ", see Suppressions). Edit it to choose other lists."
	}
	return lists + " " + have + " no confirmed reader. Edit it to choose other lists, or wait until readers confirm."
}

// nobodyMessage is nobodyMessageFor c with its suppressed readers
// counted; a count that fails leaves the message without them, as the
// page it is said on shows the count or its error anyway.
func (s *Server) nobodyMessage(r *http.Request, c *campaigns.Campaign) string {
	n, err := s.Campaigns.SuppressedAudience(r.Context(), c.ID)
	if err != nil {
		n = 0
	}
	return nobodyMessageFor(c, n)
}

// sendConfirmed reports whether a send may go ahead: the form's confirm
// field names the audience as it is now. Otherwise it answers itself: the
// campaign page saying a send to nobody is refused, or the confirmation
// again with the new number. A campaign past draft and scheduled goes
// ahead, for Send to refuse with its conflict.
func (s *Server) sendConfirmed(w http.ResponseWriter, r *http.Request, id int64) bool {
	c, err := s.Campaigns.Get(r.Context(), id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND || err == nil && !editableStatus(c.Status) {
		return true
	} else if err != nil {
		s.adminError(w, r, err)
		return false
	}
	if c.Audience == 0 {
		s.renderCampaign(w, r, http.StatusUnprocessableEntity, s.nobodyMessage(r, c))
		return false
	}
	if r.PostForm.Get("confirm") == strconv.Itoa(c.Audience) {
		return true
	}
	msg := "Confirm the send: it reaches " + readers(c.Audience) + "."
	if r.PostForm.Get("confirm") != "" {
		msg = "The audience changed since you looked: the campaign now reaches " + readers(c.Audience) + "."
	}
	s.renderSendPage(w, r, http.StatusConflict, c, msg)
	return false
}

// editableStatus says a campaign in status may be edited, deleted and
// sent.
func editableStatus(status string) bool {
	return status == campaigns.StatusDraft || status == campaigns.StatusScheduled
}

// readers writes n as "1 reader" or "2,314 readers".
func readers(n int) string {
	return prose.Count(n, "reader", "readers")
}
