package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/seeds"
)

// seed loads the sample content from seeds/, or from DIR. A mistake in
// DIR's files is bad usage, said with the file, the line or entry and
// what to fix; nothing is stored then.
func (m *Main) seed(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("seed", args, nil)
	if err != nil {
		return err
	}
	fsys := seeds.FS()
	switch len(rest) {
	case 0:
	case 1:
		const want = "a folder that holds lists.json, subscribers.csv and articles/, like seeds/ in the source, or nothing for the sample content"
		if st, err := os.Stat(rest[0]); err != nil {
			return fileArgError(rest[0], want, err)
		} else if !st.IsDir() {
			return usagef("seed: %s is not a folder: give %s", rest[0], want)
		}
		fsys = os.DirFS(rest[0])
	default:
		return usagef("seed takes at most one folder")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	// Erased addresses are known by a hash keyed by the secret: keyed
	// as serve keys it, or seed would not know them and would add their
	// owners back.
	if m.app.Secret, err = m.openSecret(ctx); err != nil {
		return err
	}
	m.app.Subscribers.SetSecret(m.app.Secret)
	l := &seeds.Loader{Subscribers: m.app.Subscribers, Articles: m.app.Articles}
	if len(rest) == 0 {
		// The sample newspaper is dated as of now, so that its first
		// digest has stories; a folder's articles keep their own dates.
		l.Now = time.Now
	}
	rep, err := l.Load(ctx, fsys)
	var mistake *seeds.Mistake
	switch {
	case len(rest) == 1 && errors.Is(err, fs.ErrNotExist):
		return usagef("%s: %v (a seed folder holds lists.json, subscribers.csv and articles/, like seeds/ in the source)", rest[0], err)
	case len(rest) == 1 && errors.As(err, &mistake):
		in := *mistake
		in.File = filepath.Join(rest[0], in.File)
		return usagef("%v", &in)
	case err != nil:
		return err
	}
	fmt.Fprintf(m.Stdout, "seeded: %s, %s, %s added", plural(rep.Lists, "list"), plural(rep.Articles, "article"), plural(rep.Subscribers, "subscriber"))
	if k := rep.Kept; k.Total() > 0 {
		fmt.Fprintf(m.Stdout, "; there already, and left as they are: %s", keptKinds(k))
	}
	if rep.Erased > 0 {
		fmt.Fprintf(m.Stdout, "; %s skipped, since seed never brings back an address erased at its owner's request", plural(rep.Erased, "erased reader"))
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

// keptKinds names what a seed found stored already, kind by kind, leaving
// out the kinds it found none of: "3 lists, 12 articles and 20
// subscribers".
func keptKinds(k seeds.Kept) string {
	var parts []string
	for _, kind := range []struct {
		n    int
		noun string
	}{{k.Lists, "list"}, {k.Articles, "article"}, {k.Subscribers, "subscriber"}} {
		if kind.n > 0 {
			parts = append(parts, plural(kind.n, kind.noun))
		}
	}
	return prose.And(parts)
}
