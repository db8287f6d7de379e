package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A feedForm is the admin's add-feed form; the API's JSON has the same
// two fields.
type feedForm struct {
	URL, List string
}

// feedFormFrom reads the add-feed form.
func feedFormFrom(r *http.Request) feedForm {
	return feedForm{URL: strings.TrimSpace(r.PostForm.Get("url")), List: r.PostForm.Get("list")}
}

// A feedsPage is the feeds page: every feed with its last poll, and the
// add-feed form.
type feedsPage struct {
	adminPage
	Feeds []*articles.Feed
	Next  int64 // the after of the next page, 0 on the last
	Lists []*subscribers.List
	// Groups are the form's lists by their digest schedule: a feed's
	// items reach readers only through a list's digest, so the choice of
	// list is a choice of schedule, or of none.
	Groups []listGroup
	// Digests is each list's schedule by slug, for the feeds' rows.
	Digests map[string]listDigest
	Form    feedForm
	Errors  map[string]string // by field
	Error   string
	// Warning is a banner for news that is not good: the flash of a
	// poll that failed, which the layout would show as a success.
	Warning string
	// NoDigest is the list, which sends no digest, of the feed just
	// added (feedAddedCookie); nil otherwise.
	NoDigest *subscribers.List
	// added is the feed just added, from feedAddedCookie; 0 for none.
	added int64
	// known is that feed, when found: the flash of one that was there
	// already names it, as two rows may look alike (a duplicate that
	// migration 098 left, Feed.DuplicateOf).
	known *articles.Feed
}

// warningFlashes are the feeds' flashes that report a failure.
var warningFlashes = map[string]bool{"feed-failed": true, "feed-resume-failed": true, "feed-poll-failed": true}

// fill fills the shared part, and moves a failure's flash to Warning.
func (p *feedsPage) fill(r *http.Request) {
	p.adminPage.fill(r)
	if flashFrom(r) == "feed-known" && p.known != nil {
		p.Flash = fmt.Sprintf("That feed was here already: %s (#%d), see it below.", p.known.URL, p.known.ID)
	}
	if warningFlashes[flashFrom(r)] {
		p.Warning, p.Flash = p.Flash, ""
	}
}

// A listGroup is the lists of one digest schedule, in the form's menu.
type listGroup struct {
	Label string
	Lists []*subscribers.List
}

// A listDigest is a list's digest schedule in words.
type listDigest struct {
	On   bool
	Text string // "daily at 07:00 Europe/London", "no digest"
	Name string // the list's name, which the feeds' rows show
}

// digestOf is l's digest schedule in words.
func digestOf(l *subscribers.List) listDigest {
	at := fmt.Sprintf("at %02d:00 %s", l.DigestHour, l.Timezone)
	switch l.Digest {
	case "daily":
		return listDigest{On: true, Text: "daily " + at}
	case "weekly":
		day := l.DigestWeekday // "saturday", never empty on a weekly list
		if day != "" {
			day = strings.ToUpper(day[:1]) + day[1:]
		}
		return listDigest{On: true, Text: "weekly on " + day + " " + at}
	}
	return listDigest{Text: "no digest"}
}

// listGroups groups lists by their digest schedule, those with a digest
// first, each group in the lists' order.
func listGroups(lists []*subscribers.List) []listGroup {
	var on []listGroup
	var off listGroup
	index := map[string]int{}
	for _, l := range lists {
		d := digestOf(l)
		if !d.On {
			off.Lists = append(off.Lists, l)
			continue
		}
		i, ok := index[d.Text]
		if !ok {
			i = len(on)
			index[d.Text] = i
			on = append(on, listGroup{Label: "Digest " + d.Text})
		}
		on[i].Lists = append(on[i].Lists, l)
	}
	if len(off.Lists) > 0 {
		off.Label = "No digest: items not mailed"
		on = append(on, off)
	}
	return on
}

// defaultList is the list the form offers first: the first that sends a
// digest, as a feed on a list without one brings articles nobody is
// mailed; "" (the menu's first) when none does.
func defaultList(lists []*subscribers.List) string {
	for _, l := range lists {
		if digestOf(l).On {
			return l.Slug
		}
	}
	return ""
}

// feedAddedCookie names the feed the add form just added, for the feeds
// page it redirects to: the page says when the feed's list sends no
// digest, with a link to turn it on. A flash is a fixed text, so the
// feed is named here.
const feedAddedCookie = "bulletin_feed_added"

// rememberAdded sets feedAddedCookie to feed id, for the feeds page alone
// and for a few minutes.
func (s *Server) rememberAdded(w http.ResponseWriter, r *http.Request, id int64) {
	http.SetCookie(w, &http.Cookie{Name: feedAddedCookie, Value: strconv.FormatInt(id, 10), Path: "/admin/feeds", MaxAge: 300,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// takeAdded reads and clears feedAddedCookie: the feed id it names, or 0.
// Only the page the add form redirects to (with its flash) uses it.
func (s *Server) takeAdded(w http.ResponseWriter, r *http.Request) int64 {
	c, err := r.Cookie(feedAddedCookie)
	if err != nil {
		return 0
	}
	http.SetCookie(w, &http.Cookie{Name: feedAddedCookie, Path: "/admin/feeds", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
	switch flashFrom(r) {
	case "feed-added", "feed-failed", "feed-known":
		id, _ := strconv.ParseInt(c.Value, 10, 64)
		return max(id, 0)
	}
	return 0
}

// renderFeeds shows the feeds page from after on, with err explained: a
// bad field next to it (422), anything else as a 500.
func (s *Server) renderFeeds(w http.ResponseWriter, r *http.Request, after int64, p *feedsPage, err error) {
	feeds, next, ferr := s.Feeds.List(r.Context(), after, 0)
	if ferr != nil {
		s.adminError(w, r, ferr)
		return
	}
	lists, lerr := s.Subscribers.Lists(r.Context())
	if lerr != nil {
		s.adminError(w, r, lerr)
		return
	}
	p.Feeds, p.Next, p.Lists, p.Groups = feeds, next, lists, listGroups(lists)
	p.Digests = make(map[string]listDigest, len(lists))
	for _, l := range lists {
		d := digestOf(l)
		d.Name = l.Name
		p.Digests[l.Slug] = d
	}
	if p.Form.List == "" {
		p.Form.List = defaultList(lists)
	}
	if p.added != 0 {
		if fd, err := s.Feeds.Get(r.Context(), p.added); err == nil {
			p.known, p.NoDigest = fd, noDigestList(fd, lists)
		}
	}
	status := http.StatusOK
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.EINVALID:
		status, p.Errors, p.Error = http.StatusUnprocessableEntity, sentences(bulletin.ErrorFields(err)), refusedForm
	default:
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_feeds", p)
}

// noDigestList is the list of feed fd, among lists, when it sends no
// digest; nil when it sends one.
func noDigestList(fd *articles.Feed, lists []*subscribers.List) *subscribers.List {
	for _, l := range lists {
		if l.Slug == fd.List && !digestOf(l).On {
			return l
		}
	}
	return nil
}
