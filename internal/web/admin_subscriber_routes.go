package web

import "net/http"

// subscriberAdminRoutes registers the subscriber pages beyond search and
// edit: add, CSV import with its progress, and CSV export, all behind the
// admin session.
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
}

// isImportUpload says whether r is one of the admin's CSV uploads, whose
// body limit is their own (limitImport, limitSuppressionImport) rather
// than MaxBodyBytes.
func isImportUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/admin/subscribers/import" || r.URL.Path == "/admin/suppressions/import")
}
