package webhooks

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/jsonkind"
)

// decode reads body into v, a pointer, as json.Unmarshal does. A body that
// is no JSON of v's shape is badShape(provider, what); one of its shape
// with a field of the wrong type says which field, what it should be and
// what it is: a Postmark record with "ID":"str" or "BouncedAt":"x" was
// answered "This is not a Postmark webhook body: a JSON object with a
// RecordType." though it had one. encoding/json names the field only for
// some of these errors (not for a json.Number or a time.Time), so the
// field is found by decoding each of the body's fields alone.
func decode(provider, what string, body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if field, want, got, ok := wrongField(body, reflect.TypeOf(v).Elem(), ""); ok && field != "" {
		return bulletin.Errorf(bulletin.EBADREQUEST, "This %s webhook body has a field of the wrong type: %q should be %s, not %s.",
			provider, field, want, got)
	}
	return badShape(provider, what)
}

// wrongField finds the first field, in t's order, of the JSON raw that
// does not decode into t's, and says what it should be and what it is.
// path is where raw is in the body, "" for the body.
func wrongField(raw []byte, t reflect.Type, path string) (field, want, got string, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) || json.Unmarshal(raw, reflect.New(t).Interface()) == nil {
		return "", "", "", false
	}
	switch {
	case t.Kind() == reflect.Struct && !custom(t) && len(raw) > 0 && raw[0] == '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			break
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, skip := jsonName(f)
			if skip {
				continue
			}
			v, ok := member(obj, name)
			if !ok {
				continue
			}
			if field, want, got, ok := wrongField(v, f.Type, join(path, name)); ok {
				return field, want, got, true
			}
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && !custom(t) && len(raw) > 0 && raw[0] == '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			break
		}
		for i, v := range list {
			if field, want, got, ok := wrongField(v, t.Elem(), path+"["+strconv.Itoa(i)+"]"); ok {
				return field, want, got, true
			}
		}
	}
	return path, expected(t), shown(raw), true
}

// custom reports whether t decodes itself (time.Time, json.Number…).
func custom(t reflect.Type) bool {
	u := reflect.TypeFor[json.Unmarshaler]()
	return t.Implements(u) || reflect.PointerTo(t).Implements(u)
}

// jsonName is the key encoding/json reads f from, and whether it reads
// none.
func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", true
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", true
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name, false
	}
	return f.Name, false
}

// member is obj's value of key, matched as encoding/json does: exactly,
// else in any case.
func member(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// expected says what a value of t is in JSON.
func expected(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[time.Time]():
		return "a time like " + time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC).Format(time.RFC3339)
	case reflect.TypeFor[json.Number]():
		return "a number"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

// shown is raw as the answer quotes it: itself when short and plain, else
// what kind of value it is.
func shown(raw []byte) string {
	if len(raw) <= 40 && !bytes.ContainsFunc(raw, func(r rune) bool { return !unicode.IsPrint(r) }) &&
		len(raw) > 0 && raw[0] != '{' && raw[0] != '[' {
		return string(raw)
	}
	return jsonkind.Of(raw)
}
