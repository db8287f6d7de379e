package main

import (
	"context"
	"fmt"
	"strings"
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
	m.migrating = true // it says what it applied itself, on stdout
	if err := m.openDB(ctx); err != nil {
		return err
	}
	names, err := m.app.DB.Migrations(ctx)
	if err != nil {
		return err
	}
	// Said apart, so that an operator can tell an upgrade's migrations
	// from a run that found nothing to do.
	if applied := m.app.DB.Applied; len(applied) > 0 {
		fmt.Fprintf(m.Stdout, "applied %s: %s\n", plural(len(applied), "migration"), strings.Join(applied, ", "))
	} else {
		fmt.Fprintln(m.Stdout, "no migration to apply")
	}
	fmt.Fprintf(m.Stdout, "database %s is up to date (%d migrations)\n", m.app.DB.Path, len(names))
	return nil
}
