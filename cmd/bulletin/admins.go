package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/prose"
)

// admin runs "admin create EMAIL", "admin list" and "admin delete EMAIL".
func (m *Main) admin(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("admin", args, nil)
	if err != nil {
		return err
	}
	return dispatch("admin", rest, []subcommand{
		{"create", "EMAIL", func(email string) error { return m.adminCreate(ctx, email) }},
		{"list", "", func(string) error { return m.adminList(ctx) }},
		{"delete", "EMAIL", func(email string) error { return m.adminDelete(ctx, email) }},
	})
}

// A subcommand is one verb of a command group: its name, the name of
// its one argument ("" when it takes none) and what runs it.
type subcommand struct {
	name, arg string
	run       func(arg string) error
}

// dispatch runs the subcommand of group that rest names, or says how to
// call it (exit status 2).
func dispatch(group string, rest []string, subs []subcommand) error {
	var uses []string
	for _, s := range subs {
		use := strings.TrimSpace(group + " " + s.name + " " + s.arg)
		uses = append(uses, use)
		if len(rest) == 0 || rest[0] != s.name {
			continue
		}
		switch {
		case s.arg == "" && len(rest) == 1:
			return s.run("")
		case s.arg != "" && len(rest) == 2:
			return s.run(rest[1])
		}
		return usagef("use: bulletin %s", use)
	}
	return usagef("use: bulletin %s", strings.Join(uses, " | "))
}

// adminCreate creates an admin or resets its password, read by
// readPassword. A reset ends the admin's sessions.
func (m *Main) adminCreate(ctx context.Context, email string) error {
	password, err := m.readPassword(ctx, email)
	if err != nil {
		return err
	}
	again := "bulletin admin create " + email
	m.newInFolder = true
	if err := m.openDB(ctx); err != nil {
		return m.dataDiskFull(err, again)
	}
	created, ended, err := m.app.Admins.ResetAdmin(ctx, email, password)
	if err != nil {
		return badInput(m.dataDiskFull(err, again))
	}
	if created {
		fmt.Fprintf(m.Stdout, "admin %s created\n", email)
	} else {
		fmt.Fprintf(m.Stdout, "password reset for %s; %s ended\n", email, plural(ended, "session"))
	}
	return nil
}

// readPassword reads the new password of email: typed twice at a prompt
// on stderr, without echo, when stdin is a terminal; else the first line
// of stdin, as in: echo 'long secret phrase' | bulletin admin create EMAIL.
func (m *Main) readPassword(ctx context.Context, email string) (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return m.promptPassword(ctx, int(f.Fd()), email)
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", usagef("give the password on stdin, like: echo 'long secret phrase' | bulletin admin create %s", email)
	}
	return password, nil
}

// promptPassword asks for the password on the terminal fd twice: typed
// unseen, a slip of the finger would otherwise set a password no one
// knows.
func (m *Main) promptPassword(ctx context.Context, fd int, email string) (string, error) {
	password, err := m.readHidden(ctx, fd, "Password for "+email+": ")
	if err != nil {
		return "", err
	}
	if password == "" {
		return "", usagef("type a password of at least 10 characters, or give it on stdin: echo 'long secret phrase' | bulletin admin create %s", email)
	}
	again, err := m.readHidden(ctx, fd, "Again: ")
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(again), []byte(password)) {
		return "", usagef("the two passwords differ; run bulletin admin create %s again and type the same one twice", email)
	}
	return password, nil
}

// readHidden writes prompt to stderr and reads a line from the terminal
// fd with its echo off. Ctrl-C, which ends ctx rather than the process,
// stops it at once, the terminal's settings put back; the read left
// waiting ends with the process, which exits then.
func (m *Main) readHidden(ctx context.Context, fd int, prompt string) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(m.Stderr, prompt)
	type line struct {
		b   []byte
		err error
	}
	read := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		read <- line{b, err}
	}()
	select {
	case l := <-read:
		fmt.Fprintln(m.Stderr) // the Enter typed was not echoed either
		if l.err != nil {
			return "", fmt.Errorf("read password: %w", l.err)
		}
		return string(l.b), nil
	case <-ctx.Done():
		term.Restore(fd, state)
		fmt.Fprintln(m.Stderr)
		return "", errors.New("interrupted: no password was set")
	}
}

func (m *Main) adminList(ctx context.Context) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	list, err := m.app.Admins.ListAdmins(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 { // a header alone looked like a listing that failed
		fmt.Fprintln(m.Stderr, "No admins yet: create one with bulletin admin create EMAIL, or at /admin/setup of serve.")
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "EMAIL\tCREATED\tSESSIONS")
	for _, a := range list {
		fmt.Fprintf(w, "%s\t%s\t%d\n", a.Email, when(a.CreatedAt), a.Sessions)
	}
	return w.Flush()
}

func (m *Main) adminDelete(ctx context.Context, email string) error {
	again := "bulletin admin delete " + email
	if err := m.openDB(ctx); err != nil {
		return m.dataDiskFull(err, again)
	}
	ended, err := m.app.Admins.DeleteAdmin(ctx, email)
	if err != nil {
		return badInput(seeList(m.dataDiskFull(err, again), "Run bulletin admin list to see the admins there are"))
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
	return dispatch("token", rest, []subcommand{
		{"create", "NAME", func(name string) error { return m.tokenCreate(ctx, name) }},
		{"list", "", func(string) error { return m.tokenList(ctx) }},
		{"revoke", "NAME", func(name string) error { return m.tokenRevoke(ctx, name) }},
	})
}

// tokenCreate creates an API token and prints it once.
func (m *Main) tokenCreate(ctx context.Context, name string) error {
	again := "bulletin token create " + name
	m.newInFolder = true
	if err := m.openDB(ctx); err != nil {
		return m.dataDiskFull(err, again)
	}
	secret, err := m.app.Admins.CreateToken(ctx, name)
	if err != nil {
		return badInput(m.dataDiskFull(err, again))
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
	if len(list) == 0 {
		fmt.Fprintln(m.Stderr, "No API tokens yet: create one with bulletin token create NAME, or at /admin/tokens.")
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tBEGINS\tCREATED\tLAST USED")
	for _, t := range list {
		used := "never"
		if !t.LastUsedAt.IsZero() {
			used = when(t.LastUsedAt)
		}
		// A token made before its start was kept shows a dash.
		begins := "-"
		if t.Start != "" {
			begins = t.Start + "…"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Name, begins, when(t.CreatedAt), used)
	}
	return w.Flush()
}

func (m *Main) tokenRevoke(ctx context.Context, name string) error {
	again := "bulletin token revoke " + name
	if err := m.openDB(ctx); err != nil {
		return m.dataDiskFull(err, again)
	}
	n, err := m.app.Admins.RevokeToken(ctx, name)
	if err != nil {
		return badInput(seeList(m.dataDiskFull(err, again), "Run bulletin token list to see the tokens there are"))
	}
	if n == 1 {
		fmt.Fprintf(m.Stdout, "token %s revoked\n", name)
	} else {
		fmt.Fprintf(m.Stdout, "%d tokens named %s revoked\n", n, name)
	}
	return nil
}

// dataDiskFull says, of a command stopped by a full disk (SQLite's
// SQLITE_FULL, or the system's ENOSPC or EDQUOT), that it changed
// nothing, and what to do, in the words import uses: admin create said
// only "commit: database or disk is full". A transaction stores all of
// its rows or none, so nothing was changed. again is the command to run
// again; any other err is returned as it is.
func (m *Main) dataDiskFull(err error, again string) error {
	if err == nil || diskFull(err) == nil {
		return err
	}
	return fmt.Errorf("the disk is full, so nothing was changed: free some space on the disk of the data folder %s, then run %s again",
		m.Config.Data, again)
}

// seeList adds to err, when it says that a name names nothing, how to
// see the names there are: a mistyped name was refused with no way to
// the right one.
func seeList(err error, see string) error {
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		return err
	}
	return bulletin.Errorf(bulletin.ENOTFOUND, "%s %s.", bulletin.ErrorMessage(err), see)
}

// when formats a stored time for a listing, in UTC to the minute.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// plural is n with noun, a singular: "1 article", "3 articles", n in
// plain digits as the commands' other figures are.
func plural(n int, noun string) string {
	return prose.CountDigits(n, noun, noun+"s")
}

// isAre is plural(n, noun) with its verb: "1 reader is", "3 readers are".
func isAre(n int, noun string) string {
	if n == 1 {
		return plural(n, noun) + " is"
	}
	return plural(n, noun) + " are"
}
