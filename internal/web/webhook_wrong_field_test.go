package web

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// A Postmark bounce with a field of the wrong type is answered 400 naming
// the field: a tester's "ID":"str" and "BouncedAt":"x" were answered
// "This is not a Postmark webhook body: a JSON object with a RecordType."
// though the body had one.
func TestPostmarkWrongFieldTypeNamed(t *testing.T) {
	e := newHookEnv(t)
	for field, body := range map[string]string{
		`"ID" should be a number, not "str".`: `{"RecordType":"Bounce","Type":"HardBounce","Email":"b007@example.net","ID":"str"}`,
		`"BouncedAt" should be a time like`:   `{"RecordType":"Bounce","Type":"HardBounce","Email":"b007@example.net","ID":7,"BouncedAt":"x"}`,
	} {
		req := httptest.NewRequest("POST", "/webhooks/postmark", bytes.NewReader([]byte(body)))
		for k, v := range basicAuth(hookPostmark) {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		var got struct{ Message string }
		json.Unmarshal(rec.Body.Bytes(), &got)
		if rec.Code != 400 || !strings.Contains(got.Message, field) || strings.Contains(got.Message, "RecordType") {
			t.Errorf("%s: %d %s, want 400 saying %s", body, rec.Code, rec.Body, field)
		}
	}
}
