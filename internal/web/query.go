package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// queryParams are the query parameters each documented API route takes,
// by its pattern ("GET /api/v1/articles"), read from the OpenAPI
// document: the parameters a client reads there are the ones the server
// takes, and a route the document gives none takes none.
var queryParams = documentedQueryParams(openapiJSON)

func documentedQueryParams(doc []byte) map[string][]string {
	type parameter struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	}
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]parameter `json:"parameters"`
		} `json:"components"`
	}
	// The document is embedded and held to the routes by the tests: one
	// that does not parse is a build's mistake, not a request's.
	mustParse := func(raw []byte, v any) {
		if err := json.Unmarshal(raw, v); err != nil {
			panic("web: the OpenAPI document does not parse: " + err.Error())
		}
	}
	mustParse(doc, &d)
	resolve := func(p parameter) parameter {
		if p.Ref != "" {
			return d.Components.Parameters[p.Ref[strings.LastIndex(p.Ref, "/")+1:]]
		}
		return p
	}
	params := map[string][]string{}
	for path, ops := range d.Paths {
		var shared []parameter
		if raw, ok := ops["parameters"]; ok {
			mustParse(raw, &shared)
		}
		for method, raw := range ops {
			if method == "parameters" || strings.HasPrefix(method, "x-") {
				continue
			}
			var op struct {
				Parameters []parameter `json:"parameters"`
			}
			mustParse(raw, &op)
			names := []string{}
			for _, p := range append(slices.Clone(shared), op.Parameters...) {
				if p = resolve(p); p.In == "query" {
					names = append(names, p.Name)
				}
			}
			params[strings.ToUpper(method)+" "+path] = names
		}
	}
	return params
}

// checkQuery refuses, with 422, the query parameters r's API route does
// not take: a misspelt ?stauts=bounced would otherwise list every reader
// as if it were no filter at all. Each one at fault is named with what
// it may have meant, or with the parameters the route takes. A parameter
// given twice is refused too: every one takes a single value, and
// ?status=confirmed&status=pending would be read as one of them.
func checkQuery(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	taken, ok := queryParams[r.Pattern]
	if !ok {
		return nil
	}
	fields := map[string]string{}
	more := 0
	query := r.URL.Query()
	// The first maxProblems by name are named, the same ones each time.
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if slices.Contains(taken, name) {
			if len(query[name]) > 1 && len(fields) < maxProblems {
				fields[name] = "give " + name + " once"
			}
			continue
		}
		if len(fields) == maxProblems {
			more++
			continue
		}
		fields[name] = notAParameter(r.Pattern, name, taken)
	}
	if len(fields) == 0 {
		return nil
	}
	if more > 0 {
		fields["…"] = fmt.Sprintf("and %d more parameters %s does not take", more, r.Pattern)
	}
	return bulletin.Invalid(fields)
}

// notAParameter says that name is not a query parameter of the route of
// pattern, which takes taken.
func notAParameter(pattern, name string, taken []string) string {
	switch near := nearest(name, taken); {
	case len(taken) == 0:
		return "is not a parameter: " + pattern + " takes none"
	case near != "":
		return fmt.Sprintf("is not a parameter of %s; did you mean %q?", pattern, near)
	}
	return "is not a parameter of " + pattern + ", which takes " + takenList(taken)
}

// listFilter refuses, with 422, a ?list= that names no list, as a body
// naming one is: its empty page would read as a list no one is on. It
// returns the list's stored slug, as a slug is read in any case
// ("Daily-News" is daily-news), or "" for no filter.
func (s *Server) listFilter(ctx context.Context, slug string) (string, error) {
	if slug == "" {
		return "", nil
	}
	l, err := s.Subscribers.FindList(ctx, slug)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return "", bulletin.Invalid(map[string]string{"list": "there is no list " + strconv.Quote(shorten(slug, 64))})
	}
	if err != nil {
		return "", err
	}
	return l.Slug, nil
}
