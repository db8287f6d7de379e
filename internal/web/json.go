package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/jsonkind"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/subscribers"
)

var (
	errNotFound     = bulletin.Errorf(bulletin.ENOTFOUND, "Nothing here.")
	errTooLarge     = bulletin.Errorf(bulletin.ETOOLARGE, "The request body is over 1 MiB.")
	errUnauthorized = bulletin.Errorf(bulletin.EUNAUTHORIZED, "Send a valid API token as 'Authorization: Bearer TOKEN'.")
)

// statusOf maps error codes to HTTP statuses: the one table of them.
var statusOf = map[string]int{
	bulletin.EBADREQUEST:       http.StatusBadRequest,
	bulletin.EUNAUTHORIZED:     http.StatusUnauthorized,
	bulletin.EFORBIDDEN:        http.StatusForbidden,
	bulletin.ENOTFOUND:         http.StatusNotFound,
	bulletin.ECONFLICT:         http.StatusConflict,
	bulletin.ETOOLARGE:         http.StatusRequestEntityTooLarge,
	bulletin.EUNSUPPORTED:      http.StatusUnsupportedMediaType,
	bulletin.EINVALID:          http.StatusUnprocessableEntity,
	bulletin.ERATELIMITED:      http.StatusTooManyRequests,
	bulletin.EINTERNAL:         http.StatusInternalServerError,
	bulletin.EUNIMPLEMENTED:    http.StatusNotImplemented,
	bulletin.EMETHODNOTALLOWED: http.StatusMethodNotAllowed,
	bulletin.EMAILSERVER:       http.StatusBadGateway,
	bulletin.EUNAVAILABLE:      http.StatusServiceUnavailable,
}

// unavailableRetry is the Retry-After, in seconds, of an answer that
// nothing could be stored (EUNAVAILABLE: the disk is full): a client
// that waits a minute may find space freed, and one that retries at once
// only adds to the failed writes.
const unavailableRetry = "60"

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// writeError answers err as JSON. Internal errors are logged with their
// detail and shown to the client only as "Internal error.". A write that
// failed for a full disk is logged too, and answered 503 with its own
// message and a Retry-After.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := bulletin.ErrorCode(err)
	switch code {
	case bulletin.EINTERNAL:
		log.Error("internal error", "route", r.Pattern, "err", err)
	case bulletin.EUNAVAILABLE:
		log.Error("nothing can be stored", "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", unavailableRetry)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, errorBody{Error: code, Message: bulletin.ErrorMessage(err), Fields: bulletin.ErrorFields(err)})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// createdStatus is 201 for a POST that created its object and 200 for
// one that found it there already (the same URL twice is one article).
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// A page is the shape of every collection answer.
type page[T any] struct {
	Items []T `json:"items"`
	Next  any `json:"next"`
}

// newPage returns items with next, or null for next when it is 0.
func newPage[T any](items []T, next int64) page[T] {
	if items == nil {
		items = []T{}
	}
	p := page[T]{Items: items}
	if next > 0 {
		p.Next = next
	}
	return p
}

// decodeJSON reads a JSON object from r's body into v, insisting on the
// content type, the size limit, a single well-formed value that is an
// object, and members v takes, each of the right kind. A member v does not
// take is refused, except in the bodies of lenientBodies. The fields at
// fault are answered together, each with what to send instead.
func decodeJSON(r *http.Request, v any) error {
	_, err := decodeJSONBody(r, v)
	return err
}

// decodeJSONBody is decodeJSON, returning the body it read too (nil when
// it read none): a handler of a lenient body may look at what it ignored
// to explain a refusal.
func decodeJSONBody(r *http.Request, v any) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, bulletin.Errorf(bulletin.EUNSUPPORTED, "Send the body as application/json.")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, errTooLarge
		}
		return nil, bulletin.Errorf(bulletin.EBADREQUEST, "The body could not be read.")
	}
	return body, decodeJSONBytes(r, body, v)
}

// decodeJSONBytes is decodeJSON of body, read from r.
func decodeJSONBytes(r *http.Request, body []byte, v any) error {
	// JSON is UTF-8 (RFC 8259 §8.1); the decoder would put U+FFFD in
	// place of what is not, and store "�" for a name.
	if !utf8.Valid(body) {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body is not UTF-8: send the JSON as UTF-8 text.")
	}
	// A byte order mark, which Windows tools and some editors write, is
	// no JSON, but a parser may ignore it (RFC 8259 §8.1): refused, it
	// was "invalid character 'ï'", which no sender could find.
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	body = foldTimeCase(body, v)
	// null decodes as {} would, into nothing: a PATCH of null would be
	// a 200 that changed nothing.
	if string(bytes.TrimSpace(body)) == "null" {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body must be a JSON object, {…}, not null.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	decodeErr := dec.Decode(v)
	if decodeErr == nil {
		if _, err := dec.Token(); err != io.EOF {
			return bulletin.Errorf(bulletin.EBADREQUEST, "The body must hold one JSON value.")
		}
		// A lenient body that decoded has nothing to refuse: signups,
		// the one body posted thousands of times a second, are not
		// parsed a second time.
		if lenientBodies[reflect.TypeOf(v)] {
			return nil
		}
	}
	members, twice, ok := objectMembers(body)
	if !ok {
		switch {
		case decodeErr == nil: // a value v takes that is no object
			return nil
		case json.Valid(body):
			return bulletin.Errorf(bulletin.EBADREQUEST, "The body must be a JSON object, {…}, not %s.", jsonkind.Of(body))
		}
		return invalidJSON(body)
	}
	if fields := memberProblems(r, members, twice, v); len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	if decodeErr != nil {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body is not valid JSON.")
	}
	return nil
}

// invalidJSON says where body, which is not valid JSON, goes wrong: at
// which line and column, and what the parser met there, so that a sender
// finds the missing comma or quote without guessing.
func invalidJSON(body []byte) error {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body is not valid JSON.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body is empty: send a JSON object, {…}.")
	}
	// A body cut off inside a literal or a number is reported as the
	// space after it, which the sender never typed.
	cut := se.Offset >= int64(len(body)) && strings.Contains(se.Error(), "' '") && body[len(body)-1] != ' '
	if cut || strings.HasPrefix(se.Error(), "unexpected end") {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body is not valid JSON: it ends in the middle of a value (a closing quote, ] or } is missing).")
	}
	// Offset counts the bytes read, the one at fault included.
	before := body[:max(se.Offset-1, 0)]
	line := 1 + bytes.Count(before, []byte{'\n'})
	col := 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return bulletin.Errorf(bulletin.EBADREQUEST, "The body is not valid JSON: %s, at line %d, column %d.", se.Error(), line, col)
}

// lenientBodies are the bodies whose members decodeJSON takes or ignores,
// never refuses: the public signup's, which publishers post from their
// own forms with whatever else those hold.
var lenientBodies = map[reflect.Type]bool{
	reflect.TypeFor[*subscribers.Signup](): true,
}

// takenFields are the members a body takes, for the types that decode
// more, being an object the API answers too: a campaign's id, status or
// stats are the server's to set.
var takenFields = map[reflect.Type][]string{
	reflect.TypeFor[campaigns.Campaign](): {"subject", "preheader", "body", "lists", "send_at", "send_zone"},
}

// answeredAs maps the type a body decodes into to the type the API
// answers with for the same object, whose members a client reads and may
// send back: such a member is one the API cannot set ("cannot be set"),
// not one it does not know. A campaign's body is a campaigns.Campaign
// itself; its answer adds left_out.
var answeredAs = map[reflect.Type]reflect.Type{
	reflect.TypeFor[campaigns.Campaign]():        reflect.TypeFor[campaignAnswer](),
	reflect.TypeFor[campaigns.Patch]():           reflect.TypeFor[campaignAnswer](),
	reflect.TypeFor[articles.Patch]():            reflect.TypeFor[articles.Article](),
	reflect.TypeFor[hooks.Input]():               reflect.TypeFor[hooks.Endpoint](),
	reflect.TypeFor[subscribers.ListPatch]():     reflect.TypeFor[subscribers.List](),
	reflect.TypeFor[subscribers.NewSubscriber](): reflect.TypeFor[subscribers.Subscriber](),
	reflect.TypeFor[subscribers.Patch]():         reflect.TypeFor[subscribers.Subscriber](),
}

// bodyNouns name the object a POST or PATCH on /api/v1/NAME or
// /api/v1/NAME/{…} sends, for the messages about its fields.
var bodyNouns = map[string]string{
	"articles": "an article", "campaigns": "a campaign", "feeds": "a feed", "lists": "a list",
	"subscribers": "a subscriber", "suppressions": "a suppression", "webhooks": "a webhook",
}

// bodyNoun names what r's body is, "this request" when no bodyNouns fits.
func bodyNoun(r *http.Request) string {
	method, path, _ := strings.Cut(r.Pattern, " ")
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	parts := strings.Split(rest, "/")
	if ok && (method == http.MethodPost || method == http.MethodPatch) &&
		(len(parts) == 1 || len(parts) == 2 && strings.HasPrefix(parts[1], "{")) && bodyNouns[parts[0]] != "" {
		return bodyNouns[parts[0]]
	}
	return "this request"
}

// memberProblems says, for each member of the body that v refuses, what
// to send instead: the members v does not take (unless its body is
// lenient), those given twice, those null where r's operation does not
// take null (nullMember), and those whose value is of the wrong kind.
func memberProblems(r *http.Request, members map[string]json.RawMessage, twice []string, v any) map[string]string {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil
	}
	var taken []string
	if t.Elem().Kind() == reflect.Struct && !lenientBodies[t] {
		taken = takenFields[t.Elem()]
		if taken == nil {
			taken = jsonFields(t.Elem())
		}
	}
	// A body may hold a hundred thousand members in its size limit: the
	// answer says what is wrong with the first maxProblems, by name, and
	// counts the rest.
	names := slices.Sorted(maps.Keys(members))
	fields := map[string]string{}
	more := 0
	for _, name := range names {
		unknown := taken != nil && !slices.Contains(taken, name)
		if len(fields) == maxProblems {
			if unknown {
				more++
			}
			continue
		}
		if unknown {
			fields[name] = notTaken(r, name, taken, isJSONField(t.Elem(), name) || isJSONField(answeredAs[t.Elem()], name))
			continue
		}
		if !lenientBodies[t] {
			if slices.Contains(twice, name) {
				fields[name] = "is given more than once: give it once, with the value meant"
				continue
			}
			if why := nullMember(r, t.Elem(), name, members[name]); why != "" {
				fields[name] = why
				continue
			}
		}
		if field, why := memberProblem(t.Elem(), name, members[name]); field != "" {
			fields[field] = why
		}
	}
	if more > 0 {
		fields["…"] = fmt.Sprintf("and %d more members %s does not take", more, bodyNoun(r))
	}
	return fields
}

// maxProblems is how many members at fault an answer names.
const maxProblems = 20

// notTaken says that name is not a member the body takes: what it may
// have meant, or else which members it takes. known is true for a member
// the API answers but does not take.
func notTaken(r *http.Request, name string, taken []string, known bool) string {
	noun := bodyNoun(r)
	if known {
		return "cannot be set: " + noun + " takes " + takenList(taken)
	}
	if near := nearest(name, taken); near != "" {
		return fmt.Sprintf("is not a field of %s; did you mean %q?", noun, near)
	}
	return "is not a field of " + noun + ", which takes " + takenList(taken)
}

// takenList lists what a body, a route or a path takes, for the error
// of what it does not: "a, b and c", or "only a" of one, since "which
// takes a" would leave the client to wonder what else it takes.
func takenList(names []string) string {
	if len(names) < 2 {
		return "only " + prose.And(names)
	}
	return prose.And(names)
}

// nearest returns the member of taken that name most likely misspells,
// or "" when none is close: the same but for case and separators ("-",
// "_", " "), or one slip away (a letter more, less or changed, or two
// swapped), two in a name of more than five letters.
func nearest(name string, taken []string) string {
	if len(name) > 64 {
		return "" // no field is that long; a typo is not either
	}
	best, bestDist := "", 0
	for _, t := range taken {
		d, limit := prose.EditDistance(nameKey(name), nameKey(t)), 1
		if len(t) > 5 {
			limit = 2
		}
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = t, d
		}
	}
	return best
}

// nameKey is a member's name without case and separators, for nearest.
func nameKey(s string) string { return strings.ToLower(nameSeparators.Replace(s)) }

var nameSeparators = strings.NewReplacer("-", "", "_", "", " ", "")

// memberProblem decodes the one member name into a fresh value of type t
// and, when that fails, returns the field at fault and what to send
// instead; encoding/json reports a time that is not one without the
// field's name, and a value of the wrong kind in Go's terms.
func memberProblem(t reflect.Type, name string, raw json.RawMessage) (string, string) {
	one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
	err := json.Unmarshal(one, reflect.New(t).Interface())
	if isTimeField(t, name) && (err != nil || !strictTime(raw)) {
		return name, timeProblem(raw)
	}
	if err == nil {
		return "", ""
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if ft, ok := jsonFieldType(t, name); ok && typeErr.Field == name {
			return name, mustBe(ft) + listExample(ft, raw)
		}
		if typeErr.Field != "" {
			return typeErr.Field, mustBe(typeErr.Type)
		}
	}
	return name, "has a value of the wrong form"
}

// mustBe says what kind of JSON value a Go value of type t takes.
func mustBe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "must be a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "must be a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	case reflect.Slice, reflect.Array:
		if e := t.Elem(); e.Kind() == reflect.String {
			return "must be a list of strings"
		} else if k := mustBe(e); strings.HasPrefix(k, "must be a") {
			return "must be a list, each item " + strings.TrimPrefix(k, "must be ")
		}
		return "must be a list"
	case reflect.Map, reflect.Struct:
		return "must be an object"
	}
	return "has a value of the wrong kind"
}

// listExample shows a list of strings, ", like [\"ed@example.com\"]", made of
// raw, a string sent for a field of type t that takes such a list: a
// client that sent {"to":"ed@example.com"} is shown what to send instead,
// in its own words. A string of several, split at commas or semicolons,
// is shown as their list, the first three of them; a string holding a
// list in JSON (one encoded twice) as that list. It is "" for any other
// field or value, whose kind alone is at fault.
func listExample(t reflect.Type, raw json.RawMessage) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s string
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.String || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	var items []string
	if err := json.Unmarshal([]byte(s), &items); err == nil && len(items) > 0 {
		return ", not a string holding one: send " + jsonStrings(items)
	} else if strings.HasPrefix(strings.TrimSpace(s), "[") {
		return "" // JSON of some other list, which splitting would not mend
	}
	items = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	items = slices.DeleteFunc(items, func(item string) bool { return strings.TrimSpace(item) == "" })
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	if len(items) == 0 {
		return ""
	}
	return ", like " + jsonStrings(items)
}

// jsonStrings writes items as a JSON list, with a space after each comma,
// the first three of them, each of at most 60 characters: an example, not
// an echo of a body of any size.
func jsonStrings(items []string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, item := range items[:min(len(items), 3)] {
		if i > 0 {
			b.WriteString(", ")
		}
		if r := []rune(item); len(r) > 60 {
			item = string(r[:59]) + "…"
		}
		var quoted bytes.Buffer
		enc := json.NewEncoder(&quoted)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(item)
		b.WriteString(strings.TrimSuffix(quoted.String(), "\n"))
	}
	if len(items) > 3 {
		b.WriteString(", …")
	}
	b.WriteString("]")
	return b.String()
}

// jsonFields returns the names of the members the struct type t decodes,
// in the order of its fields, as encoding/json reads them: by tag, or by
// the Go name when untagged, embedded structs' fields promoted.
func jsonFields(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			names = append(names, jsonFields(f.Type)...)
		case tag != "":
			names = append(names, tag)
		default:
			names = append(names, f.Name)
		}
	}
	return names
}

// isJSONField reports whether the struct type t decodes a member name.
func isJSONField(t reflect.Type, name string) bool {
	_, ok := jsonFieldType(t, name)
	return ok
}

// jsonFieldType returns the type of the field of the struct type t that
// the member name decodes into.
func jsonFieldType(t reflect.Type, name string) (reflect.Type, bool) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, false
	}
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem() // an embedded *T's fields are promoted as T's are
		}
		if f.Anonymous && tag == "" && ft.Kind() == reflect.Struct {
			if ft, ok := jsonFieldType(ft, name); ok {
				return ft, true
			}
			continue
		}
		if tag == name || tag == "" && f.Name == name {
			return f.Type, true
		}
	}
	return nil, false
}

// isTimeField reports whether the struct type t decodes the JSON member
// name into a time.Time, *time.Time or campaigns.OptionalTime.
func isTimeField(t reflect.Type, name string) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	timeType := reflect.TypeFor[time.Time]()
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || tag == "" && strings.EqualFold(f.Name, name) {
			return f.Type == timeType || f.Type.Kind() == reflect.Pointer && f.Type.Elem() == timeType ||
				f.Type == reflect.TypeFor[campaigns.OptionalTime]()
		}
	}
	return false
}
