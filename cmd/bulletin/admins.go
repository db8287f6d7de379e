package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// admin runs "admin create EMAIL", "admin list" and "admin delete EMAIL".
func (m *Main) admin(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("admin", args, nil)
	if err != nil {
		return err
	}
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case sub == "create" && len(rest) == 2:
		return m.adminCreate(ctx, rest[1])
	case sub == "create":
		return usagef("use: bulletin admin create EMAIL (password on stdin)")
	case sub == "list" && len(rest) == 1:
		return m.adminList(ctx)
	case sub == "list":
		return usagef("use: bulletin admin list (it takes no arguments)")
	case sub == "delete" && len(rest) == 2:
		return m.adminDelete(ctx, rest[1])
	case sub == "delete":
		return usagef("use: bulletin admin delete EMAIL")
	}
	return usagef("use: bulletin admin create EMAIL | admin list | admin delete EMAIL")
}

// adminCreate creates an admin or resets its password, reading the
// password from the first line of stdin. A reset ends the admin's sessions.
func (m *Main) adminCreate(ctx context.Context, email string) error {
	if f, ok := m.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(m.Stderr, "Password: ")
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return usagef("give the password on stdin, like: echo 'long secret phrase' | bulletin admin create %s", email)
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	created, ended, err := m.app.Admins.ResetAdmin(ctx, email, password)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(m.Stdout, "admin %s created\n", email)
	} else {
		fmt.Fprintf(m.Stdout, "password reset for %s; %s ended\n", email, plural(ended, "session"))
	}
	return nil
}

func (m *Main) adminList(ctx context.Context) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	list, err := m.app.Admins.ListAdmins(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "EMAIL\tCREATED\tSESSIONS")
	for _, a := range list {
		fmt.Fprintf(w, "%s\t%s\t%d\n", a.Email, when(a.CreatedAt), a.Sessions)
	}
	return w.Flush()
}

func (m *Main) adminDelete(ctx context.Context, email string) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	ended, err := m.app.Admins.DeleteAdmin(ctx, email)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "admin %s deleted; %s ended\n", email, plural(ended, "session"))
	return nil
}

// token runs "token create NAME", "token list" and "token revoke NAME".
func (m *Main) token(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("token", args, nil)
	if err != nil {
		return err
	}
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case sub == "create" && len(rest) == 2:
		return m.tokenCreate(ctx, rest[1])
	case sub == "create":
		return usagef("use: bulletin token create NAME")
	case sub == "list" && len(rest) == 1:
		return m.tokenList(ctx)
	case sub == "list":
		return usagef("use: bulletin token list (it takes no arguments)")
	case sub == "revoke" && len(rest) == 2:
		return m.tokenRevoke(ctx, rest[1])
	case sub == "revoke":
		return usagef("use: bulletin token revoke NAME")
	}
	return usagef("use: bulletin token create NAME | token list | token revoke NAME")
}

// tokenCreate creates an API token and prints it once.
func (m *Main) tokenCreate(ctx context.Context, name string) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	secret, err := m.app.Admins.CreateToken(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, secret)
	fmt.Fprintln(m.Stderr, "Keep this token: it is shown only once. Send it as 'Authorization: Bearer TOKEN'.")
	return nil
}

func (m *Main) tokenList(ctx context.Context) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	list, err := m.app.Admins.ListTokens(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tCREATED\tLAST USED")
	for _, t := range list {
		used := "never"
		if !t.LastUsedAt.IsZero() {
			used = when(t.LastUsedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", t.Name, when(t.CreatedAt), used)
	}
	return w.Flush()
}

func (m *Main) tokenRevoke(ctx context.Context, name string) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	n, err := m.app.Admins.RevokeToken(ctx, name)
	if err != nil {
		return err
	}
	if n == 1 {
		fmt.Fprintf(m.Stdout, "token %s revoked\n", name)
	} else {
		fmt.Fprintf(m.Stdout, "%d tokens named %s revoked\n", n, name)
	}
	return nil
}

// when formats a stored time for a listing, in UTC to the minute.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
