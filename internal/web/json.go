package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

var (
	errNotFound     = bulletin.Errorf(bulletin.ENOTFOUND, "Nothing here.")
	errTooLarge     = bulletin.Errorf(bulletin.ETOOLARGE, "The request body is over 1 MiB.")
	errUnauthorized = bulletin.Errorf(bulletin.EUNAUTHORIZED, "Send a valid API token as 'Authorization: Bearer TOKEN'.")
)

// statusOf maps error codes to HTTP statuses: the one table of them.
var statusOf = map[string]int{
	bulletin.EBADREQUEST:    http.StatusBadRequest,
	bulletin.EUNAUTHORIZED:  http.StatusUnauthorized,
	bulletin.EFORBIDDEN:     http.StatusForbidden,
	bulletin.ENOTFOUND:      http.StatusNotFound,
	bulletin.ECONFLICT:      http.StatusConflict,
	bulletin.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	bulletin.EUNSUPPORTED:   http.StatusUnsupportedMediaType,
	bulletin.EINVALID:       http.StatusUnprocessableEntity,
	bulletin.ERATELIMITED:   http.StatusTooManyRequests,
	bulletin.EINTERNAL:      http.StatusInternalServerError,
	bulletin.EUNIMPLEMENTED: http.StatusNotImplemented,
}

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// writeError answers err as JSON. Internal errors are logged with their
// detail and shown to the client only as "Internal error.".
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := bulletin.ErrorCode(err)
	if code == bulletin.EINTERNAL {
		log.Error("internal error", "route", r.Pattern, "err", err)
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
// content type, the size limit and a single well-formed value.
func decodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return bulletin.Errorf(bulletin.EUNSUPPORTED, "Send the body as application/json.")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return errTooLarge
		}
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body could not be read.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return bulletin.Invalid(map[string]string{typeErr.Field: "has the wrong type, expected " + typeErr.Type.String()})
		}
		if field, why := badField(body, v); field != "" {
			return bulletin.Invalid(map[string]string{field: why})
		}
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body is not valid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bulletin.Errorf(bulletin.EBADREQUEST, "The body must hold one JSON value.")
	}
	return nil
}

// badField finds the member of a well-formed JSON object that v's type
// refuses by a value's own decoder (a time that is not one), which
// encoding/json reports without the field's name. It returns the member's
// name and what to send instead, or "" when body is not such an object.
func badField(body []byte, v any) (string, string) {
	var members map[string]json.RawMessage
	t := reflect.TypeOf(v)
	if json.Unmarshal(body, &members) != nil || t.Kind() != reflect.Pointer {
		return "", ""
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		one, _ := json.Marshal(map[string]json.RawMessage{name: members[name]})
		if json.Unmarshal(one, reflect.New(t.Elem()).Interface()) == nil {
			continue
		}
		if isTimeField(t.Elem(), name) {
			return name, "use a date and time in RFC 3339 form, like 2026-12-01T09:00:00Z"
		}
		return name, "has a value of the wrong form"
	}
	return "", ""
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
