package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

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
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "seeded: %d lists, %d articles, %d subscribers added (the rest were there already)\n",
		rep.Lists, rep.Articles, rep.Subscribers)
	return nil
}

// token creates an API token and prints it once.
func (m *Main) token(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("token", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 2 || rest[0] != "create" {
		return usagef("use: bulletin token create NAME")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	secret, err := m.app.Admins.CreateToken(ctx, rest[1])
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, secret)
	fmt.Fprintln(m.Stderr, "Keep this token: it is shown only once. Send it as 'Authorization: Bearer TOKEN'.")
	return nil
}

// admin creates an admin (or resets its password), reading the password
// from the first line of stdin.
func (m *Main) admin(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("admin", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 2 || rest[0] != "create" {
		return usagef("use: bulletin admin create EMAIL (password on stdin)")
	}
	if f, ok := m.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(m.Stderr, "Password: ")
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return usagef("give the password on stdin, like: echo 'long secret phrase' | bulletin admin create %s", rest[1])
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	created, err := m.app.Admins.SetAdmin(ctx, rest[1], password)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(m.Stdout, "admin %s created\n", rest[1])
	} else {
		fmt.Fprintf(m.Stdout, "admin %s exists; password changed\n", rest[1])
	}
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
