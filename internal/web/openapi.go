package web

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the OpenAPI 3.1 document of the JSON API, written by
// hand: the one source of truth for /api/v1/openapi.json and /admin/api.
// TestEveryAPIRouteIsDocumented and TestAPIAnswersMatchTheDocument hold
// it against the routes and their real answers.
//
//go:embed openapi.json
var openapiJSON []byte

// serveOpenAPI answers the document. It is public, and any page may read
// it (CORS without credentials): it says nothing a reader of the source
// could not.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(openapiJSON)
}
