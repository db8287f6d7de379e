package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// reportRoutes registers the reports of SPEC §7: JSON (or CSV with
// ?format=csv) in the API, pages and CSV downloads in the admin.
func (s *Server) reportRoutes() {
	if s.TrackDeps.Reports == nil {
		return
	}
	s.mux.Handle("GET /api/v1/campaigns/{id}/report", s.requireToken(http.HandlerFunc(s.campaignReport)))
	s.mux.Handle("GET /api/v1/lists/{slug}/report", s.requireToken(http.HandlerFunc(s.listReport)))
	s.adminHandle("GET /admin/campaigns/{id}/report", s.campaignReportPage)
	s.adminHandle("GET /admin/campaigns/{id}/report.csv", s.campaignReportCSV)
	s.adminHandle("GET /admin/lists/{slug}/report", s.listReportPage)
	s.adminHandle("GET /admin/lists/{slug}/report.csv", s.listReportCSV)
}

// campaignReport answers GET /api/v1/campaigns/{id}/report.
func (s *Server) campaignReport(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err == nil {
		err = checkReportFormat(r)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	rep, err := s.TrackDeps.Reports.Campaign(r.Context(), id)
	if err == nil {
		err = s.plannedTracking(r.Context(), rep)
	}
	s.answerReport(w, r, rep, err, func() { writeCampaignCSV(w, rep) })
}

// plannedTracking gives the report of a campaign not yet started the
// tracking it will be sent with, its lists' as they are now: the stored
// mode is fixed when the campaign starts and reads "off" until then, which
// would tell the editor of a draft to a tracked list that its links will
// not be counted.
func (s *Server) plannedTracking(ctx context.Context, rep *tracking.CampaignReport) error {
	if s.Campaigns == nil || rep.StartedAt != nil || rep.Kind != "campaign" {
		return nil
	}
	mode, ok, err := s.Campaigns.PlannedTracking(ctx, rep.ID)
	if ok {
		rep.Tracking = tracking.Mode(mode)
	}
	return err
}

// listReport answers GET /api/v1/lists/{slug}/report?days=30. The slug
// names its list in any case, as on /api/v1/lists/{slug} (storedSlug):
// /api/v1/lists/DAILY-NEWS/report is daily-news's, and a slug that names
// no list is a 404 quoting it as typed.
func (s *Server) listReport(w http.ResponseWriter, r *http.Request) {
	days, err := reportDays(r)
	if err == nil {
		err = checkReportFormat(r)
	}
	var slug string
	if err == nil {
		slug, err = s.storedSlug(r)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	rep, err := s.TrackDeps.Reports.List(r.Context(), slug, days)
	s.answerReport(w, r, rep, err, func() { writeListCSV(w, rep) })
}

// answerReport writes rep as JSON, or as CSV with ?format=csv (which
// checkReportFormat let through), or err.
func (s *Server) answerReport(w http.ResponseWriter, r *http.Request, rep any, err error, writeCSV func()) {
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		writeCSV()
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// checkReportFormat refuses a ?format a report is not written in, before
// the report is read.
func checkReportFormat(r *http.Request) error {
	switch r.URL.Query().Get("format") {
	case "", "json", "csv":
		return nil
	}
	return &bulletin.Error{Code: bulletin.EINVALID, Message: "format must be json or csv.",
		Fields: map[string]string{"format": "use json or csv"}}
}

// defaultReportDays is the list report's window when ?days is left out.
const defaultReportDays = 30

// reportDays reads ?days: a whole number of days, 30 when left out.
func reportDays(r *http.Request) (int, error) {
	v := r.URL.Query().Get("days")
	if v == "" {
		return defaultReportDays, nil
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 1 || days > tracking.MaxReportDays {
		// The admin's report page shows the message; the API's
		// clients read fields, as in every other 422.
		return 0, &bulletin.Error{Code: bulletin.EINVALID,
			Message: fmt.Sprintf("days must be a whole number from 1 to %d.", tracking.MaxReportDays),
			Fields:  map[string]string{"days": fmt.Sprintf("use a whole number from 1 to %d", tracking.MaxReportDays)}}
	}
	return days, nil
}
