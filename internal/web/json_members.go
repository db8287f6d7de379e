package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// objectMembers returns the members of body when it is one JSON object,
// with the names it gives more than once: encoding/json keeps the last
// of {"name":"a","name":"b"} without a word, and which one the sender
// meant is anyone's guess.
func objectMembers(body []byte) (members map[string]json.RawMessage, twice []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if delim, err := dec.Token(); err != nil || delim != json.Delim('{') {
		return nil, nil, false
	}
	members = map[string]json.RawMessage{}
	doubled := map[string]bool{} // a set: a body of many repeats stays linear
	for dec.More() {
		next, err := dec.Token()
		name, isName := next.(string)
		if err != nil || !isName {
			return nil, nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, false
		}
		if _, seen := members[name]; seen && !doubled[name] {
			doubled[name] = true
			twice = append(twice, name)
		}
		members[name] = raw
	}
	if delim, err := dec.Token(); err != nil || delim != json.Delim('}') {
		return nil, nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, false
	}
	return members, twice, true
}

// bodyMembers are the members of each API route's JSON body, by pattern,
// read from the OpenAPI document: true for those whose schema takes null
// (a campaign's send_at, which null clears).
var bodyMembers = documentedBodyMembers(openapiJSON)

func documentedBodyMembers(doc []byte) map[string]map[string]bool {
	type schema struct {
		Ref        string            `json:"$ref"`
		Type       json.RawMessage   `json:"type"`
		Nullable   bool              `json:"nullable"`
		OneOf      []json.RawMessage `json:"oneOf"`
		AnyOf      []json.RawMessage `json:"anyOf"`
		Properties map[string]json.RawMessage
	}
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	mustParse := func(raw []byte, v any) {
		if err := json.Unmarshal(raw, v); err != nil {
			panic("web: the OpenAPI document does not parse: " + err.Error())
		}
	}
	mustParse(doc, &d)
	var resolve func(raw json.RawMessage) schema
	resolve = func(raw json.RawMessage) schema {
		var s schema
		mustParse(raw, &s)
		if s.Ref != "" {
			return resolve(d.Components.Schemas[s.Ref[strings.LastIndex(s.Ref, "/")+1:]])
		}
		return s
	}
	var nullable func(s schema) bool
	nullable = func(s schema) bool {
		if s.Nullable || bytes.Equal(s.Type, []byte(`"null"`)) {
			return true
		}
		var types []string
		if json.Unmarshal(s.Type, &types) == nil && slices.Contains(types, "null") {
			return true
		}
		for _, alt := range append(slices.Clone(s.OneOf), s.AnyOf...) {
			if nullable(resolve(alt)) {
				return true
			}
		}
		return false
	}
	out := map[string]map[string]bool{}
	for path, ops := range d.Paths {
		for method, raw := range ops {
			if method == "parameters" || strings.HasPrefix(method, "x-") {
				continue
			}
			var op struct {
				RequestBody struct {
					Content map[string]struct {
						Schema json.RawMessage `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			mustParse(raw, &op)
			body, ok := op.RequestBody.Content["application/json"]
			if !ok {
				continue
			}
			members := map[string]bool{}
			for name, prop := range resolve(body.Schema).Properties {
				members[name] = nullable(resolve(prop))
			}
			out[strings.ToUpper(method)+" "+path] = members
		}
	}
	return out
}

// nullMember says why the member name of r's body, when its value is
// null, is refused: encoding/json takes null as no value at all, so
// {"name":null} would answer 200 and change nothing, where the document
// says name is a string. "" when raw is not null, when r's operation
// takes null there, or when r's route has no documented body.
func nullMember(r *http.Request, t reflect.Type, name string, raw json.RawMessage) string {
	if string(bytes.TrimSpace(raw)) != "null" {
		return ""
	}
	members, documented := bodyMembers[r.Pattern]
	if !documented || members[name] {
		return ""
	}
	what := "a value"
	if isTimeField(t, name) {
		what = "a date and time in RFC 3339 form"
	} else if ft, ok := jsonFieldType(t, name); ok {
		if m := mustBe(ft); strings.HasPrefix(m, "must be ") {
			what = strings.TrimPrefix(m, "must be ")
		}
	}
	if r.Method == http.MethodPatch {
		return "cannot be null: give " + what + ", or leave it out to keep it as it is"
	}
	return "cannot be null: give " + what + ", or leave it out"
}
