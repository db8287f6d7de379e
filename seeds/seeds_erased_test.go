package seeds_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bulletinhq/bulletin/seeds"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader erased at their request stays erased: loading the seeds again
// skips their address, which was added back confirmed.
func TestLoadSkipsErasedReaders(t *testing.T) {
	l := loader(t)
	l.Subscribers.SetSecret([]byte("seed-test-secret-0123456789abcdef0123"))
	ctx := context.Background()
	if _, err := l.Load(ctx, seeds.FS()); err != nil {
		t.Fatal(err)
	}
	found, _, err := l.Subscribers.List(ctx, subscribers.Filter{Q: "ada.fisher@example.com"})
	if err != nil || len(found) != 1 {
		t.Fatalf("seeded reader: %v, %v", found, err)
	}
	if err := l.Subscribers.Erase(ctx, found[0].ID); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Load(ctx, seeds.FS())
	if err != nil || rep.Subscribers != 0 || rep.Erased != 1 {
		t.Errorf("load after an erasure = %+v, %v; want nothing added and 1 erased", rep, err)
	}
	if found, _, _ := l.Subscribers.List(ctx, subscribers.Filter{Q: "ada.fisher@example.com"}); len(found) != 0 {
		t.Errorf("the erased reader is back: %+v", found[0])
	}
}

// A seed folder with a mistake in any file stores nothing, and the
// mistake names the file, where in it, the field and what to fix.
func TestLoadChecksEveryFileFirst(t *testing.T) {
	const lists = `[{"slug":"news","name":"News","digest":"daily","digest_hour":7}]`
	const article = "---\ntitle: T\nurl: https://example.com/t\nlists: news\n---\nBody.\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"bad address", map[string]string{"subscribers.csv": "email,name,lists,status\na@example.com,A,news,confirmed\nbad-address,B,news,confirmed\n"},
			`subscribers.csv line 3: email "bad-address": enter an address like name@example.com`},
		{"bad list", map[string]string{"lists.json": `[{"slug":"news","name":"News"},{"slug":"more","name":""}]`},
			`lists.json list 2 ("more"): name: give a name of 1–100 characters`},
		{"misspelt key", map[string]string{"lists.json": `[{"slug":"news","nmae":"News"}]`},
			`lists.json: unknown field "nmae"`},
		{"wrong type", map[string]string{"lists.json": "[\n{\"slug\":\"news\",\"name\":\"News\",\n\"digest_hour\":\"7\"}]"},
			`lists.json line 3: digest_hour: give a number, not a JSON string`},
		{"article without a URL", map[string]string{"articles/b.md": "---\ntitle: T\nlists: news\n---\nBody.\n"},
			"articles/b.md: url: give an absolute http or https URL"},
		{"short row", map[string]string{"subscribers.csv": "email,name,lists,status\na@example.com,A\n"},
			"subscribers.csv line 2: wrong number of fields"},
	} {
		fsys := fstest.MapFS{
			"lists.json":      {Data: []byte(lists)},
			"articles/a.md":   {Data: []byte(article)},
			"subscribers.csv": {Data: []byte("email,name,lists,status\na@example.com,A,news,confirmed\n")},
		}
		for name, text := range tc.files {
			fsys[name] = &fstest.MapFile{Data: []byte(text)}
		}
		l := loader(t)
		rep, err := l.Load(context.Background(), fsys)
		var m *seeds.Mistake
		if !errors.As(err, &m) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Load = %+v, %v; want a Mistake with %q", tc.name, rep, err, tc.want)
		}
		if all, _ := l.Subscribers.Lists(context.Background()); len(all) != 0 || rep != (seeds.Report{}) {
			t.Errorf("%s: stored %d lists, report %+v; want nothing stored", tc.name, len(all), rep)
		}
	}
}
