package main

import (
	"context"
	"fmt"
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
