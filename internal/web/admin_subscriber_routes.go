package web

import "net/http"

// subscriberAdminRoutes registers the subscriber pages beyond search and
// edit: add, CSV import with its progress, CSV export and a pending
// reader's confirmation mail sent again, all behind the admin session.
func (s *Server) subscriberAdminRoutes() {
	s.adminHandle("GET /admin/subscribers/new", s.newSubscriberPage)
	s.adminHandle("POST /admin/subscribers", s.createSubscriberForm)
	// With ?job=ID: that import's progress, then its report.
	s.adminHandle("GET /admin/subscribers/import", s.importSubscribersPage)
	// The upload may be larger than other forms: it gets its own limit,
	// checked before requireAdmin reads the body for the CSRF field.
	s.mux.Handle("POST /admin/subscribers/import", adminHeaders(s.limitImport(s.requireAdmin(s.styleNotFound(s.importSubscribersForm)))))
	s.adminHandle("GET /admin/subscribers/export", s.exportSubscribersCSV)
	s.adminHandle("GET /admin/subscribers/{id}/export", s.exportSubscriberJSON)
	s.adminHandle("POST /admin/subscribers/{id}/confirmation", s.resendConfirmForm)
}

// isAdminUpload says whether r is one of the admin's uploads, whose body
// limit is their own (limitImport, limitSuppressionImport, limitSettings)
// rather than MaxBodyBytes.
func (s *Server) isAdminUpload(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch r.URL.Path {
	case "/admin/subscribers/import", "/admin/suppressions/import":
		return true
	case "/admin/settings":
		return s.Settings != nil // settingsRoutes registers its route only then
	}
	return false
}
