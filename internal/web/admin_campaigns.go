package web

import (
	"context"
	"errors"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/subscribers"
)

type campaignsPage struct {
	adminPage
	Campaigns []campaignRow
}

// A campaignRow is one campaign or digest of the list. Reach is "1,234
// readers" for a draft or a scheduled campaign, which has no progress to
// show yet: Recent counts its audience anyway, every draft's in one pass
// over their lists' readers. Unsent says instead of numbers that one
// cancelled before sending started sent nothing, as its page does: "0
// of 1 sent · 1 not sent" made it look cancelled midway. Any other has
// Progress, the campaign page's numbers: sent of the readers it is for
// and, once cancelled, the readers not sent. (Progress counts no reader,
// so the list costs no count per campaign paused or cancelled.) Lists
// names its lists and Date says which date it shows, with its time:
// "Scheduled for …", "Sent …", "Created …". Missed is the time a draft
// was scheduled for and not sent at (missedAt), which the dashboard,
// showing no date, says it missed.
type campaignRow struct {
	campaigns.Entry
	Reach    string
	Unsent   string
	Missed   string
	Progress campaigns.Progress
	Lists    []listLabel
	Date     string
}

// unsentNote is what the campaigns list and the dashboard say of a
// campaign cancelled before sending started, in place of its numbers.
const unsentNote = "nothing sent: cancelled before sending started"

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
	p := &campaignsPage{}
	if p.Campaigns, err = s.campaignRows(r.Context(), items); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_campaigns", p)
}

// campaignRows are items as the campaigns list and the dashboard show
// them, their lists by name.
func (s *Server) campaignRows(ctx context.Context, items []campaigns.Entry) ([]campaignRow, error) {
	lists, err := s.listIndex(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]campaignRow, len(items))
	for i, e := range items {
		row := &rows[i]
		row.Entry, row.Lists = e, lists.labels(e.Lists)
		row.Date = dated(e.Campaign, e.SendLocation(lists.zone(e.Lists)))
		row.Missed = missedAt(e.Campaign, lists.zone(e.Lists))
		switch {
		case editableStatus(e.Status):
			row.Reach = readers(e.Audience)
		case e.Kind == "campaign" && e.NeverStarted():
			row.Unsent = unsentNote
		default:
			row.Progress = e.Progress()
		}
	}
	return rows, nil
}

// dated is the date the campaigns list shows of c, saying which it is:
// when a scheduled campaign goes out (in loc, the zone it was scheduled
// in, else its lists', with UTC beside it as on its page), when one was
// sent, started or cancelled, when a draft was scheduled for and not
// sent, and when any other draft was created, these in loc too, named.
func dated(c *campaigns.Campaign, loc *time.Location) string {
	switch {
	case c.Status == campaigns.StatusScheduled && c.SendAt != nil:
		return "Scheduled for " + scheduledAt(*c.SendAt, loc)
	case missedAt(c, loc) != "":
		return "Scheduled for " + missedAt(c, loc) + ", not sent: it would have reached nobody"
	case c.Status == campaigns.StatusSent && c.StartedAt != nil:
		return "Sent " + zoned(*c.StartedAt, loc)
	case c.Status == campaigns.StatusCancelled && c.FinishedAt != nil:
		return "Cancelled " + zoned(*c.FinishedAt, loc)
	case c.StartedAt != nil: // sending or paused
		return "Started " + zoned(*c.StartedAt, loc)
	}
	return "Created " + zoned(c.CreatedAt, loc)
}

// missedAt is the time draft c was scheduled for and not sent at, as it
// would have reached nobody (campaigns.Campaign.MissedSendAt), written
// as a scheduled time is (scheduledAt, in loc); "" for any other
// campaign. Its zone is gone with its send time: loc is its lists'.
func missedAt(c *campaigns.Campaign, loc *time.Location) string {
	if c.Status != campaigns.StatusDraft || c.MissedSendAt == nil {
		return ""
	}
	return scheduledAt(*c.MissedSendAt, loc)
}

// statusClass is the class of a campaign's status badge, in the colours
// of the readers' (status_styles): green once sent, amber while it waits
// or goes out, red once cancelled, plain for a draft. A list all in one
// grey made a cancelled campaign look like a sent one.
func statusClass(status string) string {
	switch status {
	case campaigns.StatusSent:
		return "status status-confirmed"
	case campaigns.StatusScheduled, campaigns.StatusSending, campaigns.StatusPaused:
		return "status status-pending"
	case campaigns.StatusCancelled:
		return "status status-bounced"
	}
	return "status"
}

// StatusClass is the class of the page's status badge (statusClass).
func (p *campaignPage) StatusClass() string { return statusClass(p.C.Status) }

// StatusClass is the class of the row's status badge (statusClass).
func (row campaignRow) StatusClass() string { return statusClass(row.Status) }

// day is t's date as the admin pages write it: "3 December 2026", UTC.
func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// clock is t with its time of day as the admin pages write it:
// "3 December 2026, 10:00 UTC".
func clock(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

// zoned is t in loc, named: "24 December 2026, 09:00 Europe/London", or
// clock's "…, 09:00 UTC" when loc is UTC.
func zoned(t time.Time, loc *time.Location) string {
	if loc == nil || loc.String() == "UTC" {
		return clock(t)
	}
	return t.In(loc).Format("2 January 2006, 15:04 ") + loc.String()
}

// A listLabel names one of a campaign's lists on the admin pages: by its
// name, the slug kept for a tooltip. A list deleted since the campaign
// was read shows its slug, said to be deleted, never an empty badge. Sep
// is what goes before it in a sentence: "", ", " or " and " (joined).
type listLabel struct {
	Slug, Name, Sep string
}

// A listIndex is every list by slug, read once for a page that names
// campaigns' lists and their time zones.
type listIndex map[string]*subscribers.List

// listIndex reads every list.
func (s *Server) listIndex(ctx context.Context) (listIndex, error) {
	all, err := s.Subscribers.Lists(ctx)
	if err != nil {
		return nil, err
	}
	x := make(listIndex, len(all))
	for _, l := range all {
		x[l.Slug] = l
	}
	return x, nil
}

// labels names the lists of slugs, in their order, joined for a
// sentence.
func (x listIndex) labels(slugs []string) []listLabel {
	out := make([]listLabel, len(slugs))
	for i, slug := range slugs {
		out[i] = listLabel{Slug: slug, Name: slug + " (deleted list)"}
		if l, ok := x[slug]; ok {
			out[i].Name = l.Name
		}
		switch {
		case i == 0:
		case i == len(slugs)-1:
			out[i].Sep = " and "
		default:
			out[i].Sep = ", "
		}
	}
	return out
}

// zone is the time zone the lists of slugs share, in which an editor
// thinks of their send times; UTC when they have none in common (or no
// list).
func (x listIndex) zone(slugs []string) *time.Location {
	name := ""
	for _, slug := range slugs {
		l, ok := x[slug]
		switch {
		case !ok:
			continue
		case name != "" && l.Timezone != name:
			return time.UTC
		}
		name = l.Timezone
	}
	if loc, err := loadZone(name); err == nil {
		return loc
	}
	return time.UTC
}

// loadZone loads an IANA time zone by name. "Local" is refused, as for a
// list: it is whatever the server's clock says; so is "", which would be
// UTC by accident.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, errors.New("no such zone")
	}
	return time.LoadLocation(name)
}

// campaignForm is the new campaign form and, with an ID, the edit form of
// a draft or scheduled one. SendAt is read in the time zone Zone names;
// an empty Zone is the zone the lists ticked share, else UTC.
type campaignForm struct {
	adminPage
	ID                               int64
	Subject, Preheader, Body, SendAt string
	Zone                             string
	// Kept is the send time stored, in the form's hidden field
	// (keptInstant): Send at saved as shown keeps it, the first of a
	// time that happens twice included, rather than the one reading
	// it again would take. "" on a new campaign's form.
	Kept  string
	Lists []listChoice
	// Zones are suggested in the time zone field: the lists' own first.
	Zones []string
	// Preview is the whole mail as the sample reader gets it, for the
	// preview frames; Audience is how many readers the lists chosen reach.
	Preview  string
	Audience string
	// Suppressed and Confirmed are what the campaign's page says beside
	// its audience (campaignPage's): the confirmed readers of the lists
	// chosen left out for a suppressed address, and them with the
	// audience. Without them "the confirmed readers of the lists ticked"
	// beside a smaller number read as if the lists had fewer.
	Suppressed, Confirmed int
	// BareName is the note on a body that writes the reader's name with
	// no fallback, which the preview's sample reader, who has a name, does
	// not show; nil when it writes none. ArchiveNote is the note on a
	// body that writes the reader's address, which the public archive's
	// copy shows empty, when a list ticked is public.
	BareName    *bareNameNote
	ArchiveNote *archiveNote
	// Dropped says what the body writes that the mail leaves out.
	Dropped *leftOutNote
	// Scheduled is Send at as the campaign's page says it, in its zone
	// with UTC beside it (scheduledAt); "" when Send at is empty or not a
	// time in a zone known.
	Scheduled string
	// Twice is twiceNote of that time: which of the two it is, when the
	// clocks go back past it.
	Twice   string
	Errors  map[string]string
	Message string
	// BodyFaults are the body's reasons, which a save now gives all at
	// once, one a line of Errors["body"]: the form shows one a line.
	BodyFaults []string
	// Unsaved: the form holds what was posted, not what is stored (a
	// preview, or a save refused), so leaving it loses work even before
	// a field changes; its script asks first (admin_campaign_new.html).
	Unsaved bool
	// unread is the campaign of a form whose Send at or time zone was
	// refused, for renderCampaignForm to check the rest of it too
	// (checkRest).
	unread *campaigns.Campaign
}

// Ticked is how many lists the form ticks, for its line on the audience
// to say "list" or "lists, each once".
func (f *campaignForm) Ticked() int {
	n := 0
	for _, l := range f.Lists {
		if l.On {
			n++
		}
	}
	return n
}

func (s *Server) newCampaignPage(w http.ResponseWriter, r *http.Request) {
	s.renderCampaignForm(w, r, http.StatusOK, &campaignForm{Body: "Hello {{ .Name | default \"reader\" }},\n\n"}, nil)
}

// renderCampaignForm shows the form with every list, ticking chosen ones
// (choicesInOrder's boxes), and their time zones first among those
// suggested.
func (s *Server) renderCampaignForm(w http.ResponseWriter, r *http.Request, status int, f *campaignForm, chosen []string) {
	if f.unread != nil {
		if err := s.checkRest(r.Context(), f); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f.Lists, f.Zones = choicesInOrder(lists, chosen), nil
	for _, l := range lists {
		if !slices.Contains(f.Zones, l.Timezone) {
			f.Zones = append(f.Zones, l.Timezone)
		}
	}
	for _, z := range commonZones {
		if !slices.Contains(f.Zones, z) {
			f.Zones = append(f.Zones, z)
		}
	}
	x := make(listIndex, len(lists))
	for _, l := range lists {
		x[l.Slug] = l
	}
	f.Scheduled, f.Twice = formScheduled(f.SendAt, f.Zone, f.Kept, x.zone(chosen))
	f.Unsaved = r.Method == http.MethodPost
	f.Errors = sentences(f.Errors)
	if why := f.Errors["body"]; why != "" {
		f.BodyFaults = strings.Split(why, "\n")
	}
	s.renderAdmin(w, r, status, "admin_campaign_new", f)
}

// choicesInOrder are the campaign form's boxes: the chosen lists first,
// ticked, in the order chosen (the campaign's, or the form's as posted),
// then every other list in the Lists page's order. A browser posts the
// boxes ticked in the order they are shown, which the campaign keeps: a
// reader on several of its lists gets the mail of the first of them. So
// the form saved unchanged keeps the campaign's order, and a list ticked
// goes after those ticked before it was shown. A chosen slug that names
// no list (deleted meanwhile) has no box.
func choicesInOrder(lists []*subscribers.List, chosen []string) []listChoice {
	bySlug := make(map[string]*subscribers.List, len(lists))
	for _, l := range lists {
		bySlug[subscribers.SlugKey(l.Slug)] = l
	}
	out := make([]listChoice, 0, len(lists))
	on := make(map[string]bool, len(chosen))
	for _, slug := range chosen {
		k := subscribers.SlugKey(slug)
		if l := bySlug[k]; l != nil && !on[k] {
			on[k] = true
			out = append(out, listChoice{Slug: l.Slug, Name: l.Name, On: true})
		}
	}
	for _, l := range lists {
		if !on[subscribers.SlugKey(l.Slug)] {
			out = append(out, listChoice{Slug: l.Slug, Name: l.Name})
		}
	}
	return out
}

// formScheduled is the form's Send at, read in zone or, that empty, in
// lists (the zone of the lists ticked), as the campaign's page says it:
// "24 December 2026, 09:00 Europe/Paris (08:00 UTC)", and its twiceNote.
// It is "" for an empty Send at, an unknown zone, or a time that is not
// one: one the clocks skip, which Go would quietly move an hour on, is
// not shown. kept is the time stored (campaignForm.Kept), the one meant
// while Send at is still its time in the zone.
func formScheduled(sendAt, zone, kept string, lists *time.Location) (scheduled, twice string) {
	loc := lists
	if zone != "" {
		chosen, err := loadZone(zone)
		if err != nil {
			return "", ""
		}
		loc = chosen
	}
	t, err := parseLocal(formTime, sendAt, loc)
	if sendAt == "" || err != nil || t.Format(formTime) != sendAt {
		return "", ""
	}
	t = keptOr(t, kept, sendAt, loc)
	return scheduledAt(t, loc), twiceNote(t, loc)
}

// twiceNote says of t, a send time, that its time of day in loc happens
// twice that night, the clocks going back past it, and which of the two
// the campaign goes at: "02:30 happens twice in Europe/Paris that night;
// the campaign goes at the second, 01:30 UTC". A time typed so is read
// as the second (parseLocal); the first is kept when the API gave it, or
// the form is saved as it showed it. ""
// for a time that happens once.
func twiceNote(t time.Time, loc *time.Location) string {
	if loc == nil {
		return ""
	}
	wall := t.In(loc).Format(formTime)
	// The clocks go back by an hour, in a few zones by half of one or
	// by two.
	for _, d := range []time.Duration{-2 * time.Hour, -time.Hour, -30 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
		if t.Add(d).In(loc).Format(formTime) != wall {
			continue
		}
		which := "first"
		if d < 0 {
			which = "second"
		}
		return t.In(loc).Format("15:04") + " happens twice in " + loc.String() + " that night; the campaign goes at the " + which + ", " + t.UTC().Format("15:04 UTC")
	}
	return ""
}

// badZone is the form's reason for a time zone it does not know.
const badZone = `use an IANA time zone name such as "Europe/Paris", "America/New_York" or "UTC" (mind the capitals), or leave it empty for the lists’ own`

// readCampaignForm reads the form of the new and edit pages into f and
// the campaign it describes; ok is false when send_at is not a time in
// the zone chosen (or that zone is unknown), with the errors in f and the
// campaign kept in f.unread, for the form shown again to check the rest.
// send_at is read in the zone send_zone names or, that left empty, in the
// zone of the lists ticked (lists.zone), and kept in UTC with the name of
// that zone, for the pages to show the time as the editor typed it even
// should the lists move to another zone.
func readCampaignForm(r *http.Request, f *campaignForm, lists listIndex) (*campaigns.Campaign, bool) {
	f.Subject, f.Preheader, f.Body, f.SendAt = r.PostForm.Get("subject"), r.PostForm.Get("preheader"), r.PostForm.Get("body"), r.PostForm.Get("send_at")
	f.Zone = strings.TrimSpace(r.PostForm.Get("send_zone"))
	f.Kept = r.PostForm.Get("send_at_kept")
	c := &campaigns.Campaign{Subject: f.Subject, Preheader: f.Preheader, Body: f.Body, Lists: r.PostForm["lists"]}
	if f.SendAt == "" {
		return c, true
	}
	loc := lists.zone(c.Lists)
	var meant *time.Location // the zone a refused name was meant as, if any
	if f.Zone != "" {
		if chosen, err := loadZone(f.Zone); err != nil {
			f.Errors = map[string]string{"send_zone": badZone}
			if fixed := subscribers.ZoneInOtherCase(f.Zone); fixed != "" {
				f.Errors["send_zone"] = subscribers.ZoneProblem(f.Zone)
				meant, _ = loadZone(fixed)
			}
		} else {
			loc = chosen
		}
	}
	t, err := parseLocal(formTime, f.SendAt, loc)
	switch {
	case err != nil:
		f.Errors = mapWith(f.Errors, "send_at", "use a date and time, like 2026-12-01 09:00")
	case f.Errors != nil:
		// The zone is refused, but the time can still be past: in the
		// zone its name was meant as ("europe/paris"), or, for a name
		// that is none, in every zone there is. Said now, with the zone,
		// the editor need not fix one to learn of the other.
		if why := pastInZone(f.SendAt, meant); why != "" {
			f.Errors["send_at"] = why
		}
	case t.In(loc).Format(formTime) != f.SendAt:
		// 02:30 on the night clocks go forward does not exist; Go would
		// quietly take 03:30.
		f.Errors = map[string]string{"send_at": "there is no " + strings.Replace(f.SendAt, "T", " ", 1) + " in " + loc.String() + ": the clocks go forward then; choose another time"}
	}
	if f.Errors != nil {
		f.unread = c
		return c, false
	}
	// Send at as the edit form showed it is the time stored, not the
	// one reading it again takes, which for a time that happens twice
	// is the second.
	t = keptOr(t, f.Kept, f.SendAt, loc).UTC()
	c.SendAt, c.SendZone = &t, loc.String()
	return c, true
}

// pastInZone is the form's reason for a send time, sendAt as typed,
// that is past in loc or, loc nil (a zone name that is none), past in
// every zone, UTC−12 the last to reach it; "" when it is not, or cannot
// be told. Its words are the store's for a past time (Campaign.check).
func pastInZone(sendAt string, loc *time.Location) string {
	const past = "choose a time from now on: this one is in the past"
	if loc != nil {
		t, err := time.ParseInLocation(formTime, sendAt, loc)
		if err == nil && t.Before(time.Now().Add(-time.Minute)) {
			return past
		}
		return ""
	}
	t, err := time.ParseInLocation(formTime, sendAt, time.UTC)
	if err == nil && t.Add(12*time.Hour).Before(time.Now().Add(-time.Minute)) {
		return past + " in every time zone"
	}
	return ""
}

// checkRest adds to f.Errors what saving would refuse in the rest of
// f.unread, a campaign whose send time or zone the form refused: its
// subject, preheader, body and lists. Without it the editor learnt of
// those only once the time was right, one refusal a save. The store
// checks them as a save does (campaigns.Service.Check), writing nothing,
// with no send time: the form's own reasons for the time stand
// (readCampaignForm checks it against now in the zone meant, when it
// can).
func (s *Server) checkRest(ctx context.Context, f *campaignForm) error {
	c := *f.unread
	c.SendAt, c.SendZone = nil, "" // the time's fault is the form's to say
	stored := ""
	if f.ID != 0 {
		saved, err := s.Campaigns.Get(ctx, f.ID)
		if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
			return err
		} else if err == nil {
			stored = saved.Body
		}
		// A campaign gone, or no longer editable, is for the save to say.
	}
	err := s.Campaigns.Check(ctx, &c, stored)
	switch bulletin.ErrorCode(err) {
	case bulletin.EINVALID:
		for field, why := range bulletin.ErrorFields(err) {
			f.Errors = mapWith(f.Errors, field, why)
		}
	case bulletin.EINTERNAL:
		return err
	}
	// The time alone refused is a refused form too, with its summary.
	f.Message = refusedForm
	return nil
}

// mapWith is m with k set to v, made when m is nil.
func mapWith(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
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
	if err == nil {
		f.Suppressed, err = s.Campaigns.ListsSuppressed(r.Context(), c.Lists)
	}
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f.Preview, f.Audience, f.Confirmed = doc, readers(n), n+f.Suppressed
	f.BareName = bareNameNoteOf(c.Body, true)
	f.Dropped = leftOutNoteOf(c.Body, true)
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f.ArchiveNote = s.archiveNoteOf(c.Body, lists, c.Lists, true)
	s.renderCampaignForm(w, r, http.StatusOK, f, c.Lists)
}

// createCampaignForm previews the campaign (the form's Preview button) or
// creates it and shows it.
func (s *Server) createCampaignForm(w http.ResponseWriter, r *http.Request) {
	if s.Campaigns == nil {
		http.NotFound(w, r)
		return
	}
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f := &campaignForm{}
	c, ok := readCampaignForm(r, f, lists)
	chosen := c.Lists
	if !ok {
		s.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, chosen)
		return
	}
	if r.PostForm.Get("action") == "preview" {
		s.previewForm(w, r, f, c)
		return
	}
	// The same form sent again (a double-clicked Save, or Back and Save)
	// leads to the campaign the first made, not to a second one alike.
	made, finish, err := s.repeatedCampaign(r)
	if err != nil {
		s.adminError(w, r, err)
		return
	} else if finish == nil {
		s.redirectWithFlash(w, r, "/admin/campaigns/"+strconv.FormatInt(made, 10), savedFlash(c.SendAt))
		return
	}
	defer func() { finish(made) }()
	if err := s.Campaigns.Schedule(r.Context(), c); bulletin.ErrorCode(err) == bulletin.EINVALID {
		f.Errors, f.Message = bulletin.ErrorFields(err), refusal(err)
		s.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, chosen)
		return
	} else if err != nil {
		s.adminError(w, r, err)
		return
	}
	made = c.ID
	s.redirectWithFlash(w, r, "/admin/campaigns/"+strconv.FormatInt(c.ID, 10), savedFlash(c.SendAt))
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
	// Dropped says what the body writes that the mail leaves out; nil
	// when nothing is.
	Dropped *leftOutNote
	// Progress measures the send against the readers it is for, and
	// Percent is the bar's width (see percent).
	Progress campaigns.Progress
	Percent  int
	// Stalled is what the page says of a sending campaign that has sent
	// nothing for a while (stallNote); "" while it sends.
	Stalled string
	Error   string
	// Errors holds the reasons of the fields the page marks where they
	// are typed: "to", the test form's addresses; To is what was typed
	// there, to correct rather than type again.
	Errors map[string]string
	To     string
	// Tested is the test just sent, said in the banner and beside the
	// test form; TestName: the body writes a personal field, the
	// reader's name or address, which a test mail fills with the
	// preview's sample reader's, not the editor's.
	Tested   *testSent
	TestName bool
	// Outbox: no SMTP server is set, and mail goes to the outbox, not to
	// readers: the page says so by its send and test buttons and its
	// numbers, which would otherwise read as mail sent.
	Outbox bool
	// Nobody is why Send now is not offered: the campaign would reach no
	// one (nobodyWhy), which the send page refuses.
	Nobody string
	// Missed is the time a draft was scheduled for and not sent at, as it
	// would have reached nobody then (missedAt): the page says why it is a
	// draft again, which only the log said.
	Missed string
	// NeverStarted: the campaign was cancelled before sending started.
	// Its page says once that nothing was sent, without the numbers of a
	// send ("0 of 1 sent", "1 reader not sent") or the rates.
	NeverStarted bool
	Editable     bool
	// Deletable offers Delete…: a draft, a scheduled campaign, or one
	// cancelled before it sent anything (campaigns.Campaign.Deletable).
	Deletable bool
	Audience  string // "2,314 readers"
	// Suppressed is how many confirmed readers of a draft's or scheduled
	// campaign's lists it leaves out for a suppressed address, which the
	// page says beside its audience; Confirmed is them and its audience.
	Suppressed, Confirmed int
	Rates                 feedbackRates
	// NothingSent is what the page says in place of the rates while none
	// of the campaign's mail has left (sent or bounced): nothingSent.
	NothingSent string
	// BareName is the note on a body that writes the reader's name with
	// no fallback (bareNameNoteOf); nil when it writes none. ArchiveNote
	// is the note on one that writes the reader's address, shown empty
	// in the public archive (notedArchive).
	BareName    *bareNameNote
	ArchiveNote *archiveNote
	// Lists names the campaign's lists. Scheduled is when a scheduled
	// campaign goes out, in the zone it was scheduled in (else its lists')
	// with UTC beside it; When is when sending started and, once the store
	// knows, finished or was cancelled.
	Lists     []listLabel
	Scheduled string
	// Twice says which of the two 02:30s a time the clocks go back past
	// is (twiceNote); "" for a time that happens once.
	Twice string
	When  []moment
	// Archived: the public archive shows the campaign (/archive/{id}).
	// ArchiveServed: this server has a public archive at all.
	Archived, ArchiveServed bool
}

// A moment is one step of a campaign's send as its page says it:
// "Sending started" at "3 December 2026, 10:00 UTC"; ISO is the same
// time for the <time> element, After words that follow it.
type moment struct{ Label, Text, ISO, After string }

// momentOf is t labelled, written out in full in loc or, on the day of
// since there, by its time of day, the zone named either way.
func momentOf(label string, t time.Time, since *time.Time, loc *time.Location) moment {
	if loc == nil {
		loc = time.UTC
	}
	m := moment{Label: label, Text: zoned(t, loc), ISO: t.UTC().Format(time.RFC3339)}
	if since != nil && since.In(loc).Format(time.DateOnly) == t.In(loc).Format(time.DateOnly) {
		m.Label, m.Text = label+" at", t.In(loc).Format("15:04 ")+loc.String()
	}
	return m
}

// whenOf is what the store knows of when c was sent: when its sending
// started, and when it finished or was cancelled (a campaign cancelled
// while scheduled has no start), said in loc, the zone of its send time.
func whenOf(c *campaigns.Campaign, loc *time.Location) []moment {
	var out []moment
	if c.StartedAt != nil {
		out = append(out, momentOf("Sending started", *c.StartedAt, nil, loc))
	}
	if c.FinishedAt == nil || (c.Status != campaigns.StatusSent && c.Status != campaigns.StatusCancelled) {
		return out
	}
	label := "finished"
	if c.Status == campaigns.StatusCancelled {
		label = "cancelled"
	}
	if c.StartedAt == nil {
		m := momentOf("Cancelled", *c.FinishedAt, nil, loc)
		m.After = ", before sending started: nothing was sent"
		return append(out, m)
	}
	return append(out, momentOf(label, *c.FinishedAt, c.StartedAt, loc))
}

// nothingSent is why c has no bounce or complaint rates when none of its
// mail has left, as true of its status: said of a campaign cancelled or
// finished without sending, "nothing has been sent yet" promised mail
// that will never go. A draft's or a scheduled campaign's page shows no
// rates at all.
func nothingSent(c *campaigns.Campaign) string {
	switch {
	case c.Status == campaigns.StatusCancelled:
		return "Cancelled before any mail went out: nothing was sent."
	case c.Status == campaigns.StatusSent && c.Stats.Total == 0:
		return "No bounces or complaints: it finished with no reader to send to, so nothing was sent."
	case c.Status == campaigns.StatusSent:
		return "No bounces or complaints: it finished without sending any mail, as every message failed or was skipped."
	}
	return "No bounces or complaints: nothing has been sent yet." // sending or paused
}

// scheduledAt is a scheduled campaign's time t in loc (the zone it was
// scheduled in, else its lists') with UTC beside it: "24 December 2026,
// 09:00 Europe/London (09:00 UTC)", the date given twice only when the
// two differ.
func scheduledAt(t time.Time, loc *time.Location) string {
	local := zoned(t, loc)
	if local == clock(t) {
		return local
	}
	utc := t.UTC().Format("15:04 UTC")
	if day(t) != t.In(loc).Format("2 January 2006") {
		utc = clock(t)
	}
	return local + " (" + utc + ")"
}

// fill marks the Digests tab, not Campaigns, on a digest's page: that is
// where "Send now" on /admin/digests comes from and where it leads back.
func (p *campaignPage) fill(r *http.Request) {
	p.adminPage.fill(r)
	if p.Tested != nil {
		p.Flash = p.Tested.banner()
	}
	if !p.Digest {
		return
	}
	for i := range p.Nav {
		p.Nav[i].On = p.Nav[i].Href == "/admin/digests"
	}
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	p := &campaignPage{}
	if id, err := parseID(r.PathValue("id")); err == nil {
		fillTestForm(r, p, id)
	}
	s.renderCampaignPage(w, r, http.StatusOK, p)
}

// renderCampaign shows the {id} campaign with msg, a refusal, and its
// test form's To field filled as campaignPage fills it: an editor refused
// a send or an edit often turns to a test next.
func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := &campaignPage{Error: msg}
	if sess := sessionFrom(r.Context()); sess != nil {
		p.To = sess.Email
	}
	s.renderCampaignPage(w, r, status, p)
}

// renderCampaignPage shows the {id} campaign with p's error, marked fields
// and typed addresses; it fills in the rest of p.
func (s *Server) renderCampaignPage(w http.ResponseWriter, r *http.Request, status int, p *campaignPage) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	c := e.Campaign
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Lists, p.When = lists.labels(c.Lists), whenOf(c, c.SendLocation(lists.zone(c.Lists)))
	if c.Status == campaigns.StatusScheduled && c.SendAt != nil {
		loc := c.SendLocation(lists.zone(c.Lists))
		p.Scheduled, p.Twice = scheduledAt(*c.SendAt, loc), twiceNote(*c.SendAt, loc)
	}
	p.Missed, p.NeverStarted = missedAt(c, lists.zone(c.Lists)), e.Kind == "campaign" && c.NeverStarted()
	p.Progress = c.Progress()
	p.C, p.Digest, p.Percent = c, e.Kind == "digest", percent(p.Progress)
	p.Editable, p.Audience, p.Rates = c.Status == campaigns.StatusDraft || c.Status == campaigns.StatusScheduled, readers(c.Audience), ratesOf(c.Stats)
	p.NothingSent = nothingSent(c)
	if p.Stalled, err = s.campaignStall(r, c); err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Deletable = !p.Digest && c.Deletable()
	if !p.Digest {
		p.BareName = bareNameNoteOf(c.Body, p.Editable)
	}
	p.TestName = !p.Digest && campaigns.WritesPersonalField(c.Body)
	p.Outbox = s.campaignsToOutbox()
	if p.Editable && !p.Digest {
		if p.Suppressed, err = s.Campaigns.SuppressedAudience(r.Context(), c.ID); err != nil {
			s.adminError(w, r, err)
			return
		}
		p.Confirmed = c.Audience + p.Suppressed
	}
	if p.Editable && !p.Digest && c.Audience == 0 {
		p.Nobody = nobodyWhy(c, p.Suppressed)
	}
	if p.ArchiveServed = s.Archive != nil && servesGET(s.mux, "/archive"); p.ArchiveServed {
		if p.Archived, err = s.Archive.InArchive(r.Context(), c.ID); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	if !p.Digest { // a digest's page links to its archive copy instead
		doc, err := s.Campaigns.PreviewMail(r.Context(), c.ID, campaigns.SampleReader)
		if code := bulletin.ErrorCode(err); code == bulletin.EINTERNAL {
			s.adminError(w, r, err)
			return
		} else if code != "" {
			doc = "<p>The mail does not render: " + template.HTMLEscapeString(bulletin.ErrorMessage(err)) + "</p>"
		}
		p.Preview = doc
		p.Dropped = leftOutNoteOf(c.Body, p.Editable)
		p.ArchiveNote = s.notedArchive(c, lists, p.Editable, p.Archived)
	}
	p.Errors = sentences(p.Errors)
	s.renderAdmin(w, r, status, "admin_campaign", p)
}

// A bareNameNote tells the editor what readers without a name read where
// the body writes {{ .Name }} with no fallback. It quotes the body's first
// such line as the preview shows it (Named, for Ada Reader) and as they
// get it (Nameless, "" when the line is left out), with its number, so
// that the note is about this mail, not a made-up one. Line is 0 when no
// one line shows it (the name is inside a block that spans lines): the
// note then gives examples. Editable says whether the body can still be
// changed, which decides the fix the note offers.
type bareNameNote struct {
	Line            int
	Named, Nameless string
	// Others names the body's other lines that write the name with no
	// fallback ("7", "7 and 12", "7, 9 and 12"), "" for none, and
	// OthersCount counts them: a note on the first line alone let an
	// editor fix it and miss the rest.
	Others      string
	OthersCount int
	Editable    bool
}

// bareNameNoteOf is body's note on its bare name, nil when it writes none.
func bareNameNoteOf(body string, editable bool) *bareNameNote {
	if !campaigns.NameWithoutFallback(body) {
		return nil
	}
	note := &bareNameNote{Editable: editable}
	var others []string
	for i, line := range strings.Split(body, "\n") {
		if !campaigns.NameWithoutFallback(line) {
			continue
		}
		_, named, err := campaigns.RenderFor(line, campaigns.SampleReader)
		if err != nil {
			continue
		}
		anonymous := campaigns.SampleReader
		anonymous.Name = ""
		_, nameless, err := campaigns.RenderFor(line, anonymous)
		if err != nil {
			continue
		}
		if note.Line != 0 {
			others = append(others, strconv.Itoa(i+1))
			continue
		}
		note.Line, note.Named, note.Nameless = i+1, firstLine(named), firstLine(nameless)
	}
	note.OthersCount = len(others)
	switch n := len(others); {
	case n == 1:
		note.Others = others[0]
	case n > 1:
		note.Others = strings.Join(others[:n-1], ", ") + " and " + others[n-1]
	}
	return note
}

// firstLine is the first line of a rendered text, cut short for a note:
// a heading's text comes without the line of "=" under it.
func firstLine(text string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return shorten(strings.TrimSpace(first), 120)
}

// A leftOutNote is the note above a campaign's preview, on its page and
// its form, naming what its body writes that the mail leaves out
// (campaigns.Dropped): Items, as many as maxDropped, More counting the
// rest; Editable adds how to write them instead.
type leftOutNote struct {
	Items    []campaigns.DroppedItem
	More     int
	Editable bool
}

// maxDropped is how many things left out of its mail the note names; a
// longer list would bury the preview it is about.
const maxDropped = 8

// leftOutNoteOf is body's note, nil when its mail leaves nothing out.
func leftOutNoteOf(body string, editable bool) *leftOutNote {
	items := campaigns.Dropped(body)
	if len(items) == 0 {
		return nil
	}
	n := &leftOutNote{Items: items, Editable: editable}
	if len(items) > maxDropped {
		n.Items, n.More = items[:maxDropped], len(items)-maxDropped
	}
	return n
}

// adminCampaign loads the {id} campaign or digest, answering 404 itself.
func (s *Server) adminCampaign(w http.ResponseWriter, r *http.Request) (campaigns.Entry, bool) {
	id, err := parseID(r.PathValue("id"))
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
	id, err := parseID(r.PathValue("id"))
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
		// The addresses are checked here first, every one at fault named
		// (checkTestAddresses); TestSend names the first.
		p.To = r.PostForm.Get("to")
		to := testAddresses(p.To)
		if err = checkTestAddresses(to); err == nil {
			var sent, left []string
			sent, left, err = s.testSendEach(r.Context(), id, to)
			if code := bulletin.ErrorCode(err); len(sent) > 0 && (code == bulletin.EINVALID || code == bulletin.EMAILSERVER) {
				s.partlyTested(w, r, p, sent, left, err)
				return
			}
		}
		if err == nil {
			s.redirectWithFlash(w, r, s.testSentURL(r, id, to), "test-sent")
			return
		}
	case action == "send" && !s.sendConfirmed(w, r, id):
		return
	case ok:
		_, err = step(r.Context(), id)
		flash = map[string]string{"send": "sending", "pause": "paused", "resume": "resumed", "cancel": "cancelled"}[action]
	default:
		http.NotFound(w, r)
		return
	}
	if code := bulletin.ErrorCode(err); code == bulletin.EINTERNAL || code == bulletin.EUNAVAILABLE {
		s.adminError(w, r, err) // a full disk's page (adminUnavailable), not the campaign's with its sentence
		return
	} else if code != "" {
		refused := refusedForm
		if action == "test" {
			refused = refusedTest
		}
		p.Error, p.Errors = campaignError("", refused, err, "to")
		s.renderCampaignPage(w, r, statusOf[code], p)
		return
	}
	s.redirectWithFlash(w, r, "/admin/campaigns/"+strconv.FormatInt(id, 10), flash)
}

// campaignError is what the campaign page says of err: prefix, its
// message, then "field: why." for each field the page has no slot for, in
// the order of the fields' names, since a summary alone leaves the editor
// guessing which. The reasons of the fields named in slots come back
// apart, for the page to show where those are typed. A validation error's
// summary is refused (the admin forms' refusedForm, or refusedTest for a
// test send) when a field is marked below, and no summary but the reasons
// when none is.
func campaignError(prefix, refused string, err error, slots ...string) (string, map[string]string) {
	fields := bulletin.ErrorFields(err)
	var marked map[string]string
	var rest []string
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		switch why := fields[field]; {
		case slices.Contains(slots, field):
			if marked == nil {
				marked = map[string]string{}
			}
			marked[field] = why
		case field == "":
			rest = append(rest, asSentence(why))
		default:
			rest = append(rest, asSentence(field+": "+why))
		}
	}
	msg := bulletin.ErrorMessage(err)
	if bulletin.ErrorCode(err) == bulletin.EINVALID && len(fields) > 0 {
		msg = ""
		if marked != nil {
			msg = refused
		}
	}
	if msg != "" {
		rest = append([]string{msg}, rest...)
	}
	return prefix + strings.Join(rest, " "), marked
}
