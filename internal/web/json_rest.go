package web

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// bodyRest decodes into v, a fresh value of the body's type, the members
// of body that err, the decoder's refusal of it, does not name, and
// returns the fields err names: a handler then checks the rest as its
// save would (storing nothing) and answers every fault in one 422
// (withFaults), as campaignRest does for campaigns. Without it a client
// learnt of a wrong field only once the members refused as JSON were
// fixed, one refusal a call. ok is false when err names no member, or the
// rest does not decode: err is then to be answered as it is.
func bodyRest(body []byte, err error, v any) (fields map[string]string, ok bool) {
	fields = bulletin.ErrorFields(err)
	if bulletin.ErrorCode(err) != bulletin.EINVALID || len(fields) == 0 {
		return nil, false
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimPrefix(body, []byte("\ufeff")), &members) != nil {
		return nil, false
	}
	for name := range fields {
		delete(members, name)
	}
	rest, merr := json.Marshal(members)
	if merr != nil || json.Unmarshal(foldTimeCase(rest, v), v) != nil {
		return nil, false
	}
	return maps.Clone(fields), true
}

// withFaults is the 422 of fields, the members the decoder refused in a
// body of v's type, with the faults of cerr, the check of the rest,
// added: a field the decoder named keeps its words, and a field a member
// refused likely misspells ("titel", did you mean "title"?) is not named
// as missing too. A cerr that refuses no fields (an object gone, a
// conflict) is the save's to say: fields are answered alone.
func withFaults(fields map[string]string, cerr error, v any) error {
	if bulletin.ErrorCode(cerr) == bulletin.EINVALID {
		meant := misspelt(fields, v)
		for field, why := range bulletin.ErrorFields(cerr) {
			if _, named := fields[field]; !named && !meant[field] {
				fields[field] = why
			}
		}
	}
	return bulletin.Invalid(fields)
}

// misspelt returns the fields of v's type that the members named in
// fields which it does not know likely misspell, as notTaken suggests
// them ("did you mean …?").
func misspelt(fields map[string]string, v any) map[string]bool {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	taken := takenFields[t]
	if taken == nil {
		taken = jsonFields(t)
	}
	meant := map[string]bool{}
	for name := range fields {
		// A member taken, or one the API answers but does not take
		// ("cannot be set"), misspells nothing.
		if name == "…" || isJSONField(t, name) || isJSONField(answeredAs[t], name) {
			continue
		}
		if near := nearest(name, taken); near != "" {
			meant[near] = true
		}
	}
	return meant
}
