package web

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// apiPage is /admin/api: the API reference, built from openapiJSON.
type apiPage struct {
	adminPage
	*apiRef
}

// apiRef is the document as the reference page shows it: operations
// grouped by tag, then every schema the operations name.
type apiRef struct {
	Title, Version string
	Description    template.HTML
	Tags           []apiTag
	Schemas        []apiSchema
}

type apiTag struct {
	Name        string
	Description template.HTML
	Ops         []apiOp
}

type apiOp struct {
	Method, Path, Summary string
	Description           template.HTML
	Public                bool
	Params                []apiField
	Body                  string // the request body's schema name, if it has one
	BodyFields            []apiField
	Responses             []apiResponse
}

// An apiField is a parameter (In set) or a member of an object schema.
type apiField struct {
	Name, In, Type string
	Description    template.HTML
	Required       bool
}

type apiResponse struct {
	Status, Schema string
	Description    template.HTML
}

type apiSchema struct {
	Name, Type  string
	Description template.HTML
	Fields      []apiField
}

// The parts of an OpenAPI document the page reads.
type (
	oaDoc struct {
		Info struct {
			Title, Version, Description string
		}
		Tags []struct {
			Name, Description string
		}
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas    map[string]*oaSchema
			Parameters map[string]*oaParam
			Responses  map[string]*oaResponse
		}
	}
	oaOp struct {
		Tags                 []string
		Summary, Description string
		Security             *[]map[string][]string
		Parameters           []*oaParam
		RequestBody          *oaResponse
		Responses            map[string]*oaResponse
	}
	oaParam struct {
		Ref                   string `json:"$ref"`
		Name, In, Description string
		Required              bool
		Schema                *oaSchema
	}
	oaResponse struct {
		Ref         string `json:"$ref"`
		Description string
		Content     map[string]struct{ Schema *oaSchema }
	}
	oaSchema struct {
		Ref         string `json:"$ref"`
		Type        any
		Format      string
		Description string
		Enum        []any
		Const       any
		Items       *oaSchema
		Properties  map[string]*oaSchema
		Required    []string
	}
)

// methodOrder is the order of a path's operations on the page.
var methodOrder = []string{"get", "post", "put", "patch", "delete", "options"}

// loadAPIRef builds the reference once; a document it cannot read is a
// bug that TestAdminAPIPage catches.
var loadAPIRef = sync.OnceValues(func() (*apiRef, error) { return buildAPIRef(openapiJSON) })

func buildAPIRef(raw []byte) (*apiRef, error) {
	var d oaDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	ref := &apiRef{Title: d.Info.Title, Version: d.Info.Version, Description: codeSpans(d.Info.Description)}
	byTag := map[string]int{}
	for _, t := range d.Tags {
		byTag[t.Name] = len(ref.Tags)
		ref.Tags = append(ref.Tags, apiTag{Name: t.Name, Description: codeSpans(t.Description)})
	}
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		item := d.Paths[path]
		var shared []*oaParam
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("openapi.json: %s parameters: %w", path, err)
			}
		}
		for _, method := range methodOrder {
			raw, ok := item[method]
			if !ok {
				continue
			}
			var o oaOp
			if err := json.Unmarshal(raw, &o); err != nil {
				return nil, fmt.Errorf("openapi.json: %s %s: %w", method, path, err)
			}
			op := apiOp{Method: strings.ToUpper(method), Path: path, Summary: o.Summary, Description: codeSpans(o.Description),
				Public: o.Security != nil && len(*o.Security) == 0}
			for _, p := range append(append([]*oaParam{}, shared...), o.Parameters...) {
				if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
					p = d.Components.Parameters[name]
				}
				if p == nil {
					return nil, fmt.Errorf("openapi.json: %s %s: a parameter's $ref leads nowhere", method, path)
				}
				op.Params = append(op.Params, apiField{Name: p.Name, In: p.In, Type: d.typeOf(p.Schema), Description: codeSpans(p.Description), Required: p.Required})
			}
			if o.RequestBody != nil {
				s := o.RequestBody.Content["application/json"].Schema
				op.Body = schemaName(s)
				op.BodyFields = d.fieldsOf(d.resolve(s))
			}
			statuses := make([]string, 0, len(o.Responses))
			for st := range o.Responses {
				statuses = append(statuses, st)
			}
			sort.Strings(statuses)
			for _, st := range statuses {
				r := o.Responses[st]
				if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
					r = d.Components.Responses[name]
				}
				if r == nil {
					return nil, fmt.Errorf("openapi.json: %s %s: response %s's $ref leads nowhere", method, path, st)
				}
				name := schemaName(r.Content["application/json"].Schema)
				op.Responses = append(op.Responses, apiResponse{Status: st, Description: codeSpans(r.Description), Schema: name})
			}
			tag := "Other"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			i, ok := byTag[tag]
			if !ok {
				i = len(ref.Tags)
				byTag[tag] = i
				ref.Tags = append(ref.Tags, apiTag{Name: tag})
			}
			ref.Tags[i].Ops = append(ref.Tags[i].Ops, op)
		}
	}
	names := make([]string, 0, len(d.Components.Schemas))
	for name := range d.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := d.Components.Schemas[name]
		ref.Schemas = append(ref.Schemas, apiSchema{Name: name, Type: d.typeOf(s), Description: codeSpans(s.Description), Fields: d.fieldsOf(s)})
	}
	return ref, nil
}

// codeSpan is a `code span` of the document's Markdown.
var codeSpan = regexp.MustCompile("`([^`]+)`")

// codeSpans escapes text for HTML and shows its `code spans` as code: the
// only Markdown the document's descriptions use.
func codeSpans(text string) template.HTML {
	return template.HTML(codeSpan.ReplaceAllString(html.EscapeString(text), "<code>$1</code>"))
}

// schemaName is the component name s refers to, or "".
func schemaName(s *oaSchema) string {
	if s == nil {
		return ""
	}
	name, _ := strings.CutPrefix(s.Ref, "#/components/schemas/")
	return name
}

// resolve follows s's $ref to its component, once.
func (d *oaDoc) resolve(s *oaSchema) *oaSchema {
	if name := schemaName(s); name != "" && d.Components.Schemas[name] != nil {
		return d.Components.Schemas[name]
	}
	return s
}

// fieldsOf lists the members of an object schema, required ones first.
func (d *oaDoc) fieldsOf(s *oaSchema) []apiField {
	if s == nil {
		return nil
	}
	var out []apiField
	for name, p := range s.Properties {
		desc := p.Description
		if desc == "" {
			desc = d.resolve(p).Description
		}
		out = append(out, apiField{Name: name, Type: d.typeOf(p), Description: codeSpans(desc), Required: slices.Contains(s.Required, name)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Required != out[j].Required {
			return out[i].Required
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// typeOf says in a few words what a value of s is: "integer", "string
// (date-time)", "array of Campaign", "one of: daily, weekly".
func (d *oaDoc) typeOf(s *oaSchema) string {
	if s == nil {
		return ""
	}
	if name := schemaName(s); name != "" {
		return name
	}
	if s.Const != nil {
		return fmt.Sprintf("%q", s.Const)
	}
	var types []string
	switch t := s.Type.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, fmt.Sprint(x))
		}
	}
	for i, t := range types {
		switch {
		case t == "array" && s.Items != nil:
			types[i] = "array of " + d.typeOf(s.Items)
		case t == "string" && s.Format != "":
			types[i] = "string (" + s.Format + ")"
		}
	}
	out := strings.Join(types, " or ")
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		out = "one of: " + strings.Join(vals, ", ")
	}
	return out
}

// apiReference is the page /admin/api.
func (s *Server) apiReference(w http.ResponseWriter, r *http.Request) {
	ref, err := loadAPIRef()
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_api", &apiPage{apiRef: ref})
}
