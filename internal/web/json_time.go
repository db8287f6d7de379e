package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"time"
)

// rfc3339Shape is a date and time as RFC 3339 §5.6 writes it, its "T"
// and "Z" in either case, as the RFC allows (§5.6, NOTE): 1 the date, 2-4
// its year, month and day, 5 the "T", 7-9 the hours, minutes and seconds,
// 10 the offset, 11 and 12 its hours and minutes.
var rfc3339Shape = regexp.MustCompile(`^((\d{4})-(\d{2})-(\d{2}))([Tt])((\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)([Zz]|[+-](\d{2}):(\d{2}))$`)

// timeExample ends what a time member at fault is told to send.
const timeExample = "like 2026-12-01T09:00:00Z"

// foldTimeCase returns body with the "t" and "z" of the dates it gives
// the time members of v (isTimeField) in upper case: RFC 3339 takes
// either, and Go's time only the upper. Only a member of the top-level
// object is a time member; a string of any other shape is left as it is,
// to be refused. body itself is returned when nothing changes.
func foldTimeCase(body []byte, v any) []byte {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || !hasTimeField(t.Elem()) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if delim, err := dec.Token(); err != nil || delim != json.Delim('{') {
		return body
	}
	out, copied := body, false
	for dec.More() {
		next, err := dec.Token()
		name, isName := next.(string)
		var raw json.RawMessage
		if err != nil || !isName || dec.Decode(&raw) != nil {
			return out // the decode says what is wrong
		}
		if !isTimeField(t.Elem(), name) {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || len(raw) != len(s)+2 {
			continue // not a string, or one with escapes: no date
		}
		m := rfc3339Shape.FindStringSubmatch(s)
		if m == nil || m[5] == "T" && m[10] != "z" {
			continue
		}
		if !copied {
			out, copied = bytes.Clone(body), true
		}
		// raw is the value's bytes as sent, just before the offset.
		end := int(dec.InputOffset())
		at := out[end-len(raw) : end]
		at[1+len(m[1])] = 'T'
		if m[10] == "z" {
			at[len(at)-2] = 'Z'
		}
	}
	return out
}

// hasTimeField reports whether the struct type t decodes a member into a
// time (isTimeField).
func hasTimeField(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for _, name := range jsonFields(t) {
		if isTimeField(t, name) {
			return true
		}
	}
	return false
}

// strictTime reports whether raw, the value of a time member that
// decoded, is a date and time as RFC 3339 writes it, or null. Go's parser
// also takes a one-digit hour, a comma before the fraction of a second
// and an offset of +24:00, which no other reader of the document would.
func strictTime(raw json.RawMessage) bool {
	var s *string
	if json.Unmarshal(raw, &s) != nil || s == nil {
		return true // null, or no string: decoding decides
	}
	m := rfc3339Shape.FindStringSubmatch(*s)
	return m != nil && (m[11] == "" || m[11] <= "23")
}

// timeProblem says what is wrong with raw, the value of a time member
// that did not decode: a date that does not exist, a time of day or an
// offset out of range, or else a value not in RFC 3339 form.
func timeProblem(raw json.RawMessage) string {
	var s string
	m := []string(nil)
	if json.Unmarshal(raw, &s) == nil {
		m = rfc3339Shape.FindStringSubmatch(s)
	}
	if m == nil {
		return "use a date and time in RFC 3339 form, " + timeExample
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if why := dateProblem(m[1], n(2), n(3), n(4)); why != "" {
		return why + ": give a date that does, " + timeExample
	}
	if n(7) > 23 || n(8) > 59 || n(9) > 59 {
		return fmt.Sprintf("%s:%s:%s is no time of day: give hours 00–23 and minutes and seconds 00–59, %s", m[7], m[8], m[9], timeExample)
	}
	if m[11] != "" && (n(11) > 23 || n(12) > 59) {
		return fmt.Sprintf("%s is no time zone offset: give Z for UTC, or an offset like +01:00 or -05:00, %s", m[10], timeExample)
	}
	return "use a date and time in RFC 3339 form, " + timeExample
}

// dateProblem says why date, written YYYY-MM-DD with year, month and
// day its numbers, is no date: "2026-02-30 does not exist (February 2026
// has 28 days)"; "" when it is one. The API's time members and the admin
// forms' date fields say it alike.
func dateProblem(date string, year, month, day int) string {
	if month < 1 || month > 12 {
		return fmt.Sprintf("%s does not exist (there is no month %02d)", date, month)
	}
	if last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day(); day > last {
		return fmt.Sprintf("%s does not exist (%s %04d has %d days)", date, time.Month(month), year, last)
	} else if day < 1 {
		return fmt.Sprintf("%s does not exist (a month's days are numbered from 01)", date)
	}
	return ""
}

// formTimeShape is a datetime-local field's value (formTime), its
// seconds optional as a browser may send them: 1 the date, 2-4 its
// year, month and day, 5-6 the hours and minutes.
var formTimeShape = regexp.MustCompile(`^((\d{4})-(\d{2})-(\d{2}))[T ](\d{2}):(\d{2})(?::\d{2})?$`)

// formTimeProblem says what is wrong with s, a form's date and time in
// formTime's shape that did not parse, as timeProblem says it of the
// API's (a date that does not exist, a time of day out of range), ending
// with example, what to give; "" when s is not in that shape or has no
// such fault, for the form's own words.
func formTimeProblem(s, example string) string {
	m := formTimeShape.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if why := dateProblem(m[1], n(2), n(3), n(4)); why != "" {
		return why + ": give a date that does, " + example
	}
	if n(5) > 23 || n(6) > 59 {
		return fmt.Sprintf("%s:%s is no time of day: give hours 00–23 and minutes 00–59, %s", m[5], m[6], example)
	}
	return ""
}
