package web

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"net/http/httptest"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// One request body under the 1 MiB limit whose single member has a long
// name: the nearest-name suggestion, which compared it with every field
// of the body in a table of len×len(field), allocated over a gigabyte.
func TestDecodeJSONLongMemberNameCost(t *testing.T) {
	name := strings.Repeat("a", MaxBodyBytes-64)
	body := `{"` + name + `":1}`
	r := httptest.NewRequest("PATCH", "/api/v1/lists/news", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	var p subscribers.ListPatch
	err := decodeJSON(r, &p)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("err=%v took=%v allocated=%d MB for a %d byte body", err != nil, took, alloc>>20, len(body))
	// A few copies of the body (read, map, one member) is what decoding
	// needs; 64 MB is generous.
	if alloc > 64<<20 {
		t.Errorf("one %d KiB body allocated %d MB in decodeJSON (took %v)", len(body)>>10, alloc>>20, took)
	}
}

// A 1 MiB body of ~130,000 short unknown members was answered with one
// message per member, each listing every field the body takes: a ~19 MB
// answer after seconds of CPU. The answer names the first maxProblems
// and counts the rest.
func TestDecodeJSONManyUnknownMembersAmplify(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; b.Len() < MaxBodyBytes-32; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%x":0`, i)
	}
	b.WriteString("}")
	r := httptest.NewRequest("PATCH", "/api/v1/lists/news", strings.NewReader(b.String()))
	r.Pattern = "PATCH /api/v1/lists/{slug}"
	r.Header.Set("Content-Type", "application/json")
	start := time.Now()
	var p subscribers.ListPatch
	err := decodeJSON(r, &p)
	out, _ := json.Marshal(bulletin.ErrorFields(err))
	took := time.Since(start)
	t.Logf("body %d bytes, fields answer %d bytes, %v", b.Len(), len(out), took)
	if len(out) > 2*b.Len() {
		t.Errorf("a %d KiB body is answered with %d KiB of field messages (%v)", b.Len()>>10, len(out)>>10, took)
	}
}
