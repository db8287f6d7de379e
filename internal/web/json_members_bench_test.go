package web

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkObjectMembersRepeats checks a body of just under 1 MiB whose
// every name is given twice, as a signup with a mistyped member can send
// it to the check for repeated members without a token:
//
//	go test ./internal/web -run '^$' -bench ObjectMembersRepeats -benchtime 5x
func BenchmarkObjectMembersRepeats(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"email":1`)
	for i := 0; body.Len() < MaxBodyBytes-32; i++ {
		fmt.Fprintf(&body, `,"%05d":0,"%05d":0`, i, i)
	}
	body.WriteString("}")
	raw := []byte(body.String())
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_, twice, ok := objectMembers(raw)
		if !ok || len(twice) < 50_000 {
			b.Fatalf("ok %v, %d names repeated", ok, len(twice))
		}
	}
}
