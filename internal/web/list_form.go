package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/subscribers"
)

// welcomeRenders is the check a list's welcome text passes to be saved
// (subscribers.WelcomeCheck): it must render as the welcome mail renders
// it when a reader confirms (campaigns.Render, as HandleWelcome calls
// it), with full URLs in its links and images, or it is refused with the
// reasons and lines a campaign's body is, every one at once, rather than
// dropped at every confirmation with a line in the log.
func welcomeRenders(markdown string) error {
	return campaigns.CheckBody(markdown)
}

// listPatchFromForm reads the admin's list form: every field is sent, so
// every field is set, and an unticked "public" box makes the list private.
// The tracking settings are set when the form has them, so a form of an
// older page leaves them as they are. The API's JSON decodes into the
// same subscribers.ListPatch.
func listPatchFromForm(r *http.Request) *subscribers.ListPatch {
	f := r.PostForm
	str := func(name string) *string { v := f.Get(name); return &v }
	public := f.Get("public") != ""
	hour, err := strconv.Atoi(strings.TrimSpace(f.Get("digest_hour")))
	if err != nil {
		hour = -1 // refused by Validate with the reason
	}
	p := &subscribers.ListPatch{
		Slug: str("slug"), Name: str("name"), Description: str("description"), Public: &public,
		Digest: str("digest"), DigestHour: &hour, DigestWeekday: str("digest_weekday"), Timezone: str("timezone"),
		From: str("from"), ReplyTo: str("reply_to"), Welcome: str("welcome"),
	}
	if f.Has("tracking") {
		opens := f.Get("opens") != ""
		p.Tracking, p.Opens = str("tracking"), &opens
	}
	return p
}

// A listFormPage is the lists page (with the new-list form) or one list's
// edit page.
type listFormPage struct {
	adminPage
	Lists   []*subscribers.List // on the lists page
	List    *subscribers.List   // the form's values
	Slug    string              // the stored slug, "" for a new list
	Errors  map[string]string   // by field
	Error   string
	Choices listChoices
	// Readers are the lists' readers on the lists page, by list id.
	Readers map[int64]subscribers.ListReaders
	// Name is the stored name of the list whose page this is, for its
	// heading and title: the form's may have been emptied.
	Name string
	// SlugLeftEmpty marks a refused new list whose slug was left empty,
	// to be made from the name: the form shows it empty again, so that
	// the slug is made from the name as it is when next sent. MadeSlug is
	// the one made from the name refused, "" when none could be.
	SlugLeftEmpty bool
	MadeSlug      string
	// SignupLink is the full address of the signup form with this list
	// ticked, for the publisher to paste on their site; "" for a new list
	// and for a private one, which the form does not offer.
	SignupLink string
}

// ZoneWarning says why the list's time zone, a fixed offset saved before
// those were refused ("EST"), misses its place's summer time, for its
// field to say so; "" for a place name or UTC, or when the field is
// refused anyway. Such a list keeps its zone until an editor changes it.
func (p *listFormPage) ZoneWarning() string {
	if p.List == nil || p.Errors["timezone"] != "" {
		return ""
	}
	return subscribers.FixedZoneProblem(p.List.Timezone)
}

// WelcomeFaults are the reasons the welcome field was refused, one a line
// as subscribers gives them, for the form to show each on a line of its
// own; nil when it was not.
func (p *listFormPage) WelcomeFaults() []string {
	if p.Errors["welcome"] == "" {
		return nil
	}
	return strings.Split(p.Errors["welcome"], "\n")
}

// listChoices are the options of the list form's fields.
type listChoices struct {
	Digests  []string
	Tracking []struct{ Value, Label string }
	Hours    []int
	Weekdays []struct{ Value, Label string }
	Zones    []string
}

// commonZones are suggested in the time zone field; any IANA name works.
var commonZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw",
	"Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos", "Africa/Johannesburg",
	"Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
	"Australia/Sydney", "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York", "America/Chicago",
	"America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
	"America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
}

func newListChoices() listChoices {
	c := listChoices{Digests: []string{"off", "daily", "weekly"}, Zones: commonZones}
	c.Tracking = []struct{ Value, Label string }{
		{subscribers.TrackingAnonymous, "anonymous: count clicks"},
		{subscribers.TrackingOn, "on: clicks by reader"},
		{subscribers.TrackingOff, "off: links untouched"},
	}
	for h := range 24 {
		c.Hours = append(c.Hours, h)
	}
	for _, d := range subscribers.Weekdays {
		c.Weekdays = append(c.Weekdays, struct{ Value, Label string }{d, strings.ToUpper(d[:1]) + d[1:]})
	}
	return c
}

// renderListForm shows page (the lists page when page.Slug is "", else
// the edit page) with err explained: a bad field next to it (422), a
// conflict above the form (409), an unknown list as a 404 and anything
// else as a 500.
func (s *Server) renderListForm(w http.ResponseWriter, r *http.Request, p *listFormPage, err error) {
	p.Choices = newListChoices()
	name := "admin_list"
	if p.Slug == "" {
		name = "admin_lists"
		lists, lerr := s.Subscribers.Lists(r.Context())
		if lerr != nil {
			s.adminError(w, r, lerr)
			return
		}
		p.Lists = lists
		if p.Readers, lerr = s.Subscribers.ReadersByList(r.Context()); lerr != nil {
			s.adminError(w, r, lerr)
			return
		}
	} else if p.List != nil && p.List.Public {
		p.SignupLink = s.publicURL(r) + "/subscribe?list=" + url.QueryEscape(p.Slug)
	}
	status := http.StatusOK
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.EINVALID:
		status, p.Errors = http.StatusUnprocessableEntity, bulletin.ErrorFields(err)
		if p.Errors["slug"] != "" && p.List != nil {
			p.explainSlug()
		}
		switch {
		case p.Errors["confirm"] != "": // the delete form's box
			p.Error = "The list was not deleted: tick the box below to confirm."
		default:
			p.Error = refusedForm
		}
	case bulletin.ECONFLICT:
		status, p.Error = http.StatusConflict, bulletin.ErrorMessage(err)
	case bulletin.ENOTFOUND:
		http.NotFound(w, r)
		return
	default:
		s.adminError(w, r, err)
		return
	}
	p.Errors = sentences(p.Errors) // a stored welcome's too (listPage)
	s.renderAdmin(w, r, status, name, p)
}

// explainSlug words the slug's error of a refused form. A slug left empty
// on a new list was made from its name (createListForm): its error says
// why none was made, or that the one made is another list's; while the
// name has a fault of its own, the slug is made again once it is fixed
// and has nothing to say yet.
func (p *listFormPage) explainSlug() {
	if !p.SlugLeftEmpty {
		p.Errors["slug"] += slugSuggestion(p.List.Slug)
		return
	}
	madeSlugFault(p.Errors, p.List.Name, p.MadeSlug)
}

// madeSlugFault words fields["slug"], the slug's fault of a new list whose
// slug was left out and made from its name (SlugFor gave made): why none
// was made, or that the one made is another list's. While the name has a
// fault of its own, the slug has nothing to say: it is made again once the
// name is fixed. The admin's new-list form and the API word it alike.
func madeSlugFault(fields map[string]string, name, made string) {
	switch {
	case fields["name"] != "":
		delete(fields, "slug")
	case made == "":
		setOrDelete(fields, "slug", subscribers.NoSlugFrom(name))
	case fields["slug"] != "":
		fields["slug"] = "the slug made from the name, “" + made + "”, is another list's: type another slug, or change the name"
	}
}

// slugSuggestion is ", like “the-weekly”", the slug made from typed, a
// slug refused, for its error to end with; "" when nothing can be made
// from it or it is no different.
func slugSuggestion(typed string) string {
	if like := subscribers.SlugFor(typed); like != "" && like != typed {
		return ", like “" + like + "”"
	}
	return ""
}

// setOrDelete sets fields[name] to why, or deletes it when why is "".
func setOrDelete(fields map[string]string, name, why string) {
	if why == "" {
		delete(fields, name)
		return
	}
	fields[name] = why
}
