package web

import (
	"context"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

type campaignsPage struct {
	adminPage
	Campaigns []campaignRow
}

// A campaignRow is one campaign or digest of the list. Reach is "1,234
// readers" for a draft or a scheduled campaign, which has no progress to
// show yet: Recent counts its audience anyway, every draft's in one pass
// over their lists' readers. Any other has Progress, the campaign page's
// numbers: sent of the readers it is for and, once cancelled, the readers
// not sent. (Progress counts no reader, so the list costs no count per
// campaign paused or cancelled.)
type campaignRow struct {
	campaigns.Entry
	Reach    string
	Progress campaigns.Progress
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) {
	if s.Campaigns == nil {
		http.NotFound(w, r)
		return
	}
	items, err := s.Campaigns.Recent(r.Context(), "", 200)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &campaignsPage{Campaigns: make([]campaignRow, len(items))}
	for i, e := range items {
		row := &p.Campaigns[i]
		row.Entry = e
		if editableStatus(e.Status) {
			row.Reach = readers(e.Audience)
		} else {
			row.Progress = e.Progress()
		}
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_campaigns", p)
}

// campaignForm is the new campaign form and, with an ID, the edit form of
// a draft or scheduled one.
type campaignForm struct {
	adminPage
	ID                               int64
	Subject, Preheader, Body, SendAt string
	Lists                            []listChoice
	// Preview is the whole mail as the sample reader gets it, for the
	// preview frames; Audience is how many readers the lists chosen reach.
	Preview  string
	Audience string
	// BareName: the body writes the reader's name with no fallback, which
	// the preview's sample reader, who has a name, does not show.
	BareName bool
	Errors   map[string]string
	Message  string
}

func (s *Server) newCampaignPage(w http.ResponseWriter, r *http.Request) {
	s.renderCampaignForm(w, r, http.StatusOK, &campaignForm{Body: "Hello {{ .Name | default \"reader\" }},\n\n"}, nil)
}

// renderCampaignForm shows the form with every list, ticking chosen ones.
func (s *Server) renderCampaignForm(w http.ResponseWriter, r *http.Request, status int, f *campaignForm, chosen []string) {
	var err error
	if f.Lists, err = s.choicesOf(r.Context(), chosen); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_campaign_new", f)
}

// readCampaignForm reads the form of the new and edit pages into f and
// the campaign it describes; ok is false when send_at is not a time, with
// the error in f.
func readCampaignForm(r *http.Request, f *campaignForm) (*campaigns.Campaign, bool) {
	f.Subject, f.Preheader, f.Body, f.SendAt = r.PostForm.Get("subject"), r.PostForm.Get("preheader"), r.PostForm.Get("body"), r.PostForm.Get("send_at")
	c := &campaigns.Campaign{Subject: f.Subject, Preheader: f.Preheader, Body: f.Body, Lists: r.PostForm["lists"]}
	if f.SendAt != "" {
		t, err := time.Parse("2006-01-02T15:04", f.SendAt)
		if err != nil {
			f.Errors = map[string]string{"send_at": "use a date and time, like 2026-12-01 09:00"}
			return c, false
		}
		t = t.UTC()
		c.SendAt = &t
	}
	return c, true
}

// previewForm shows the form again with c's mail as the sample reader
// would get it, and the audience of the lists chosen: the form's Preview
// button.
func (s *Server) previewForm(w http.ResponseWriter, r *http.Request, f *campaignForm, c *campaigns.Campaign) {
	doc, err := s.Campaigns.PreviewDraft(r.Context(), c, campaigns.SampleReader)
	if code := bulletin.ErrorCode(err); code == bulletin.EINTERNAL {
		s.adminError(w, r, err)
		return
	} else if code != "" {
		f.Errors = bulletin.ErrorFields(err)
	}
	n, err := s.Campaigns.ListsAudience(r.Context(), c.Lists)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f.Preview, f.Audience = doc, readers(n)
	f.BareName = campaigns.NameWithoutFallback(c.Body)
	s.renderCampaignForm(w, r, http.StatusOK, f, c.Lists)
}

// createCampaignForm previews the campaign (the form's Preview button) or
// creates it and shows it.
func (s *Server) createCampaignForm(w http.ResponseWriter, r *http.Request) {
	if s.Campaigns == nil {
		http.NotFound(w, r)
		return
	}
	f := &campaignForm{}
	c, ok := readCampaignForm(r, f)
	chosen := c.Lists
	if !ok {
		s.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, chosen)
		return
	}
	if r.PostForm.Get("action") == "preview" {
		s.previewForm(w, r, f, c)
		return
	}
	if err := s.Campaigns.Schedule(r.Context(), c); bulletin.ErrorCode(err) == bulletin.EINVALID {
		f.Errors, f.Message = bulletin.ErrorFields(err), bulletin.ErrorMessage(err)
		s.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, chosen)
		return
	} else if err != nil {
		s.adminError(w, r, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/campaigns/"+strconv.FormatInt(c.ID, 10), savedFlash(c.SendAt)), http.StatusSeeOther)
}

// savedFlash is the banner after a campaign form is saved: a time to send
// at schedules the campaign, which the editor must not take for a draft.
func savedFlash(sendAt *time.Time) string {
	if sendAt != nil {
		return "campaign-scheduled"
	}
	return "campaign-saved"
}

type campaignPage struct {
	adminPage
	C      *campaigns.Campaign
	Digest bool
	// Preview is the campaign's whole mail as the sample reader gets it.
	Preview string
	// Progress measures the send against the readers it is for, and
	// Percent is the bar's width (see percent).
	Progress campaigns.Progress
	Percent  int
	Error    string
	// Errors holds the reasons of the fields the page marks where they
	// are typed: "to", the test form's addresses; To is what was typed
	// there, to correct rather than type again.
	Errors   map[string]string
	To       string
	Editable bool
	// Deletable offers Delete…: a draft, a scheduled campaign, or one
	// cancelled before it sent anything (campaigns.Campaign.Deletable).
	Deletable bool
	Audience  string // "2,314 readers"
	Rates     feedbackRates
	// BareName: the body writes the reader's name with no fallback, which
	// the preview's sample reader, who has a name, does not show.
	BareName bool
}

// fill marks the Digests tab, not Campaigns, on a digest's page: that is
// where "Send now" on /admin/digests comes from and where it leads back.
func (p *campaignPage) fill(r *http.Request) {
	p.adminPage.fill(r)
	if !p.Digest {
		return
	}
	for i := range p.Nav {
		p.Nav[i].On = p.Nav[i].Href == "/admin/digests"
	}
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	s.renderCampaign(w, r, http.StatusOK, "")
}

func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.renderCampaignPage(w, r, status, &campaignPage{Error: msg})
}

// renderCampaignPage shows the {id} campaign with p's error, marked fields
// and typed addresses; it fills in the rest of p.
func (s *Server) renderCampaignPage(w http.ResponseWriter, r *http.Request, status int, p *campaignPage) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	c := e.Campaign
	p.Progress = c.Progress()
	p.C, p.Digest, p.Percent = c, e.Kind == "digest", percent(p.Progress)
	p.Editable, p.Audience, p.Rates = c.Status == campaigns.StatusDraft || c.Status == campaigns.StatusScheduled, readers(c.Audience), ratesOf(c.Stats)
	p.Deletable = !p.Digest && c.Deletable()
	p.BareName = !p.Digest && campaigns.NameWithoutFallback(c.Body)
	if !p.Digest { // a digest's page links to its archive copy instead
		doc, err := s.Campaigns.PreviewMail(r.Context(), c.ID, campaigns.SampleReader)
		if code := bulletin.ErrorCode(err); code == bulletin.EINTERNAL {
			s.adminError(w, r, err)
			return
		} else if code != "" {
			doc = "<p>The mail does not render: " + template.HTMLEscapeString(bulletin.ErrorMessage(err)) + "</p>"
		}
		p.Preview = doc
	}
	s.renderAdmin(w, r, status, "admin_campaign", p)
}

// adminCampaign loads the {id} campaign or digest, answering 404 itself.
func (s *Server) adminCampaign(w http.ResponseWriter, r *http.Request) (campaigns.Entry, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || s.Campaigns == nil {
		http.NotFound(w, r)
		return campaigns.Entry{}, false
	}
	e, err := s.Campaigns.Entry(r.Context(), id)
	if err != nil {
		s.adminFailed(w, r, err)
		return e, false
	}
	return e, true
}

// campaignAction runs test, send, pause, resume or cancel from the
// campaign page's forms.
func (s *Server) campaignAction(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || s.Campaigns == nil {
		http.NotFound(w, r)
		return
	}
	steps := map[string]func(context.Context, int64) (*campaigns.Campaign, error){
		"send": s.Campaigns.Send, "pause": s.Campaigns.Pause, "resume": s.Campaigns.Resume, "cancel": s.Campaigns.Cancel,
	}
	action, flash := r.PathValue("action"), ""
	p := &campaignPage{}
	switch step, ok := steps[action]; {
	case action == "test":
		// TestSend checks the addresses, naming the one at fault; they
		// may be split by commas, semicolons (as mail programs copy them)
		// or white space.
		p.To = r.PostForm.Get("to")
		to := strings.FieldsFunc(p.To, func(c rune) bool { return strings.ContainsRune(", ;\t\r\n", c) })
		err, flash = s.Campaigns.TestSend(r.Context(), id, to), "test-sent"
	case action == "send" && !s.sendConfirmed(w, r, id):
		return
	case ok:
		_, err = step(r.Context(), id)
		flash = map[string]string{"send": "sending", "pause": "paused", "resume": "resumed", "cancel": "cancelled"}[action]
	default:
		http.NotFound(w, r)
		return
	}
	if code := bulletin.ErrorCode(err); code == bulletin.EINTERNAL {
		s.adminError(w, r, err)
		return
	} else if code != "" {
		p.Error, p.Errors = campaignError("", err, "to")
		s.renderCampaignPage(w, r, statusOf[code], p)
		return
	}
	http.Redirect(w, r, flashURL("/admin/campaigns/"+strconv.FormatInt(id, 10), flash), http.StatusSeeOther)
}

// campaignError is what the campaign page says of err: prefix, its
// message, then "field: why." for each field the page has no slot for, in
// the order of the fields' names, since "Some fields need fixing." alone
// leaves the editor guessing which. The reasons of the fields named in
// slots come back apart, for the page to show where those are typed.
func campaignError(prefix string, err error, slots ...string) (string, map[string]string) {
	msg, fields := prefix+bulletin.ErrorMessage(err), bulletin.ErrorFields(err)
	var marked map[string]string
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		switch why := fields[field]; {
		case slices.Contains(slots, field):
			if marked == nil {
				marked = map[string]string{}
			}
			marked[field] = why
		case field == "":
			msg += " " + why + "."
		default:
			msg += " " + field + ": " + why + "."
		}
	}
	return msg, marked
}
