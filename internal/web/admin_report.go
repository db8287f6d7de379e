package web

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// campaignReportPage is the admin's report of one campaign or digest.
type campaignReportPage struct {
	adminPage
	R         *tracking.CampaignReport
	ClickRate string
	// Time, Opens and Links are the charts; Opens is empty when the
	// campaign counted no open.
	Time, Opens, Links template.HTML
	Series             []seriesRow
	// Addresses are R.Links as the table of links shows them; Masthead
	// says what the masthead's link among them is (mastheadNote).
	Addresses []linkRow
	Masthead  string
	// OpensUncounted is true for a sent campaign whose lists do not count
	// opens (or no longer do): its mail had no open pixel, so "0 opens"
	// would read as nobody having opened it. It is false for one
	// cancelled before any of its mail went out: there was no mail.
	OpensUncounted bool
	// Outbox: no SMTP server is set, so the campaign's messages were
	// written to the outbox and reached no reader. The campaign's page
	// says so from the same setting; its report then calls them written
	// to the outbox, not "delivered", so the two pages do not disagree.
	Outbox bool
	// Quiet: nobody clicked or opened it yet. The page says so once, in
	// place of the charts and table over time, which would only repeat it:
	// QuietSays, as true of the campaign's state (quietSays).
	Quiet     bool
	QuietSays string
	// NeverSent: the campaign was cancelled before any of its mail went
	// out. The page says so where it said "Not sent yet", which promised
	// a send that will never come.
	NeverSent bool
	// Untracked: the campaign's clicks are not counted (it went out
	// untracked, or its lists stopped tracking since). "Count opens" on a
	// list counts nothing while its click tracking is off, which the hint
	// beside uncounted opens then says.
	Untracked bool
}

// A linkRow is a tracked link with its address as shown: without
// "https://", which every web address but the rare unencrypted one
// starts with, so that the two lines an address is given on a phone
// show more of what tells the links apart. Other schemes (http:,
// mailto:) stay in sight. The link and its title keep the whole address.
type linkRow struct {
	tracking.LinkReport
	Shown string
	// Masthead marks the address the mail's masthead (the publication's
	// name or logo at its top) leads to, which the editor did not write
	// in the body: its clicks are of that link, and of any in the body to
	// the same address (a link is counted by its address).
	Masthead bool
}

// mastheadNote is what the table of links says of the masthead's link:
// the logo when one is set (the masthead then shows it in place of the
// name), else the publication's name. It is the masthead of now: a logo
// set since the mail went out is not in it.
func mastheadNote(logo bool) string {
	if logo {
		return "the publication’s logo at the top of the mail, and any other link to this address"
	}
	return "the publication’s name at the top of the mail, and any other link to this address"
}

// sameAddress reports whether two web addresses are the same but for a
// trailing slash, as the masthead's link and a tracked one may differ.
func sameAddress(a, b string) bool {
	return a != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// A seriesRow is a bucket of the series as the page's table shows it:
// At is its start for the <time> element.
type seriesRow struct {
	Label, At     string
	Clicks, Opens int
}

// campaignReportPage shows a campaign's report.
func (s *Server) campaignReportPage(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.adminCampaignReport(w, r)
	if !ok {
		return
	}
	p := &campaignReportPage{R: rep, ClickRate: percentOf(rep.ClickRate), Outbox: s.campaignsToOutbox(), Quiet: rep.Clicks == 0 && rep.Opens == 0}
	st, err := s.reportState(r.Context(), rep)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.NeverSent = st.status == campaigns.StatusCancelled && !st.out
	p.OpensUncounted = rep.StartedAt != nil && s.TrackDeps.Links != nil && !st.opens && !p.NeverSent
	p.QuietSays = quietSays(rep, st)
	p.Untracked = rep.StartedAt != nil && !st.clicks
	for _, b := range rep.Series {
		p.Series = append(p.Series, seriesRow{Label: bucketLabel(b), At: bucketTime(b), Clicks: b.Clicks, Opens: b.Opens})
	}
	var links []rankItem
	if rep.Articles != nil {
		for _, a := range rep.Articles {
			links = append(links, rankItem{Label: a.Title, Value: a.Clicks})
		}
	} else {
		for _, l := range rep.Links {
			links = append(links, rankItem{Label: l.URL, Value: l.Clicks})
		}
	}
	var home string
	p.Masthead = mastheadNote(false)
	if s.Settings != nil {
		b := s.brand()
		home, p.Masthead = b.HomeURL(), mastheadNote(b.LogoURL != "")
	}
	for _, l := range rep.Links {
		p.Addresses = append(p.Addresses, linkRow{LinkReport: l, Shown: shownAddress(l.URL), Masthead: sameAddress(l.URL, home)})
	}
	per := "link"
	if rep.Articles != nil {
		per = "article"
	}
	axis := chartSeries(rep.Series, time.Now())
	// A chart of no clicks drew an empty frame with "No clicks yet" in it,
	// beside the table's "No clicks or opens yet": the page leaves such
	// charts out and says it once (Quiet), and the table of links shows
	// each link's 0.
	charts := map[*template.HTML]*chart{}
	if !p.Quiet {
		charts[&p.Time] = seriesChart(axis, "People's clicks by hour for the first 48 hours, then by day: "+prose.Count(rep.Clicks, "click", "clicks")+" in all", "click", "clicks",
			func(b tracking.Bucket) int { return b.Clicks })
	}
	if rep.Clicks > 0 {
		charts[&p.Links] = rankChart("People's clicks per "+per+", the most clicked first", links)
	}
	if rep.Opens > 0 {
		charts[&p.Opens] = seriesChart(axis, "People's opens by hour for the first 48 hours, then by day: "+prose.Count(rep.Opens, "open", "opens")+" in all", "open", "opens",
			func(b tracking.Bucket) int { return b.Opens })
	}
	for out, c := range charts {
		svg, err := c.render()
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		*out = svg
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_report", p)
}

// A reportState is what the report needs of a campaign beyond its
// figures to say what they mean: its status ("" when this server has no
// campaigns to ask), whether any of its mail went out (sent, or sent and
// bounced since), and whether its clicks and opens are still counted.
type reportState struct {
	status        string
	out           bool
	clicks, opens bool
}

// reportState reads rep's campaign's state. Clicks and opens are counted
// as the redirect and the open pixel decide (tracking.Links): clicks while
// the campaign and its lists are tracked, opens while its mail carried the
// pixel and every list still counts them, a list that stops counting them
// stopping their recording too. A server that records nothing (no Links)
// is judged by the mode the campaign was sent with, and its opens are not
// said to be uncounted. A campaign not sent yet is said to count both: the
// report names the tracking it will be sent with.
func (s *Server) reportState(ctx context.Context, rep *tracking.CampaignReport) (reportState, error) {
	st := reportState{out: rep.Delivered > 0, clicks: rep.Tracking != tracking.Off, opens: true}
	if s.Campaigns != nil {
		e, err := s.Campaigns.Entry(ctx, rep.ID)
		if err != nil {
			return st, err
		}
		st.status, st.out = e.Status, e.Stats.Sent+e.Stats.Bounced > 0
	}
	if rep.StartedAt == nil {
		st.clicks = true
		return st, nil
	}
	if s.TrackDeps.Links == nil {
		return st, nil
	}
	c, err := s.TrackDeps.Links.Campaign(ctx, rep.ID)
	if err != nil {
		return st, err
	}
	st.clicks, st.opens = c.Tracking != tracking.Off, c.Opens
	return st, nil
}

// quietSays is what the report of a campaign nobody clicked or opened
// says in place of its charts. "No clicks or opens yet." is true only of
// one whose mail went out, or is going out, with both counted: said of a
// campaign sent untracked, or never sent, it promised clicks and opens
// that cannot come.
func quietSays(rep *tracking.CampaignReport, st reportState) string {
	going := st.status == campaigns.StatusSending || st.status == campaigns.StatusPaused
	switch {
	case st.status == campaigns.StatusCancelled && !st.out:
		return "Nothing was sent, so there is nothing to count."
	case rep.StartedAt == nil && rep.Tracking == tracking.Off:
		return "Nothing to count: it is not sent yet, and it will go out without click or open tracking."
	case rep.StartedAt == nil:
		return "Nothing to count until it is sent."
	case st.status == campaigns.StatusSent && !st.out:
		return "None of its mail went out, so there is nothing to count."
	case !st.clicks && rep.Tracking == tracking.Off && going:
		return "This " + rep.Kind + " is going out without click or open tracking, so there is nothing to count."
	case !st.clicks && rep.Tracking == tracking.Off:
		return "This " + rep.Kind + " went out without click or open tracking, so there is nothing to count."
	case !st.clicks:
		return "No clicks or opens were counted, and its lists no longer count them."
	case !st.opens:
		return "No clicks yet. Opens are not counted for this " + rep.Kind + "."
	}
	return "No clicks or opens yet."
}

// shownAddress is url without a leading "https://", unless that would
// leave nothing.
func shownAddress(url string) string {
	if rest, ok := strings.CutPrefix(url, "https://"); ok && rest != "" {
		return rest
	}
	return url
}

// campaignReportCSV downloads a campaign's report as CSV.
func (s *Server) campaignReportCSV(w http.ResponseWriter, r *http.Request) {
	if rep, ok := s.adminCampaignReport(w, r); ok {
		writeCampaignCSV(w, rep)
	}
}

// adminCampaignReport reads the {id} campaign's report, answering 404
// itself when there is none.
func (s *Server) adminCampaignReport(w http.ResponseWriter, r *http.Request) (*tracking.CampaignReport, bool) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return nil, false
	}
	rep, err := s.TrackDeps.Reports.Campaign(r.Context(), id)
	if err == nil {
		err = s.plannedTracking(r.Context(), rep)
	}
	if err != nil {
		s.adminFailed(w, r, err)
		return nil, false
	}
	return rep, true
}

// percentOf shows a rate of 0 to 1 as a percentage: "75%", "2.5%".
func percentOf(rate float64) string {
	return strconv.FormatFloat(math.Round(rate*1e4)/100, 'f', -1, 64) + "%"
}

// listReportPage is the admin's ranking of a list's articles.
type listReportPage struct {
	adminPage
	L     *tracking.ListReport
	Name  string
	Chart template.HTML
	// Ranked are L.Articles with their places.
	Ranked []rankedArticle
	// Windows are the choices of days offered.
	Windows []int
}

type rankedArticle struct {
	Rank int
	tracking.ArticleReport
}

// listReportPage shows the articles of a list's recent digests ranked by
// clicks.
func (s *Server) listReportPage(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.adminListReport(w, r)
	if !ok {
		return
	}
	p := &listReportPage{L: rep, Name: rep.List, Windows: []int{7, 30, 90, 365}}
	if l, err := s.Subscribers.ListBySlug(r.Context(), rep.List); err == nil {
		p.Name = l.Name
	}
	items := make([]rankItem, 0, len(rep.Articles))
	for i, a := range rep.Articles {
		items = append(items, rankItem{Label: a.Title, Value: a.Clicks})
		p.Ranked = append(p.Ranked, rankedArticle{Rank: i + 1, ArticleReport: a})
	}
	svg, err := rankChart("Articles of the last "+strconv.Itoa(rep.Days)+" days ranked by people's clicks across the list's digests", items).render()
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Chart = svg
	s.renderAdmin(w, r, http.StatusOK, "admin_report_list", p)
}

// listReportCSV downloads a list's ranking as CSV.
func (s *Server) listReportCSV(w http.ResponseWriter, r *http.Request) {
	if rep, ok := s.adminListReport(w, r); ok {
		writeListCSV(w, rep)
	}
}

// adminListReport reads the {slug} list's report over ?days, answering a
// bad ?days with 422 and an unknown list with 404 itself. The slug names
// its list in any case, as in the API's report (storedSlug):
// /admin/lists/NEWS/report is news's, page and CSV.
func (s *Server) adminListReport(w http.ResponseWriter, r *http.Request) (*tracking.ListReport, bool) {
	days, err := reportDays(r)
	if err != nil {
		s.renderErrorPage(w, r, http.StatusUnprocessableEntity, &errorPage{Title: "Not a report window", Message: bulletin.ErrorMessage(err)})
		return nil, false
	}
	slug, err := s.storedSlug(r)
	var rep *tracking.ListReport
	if err == nil {
		rep, err = s.TrackDeps.Reports.List(r.Context(), slug, days)
	}
	if err != nil {
		s.adminFailed(w, r, err)
		return nil, false
	}
	return rep, true
}
