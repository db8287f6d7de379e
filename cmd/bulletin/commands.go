package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/bulletinhq/bulletin/seeds"
)

// migrate brings the schema up to date (opening the database does it).
func (m *Main) migrate(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("migrate", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("migrate takes no arguments")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	names, err := m.app.DB.Migrations(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "database %s is up to date (%d migrations)\n", m.app.DB.Path, len(names))
	return nil
}

// seed loads the sample content from seeds/, or from DIR.
func (m *Main) seed(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("seed", args, nil)
	if err != nil {
		return err
	}
	fsys := seeds.FS()
	switch len(rest) {
	case 0:
	case 1:
		if st, err := os.Stat(rest[0]); err != nil || !st.IsDir() {
			return usagef("seed: %q is not a folder", rest[0])
		}
		fsys = os.DirFS(rest[0])
	default:
		return usagef("seed takes at most one folder")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	l := &seeds.Loader{Subscribers: m.app.Subscribers, Articles: m.app.Articles}
	rep, err := l.Load(ctx, fsys)
	if len(rest) == 1 && errors.Is(err, fs.ErrNotExist) {
		return usagef("%s: %v (a seed folder holds lists.json, subscribers.csv and articles/, like seeds/ in the source)", rest[0], err)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "seeded: %s, %s, %s added", plural(rep.Lists, "list"), plural(rep.Articles, "article"), plural(rep.Subscribers, "subscriber"))
	if rep.Kept > 0 {
		fmt.Fprintf(m.Stdout, "; %d were there already and were left as they are", rep.Kept)
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
