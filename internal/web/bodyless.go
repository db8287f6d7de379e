package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// bodyless are the API routes, by pattern, whose operation the OpenAPI
// document gives no request body: they take none, as a route the
// document gives no query parameters takes none (queryParams).
var bodyless = documentedBodyless(openapiJSON)

func documentedBodyless(doc []byte) map[string]bool {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		panic("web: the OpenAPI document does not parse: " + err.Error())
	}
	out := map[string]bool{}
	for path, ops := range d.Paths {
		for method, raw := range ops {
			if method == "parameters" || strings.HasPrefix(method, "x-") {
				continue
			}
			var op struct {
				RequestBody json.RawMessage `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				panic("web: the OpenAPI document does not parse: " + err.Error())
			}
			if op.RequestBody == nil {
				out[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	return out
}

// bodyHints say, for the routes that take no body, what a body sent to
// them was likely meant for: send's {"send_at":…} schedules nothing.
var bodyHints = map[string]string{
	"POST /api/v1/campaigns/{id}/send": "It sends the campaign now: to schedule it, PATCH /api/v1/campaigns/{id} with send_at instead; " +
		`to try it first, POST /api/v1/campaigns/{id}/test with {"to":[…]}.`,
	"POST /api/v1/campaigns/{id}/duplicate": "The copy is a draft with the campaign's fields: PATCH the copy to change them.",
	"POST /api/v1/webhooks/{id}/test":       "The test event's content is fixed: PATCH the webhook to change where it goes or what it gets.",
}

// checkNoBody refuses, with 422 and before anything is done, a body sent
// to an API route that takes none: a member an operation does not take is
// refused, and a body of only such members is no exception (a send with
// {"send_at":…} would otherwise send at once). An empty body, or one of
// only whitespace, is no body; any other is refused whatever its content
// type or size, so such a route never answers 413. The body is read no
// further than its first byte that is not whitespace.
func checkNoBody(r *http.Request) error {
	if !bodyless[r.Pattern] || !hasOptionalBody(r) {
		return nil
	}
	msg := fmt.Sprintf("%s takes no body: leave it out.", r.Pattern)
	if hint := bodyHint(r.Pattern); hint != "" {
		msg += " " + hint
	}
	return bulletin.Errorf(bulletin.EINVALID, "%s", msg)
}

// bodyHint is bodyHints' hint for pattern or, for a GET, where its
// filters go.
func bodyHint(pattern string) string {
	if hint := bodyHints[pattern]; hint != "" {
		return hint
	}
	params := queryParams[pattern]
	if !strings.HasPrefix(pattern, http.MethodGet+" ") || len(params) == 0 {
		return ""
	}
	q := make([]string, len(params))
	for i, p := range params {
		q[i] = "?" + p + "="
	}
	return "Give its filters and paging in the query: " + strings.Join(q, ", ") + "."
}
