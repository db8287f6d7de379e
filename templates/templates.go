// Package templates holds Bulletin's page and mail templates, embedded in
// the binary and parsed once at start-up. A folder on disk with the same
// layout can override any file.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/mailer"
)

//go:embed layout/*.html pages/*.html mail/*
var embedded embed.FS

// Templates are the parsed page and mail templates.
type Templates struct {
	pages    map[string]*htmltemplate.Template
	mailHTML map[string]*htmltemplate.Template
	mailText map[string]*texttemplate.Template
	brand    atomic.Pointer[func() Brand] // see SetBrand

	// from are the templates a Clone copies each page from, the first
	// time it renders the page (under mu); nil for Load's.
	from *Templates
	mu   sync.Mutex
}

// Load parses every template, taking a file from dir when dir is not empty
// and has it, else the embedded one. A missing or broken file fails here,
// not at the first request.
func Load(dir string) (*Templates, error) {
	fsys := fs.FS(embedded)
	if dir != "" {
		fsys = overlay{dir: os.DirFS(dir), base: embedded}
	}
	t := &Templates{
		pages:    map[string]*htmltemplate.Template{},
		mailHTML: map[string]*htmltemplate.Template{},
		mailText: map[string]*texttemplate.Template{},
	}
	if err := t.loadPages(fsys); err != nil {
		return nil, err
	}
	if err := t.loadMail(fsys); err != nil {
		return nil, err
	}
	return t, nil
}

// Clone returns templates that render as t does, with a brand of their
// own: DefaultBrand until their SetBrand. It is for tests, which give
// each server templates of its own: Load parses every template again, the
// slowest part of a test's server under the race detector, where a clone
// copies only the pages it renders, the first time it renders each, and
// shares t's mail, which takes its brand from its data. html/template
// copies only a template not yet executed: t itself must render nothing.
func (t *Templates) Clone() *Templates {
	if t.from != nil {
		t = t.from
	}
	return &Templates{
		pages:    map[string]*htmltemplate.Template{},
		mailHTML: t.mailHTML,
		mailText: t.mailText,
		from:     t,
	}
}

// page is the template of the page called name: for a Clone, a copy of
// its original's made the first time.
func (t *Templates) page(name string) (*htmltemplate.Template, error) {
	if t.from == nil {
		tmpl, ok := t.pages[name]
		if !ok {
			return nil, fmt.Errorf("no page template %q", name)
		}
		return tmpl, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tmpl, ok := t.pages[name]; ok {
		return tmpl, nil
	}
	orig, ok := t.from.pages[name]
	if !ok {
		return nil, fmt.Errorf("no page template %q", name)
	}
	tmpl, err := orig.Clone()
	if err != nil {
		return nil, fmt.Errorf("copy page template %s: %w", name, err)
	}
	tmpl.Funcs(htmltemplate.FuncMap{"brand": t.currentBrand})
	t.pages[name] = tmpl
	return tmpl, nil
}

// Funcs are available to every template.
var Funcs = map[string]any{
	"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") },
	// datetime is date with the time of day: "3 December 2026, 10:00 UTC".
	"datetime": func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
	// capital starts s with a capital letter: "monday" is "Monday".
	"capital": capital,
	"day":     func(t time.Time) string { return t.UTC().Format("2 Jan") },
	"year":    func() int { return time.Now().Year() },
	"upper":   strings.ToUpper,
	"count":   count,
	"grouped": grouped,
	// address is an email address with its domain as people write it
	// (mailer.AddressForPeople): a reader who typed 例え.jp is shown
	// 例え.jp.
	"address": mailer.AddressForPeople,
	// listed names items as a sentence does (prose.And): "The Weekly and
	// Daily Tides", "a, b and c".
	"listed": prose.And,
}

// capital is s with its first letter upper case, for a value stored in
// lower case that starts a name: {{capital .DigestWeekday}} is "Monday".
func capital(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// count is n with unit, a plural, made singular for one, its digits
// grouped: {{count .Sent "messages"}} is "1 message" or "3,500 messages".
// n is any integer.
func count(n any, unit string) (string, error) {
	digits, err := grouped(n)
	if err != nil {
		return "", fmt.Errorf("count: %w", err)
	}
	if digits == "1" {
		unit = strings.TrimSuffix(unit, "s")
	}
	return digits + " " + unit, nil
}

// grouped is n in English digit groups, "1,234,567", for counts read by
// people. n is any integer. The grouping is prose.Number's, which the
// admin's charts and messages use too, so that a count reads alike in a
// table and in a sentence.
func grouped(n any) (string, error) {
	v := reflect.ValueOf(n)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return prose.Number(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return prose.Number(v.Uint()), nil
	default:
		return "", fmt.Errorf("%T is not an integer", n)
	}
}

func (t *Templates) loadPages(fsys fs.FS) error {
	layouts, err := fs.Glob(embedded, "layout/*.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(embedded, "pages/*.html")
	if err != nil {
		return err
	}
	for _, name := range names {
		files := append(append([]string{}, layouts...), name) // the page last, so its "title" and "content" replace the layout's defaults
		tmpl, err := htmltemplate.New(path.Base(name)).Funcs(Funcs).Funcs(htmltemplate.FuncMap{"brand": t.currentBrand}).ParseFS(fsys, files...)
		if err != nil {
			return fmt.Errorf("parse template %s: %w", name, err)
		}
		t.pages[strings.TrimSuffix(path.Base(name), ".html")] = tmpl
	}
	return nil
}

func (t *Templates) loadMail(fsys fs.FS) error {
	names, err := fs.Glob(embedded, "mail/*")
	if err != nil {
		return err
	}
	for _, name := range names {
		base := path.Base(name)
		switch {
		case strings.HasPrefix(base, "_"):
			continue // partials, parsed with each mail
		case strings.HasSuffix(base, ".html"):
			tmpl, err := htmltemplate.New(base).Funcs(Funcs).ParseFS(fsys, name, "mail/_*.html")
			if err != nil {
				return fmt.Errorf("parse template %s: %w", name, err)
			}
			t.mailHTML[strings.TrimSuffix(base, ".html")] = tmpl
		case strings.HasSuffix(base, ".txt"):
			tmpl, err := texttemplate.New(base).Funcs(Funcs).ParseFS(fsys, name)
			if err != nil {
				return fmt.Errorf("parse template %s: %w", name, err)
			}
			t.mailText[strings.TrimSuffix(base, ".txt")] = tmpl
		}
	}
	return nil
}

// Page renders the page called name (pages/NAME.html within the layout).
// It renders into a buffer first, so a failure never leaves half a page.
func (t *Templates) Page(w io.Writer, name string, data any) error {
	return t.render(w, "layout", name, data)
}

// PagePart renders the template part defines within the page called
// name, alone, as the HTML it is: the embed page's snippet, which the page
// then shows as text to copy.
func (t *Templates) PagePart(w io.Writer, name, part string, data any) error {
	return t.render(w, part, name, data)
}

// Admin renders the admin page called name within the admin layout.
func (t *Templates) Admin(w io.Writer, name string, data any) error {
	return t.render(w, "admin", name, data)
}

func (t *Templates) render(w io.Writer, layout, name string, data any) error {
	tmpl, err := t.page(name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, layout, data); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// Mail renders the mail called name into its text and HTML parts.
func (t *Templates) Mail(name string, data any) (text, html string, err error) {
	ht, ok1 := t.mailHTML[name]
	tt, ok2 := t.mailText[name]
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("mail template %q needs both mail/%[1]s.html and mail/%[1]s.txt", name)
	}
	var tb, hb bytes.Buffer
	if err := tt.Execute(&tb, data); err != nil {
		return "", "", fmt.Errorf("render mail %s: %w", name, err)
	}
	if err := ht.Execute(&hb, data); err != nil {
		return "", "", fmt.Errorf("render mail %s: %w", name, err)
	}
	return tb.String(), hb.String(), nil
}

// overlay serves a file from dir when it exists there, else from base:
// the folder of BULLETIN_TEMPLATES over the embedded files. It lists a
// folder as the union of both, so a pattern such as mail/_*.html finds
// the built-in partials beside the folder's own, whichever files the
// folder holds.
type overlay struct {
	dir  fs.FS
	base fs.FS
}

var _ fs.ReadDirFS = overlay{}

// Open opens name from dir, or from base when dir has no such file. A
// file dir has but cannot open is an error, not a silent fallback to the
// built-in one.
func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.dir.Open(name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	return o.base.Open(name)
}

// ReadDir lists name in both, dir's entry winning where both have one,
// sorted by name as fs.ReadDir is.
func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	mine, err := fs.ReadDir(o.dir, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	builtin, berr := fs.ReadDir(o.base, name)
	if berr != nil && !errors.Is(berr, fs.ErrNotExist) {
		return nil, berr
	}
	if err != nil && berr != nil {
		return nil, err
	}
	byName := map[string]fs.DirEntry{}
	for _, e := range builtin {
		byName[e.Name()] = e
	}
	for _, e := range mine {
		byName[e.Name()] = e
	}
	out := make([]fs.DirEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}
