// Package seeds holds Bulletin's sample content, an invented harbour-town
// newspaper with its lists, articles and demo readers, and loads it.
// Loading twice changes nothing.
package seeds

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

//go:embed lists.json subscribers.csv articles/*.md
var embedded embed.FS

// FS returns the embedded sample content.
func FS() fs.FS { return embedded }

// A Report counts what a load added; everything else was there already.
type Report struct {
	Lists, Articles, Subscribers int
	// Kept counts, by kind, the lists, articles and subscribers of the
	// seed that were stored already, and were left as they are.
	Kept Kept
	// Erased counts the subscribers of the seed whose address was erased
	// at its owner's request: a seed never brings one back.
	Erased int
}

// Kept is what a load found stored already, by kind.
type Kept struct {
	Lists, Articles, Subscribers int
}

// Total is every item kept.
func (k Kept) Total() int { return k.Lists + k.Articles + k.Subscribers }

// A Mistake is an error in the seed files, found before anything is
// stored: the file, where in it, and what to fix.
type Mistake struct {
	File  string // within the seed folder, like "subscribers.csv"
	Where string // like "line 3" or `list 2 ("news")`; empty for the whole file
	Msg   string // the field and what to put there
}

func (e *Mistake) Error() string {
	if e.Where == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + " " + e.Where + ": " + e.Msg
}

// Loader loads seed content into the stores.
type Loader struct {
	Subscribers *subscribers.Store
	Articles    *articles.Store
	// Now, when set, dates the articles the load adds relative to it
	// instead of by their files (see recentDates): the sample newspaper's
	// files are dated in November 2026, and a digest takes only the
	// articles published in its week, so a demo loaded later would have
	// none to send. An article stored already keeps its date.
	Now func() time.Time
}

// Load reads lists.json, articles/*.md and subscribers.csv from fsys and
// stores what is missing. Every file is checked first: a *Mistake in one
// stores nothing. A subscriber whose address was erased is skipped; the
// Subscribers store must be keyed (SetSecret) as serve's is to know one.
func (l *Loader) Load(ctx context.Context, fsys fs.FS) (Report, error) {
	var rep Report
	lists, err := readLists(fsys)
	if err != nil {
		return rep, err
	}
	arts, err := readArticles(fsys)
	if err != nil {
		return rep, err
	}
	readers, err := l.readSubscribers(ctx, fsys, lists)
	if err != nil {
		return rep, err
	}
	if err := l.storeLists(ctx, lists, &rep); err != nil {
		return rep, err
	}
	if err := l.storeArticles(ctx, arts, &rep); err != nil {
		return rep, err
	}
	return rep, l.storeSubscribers(ctx, readers, &rep)
}

// readLists reads and checks lists.json.
func readLists(fsys fs.FS) ([]*subscribers.List, error) {
	buf, err := fs.ReadFile(fsys, "lists.json")
	if err != nil {
		return nil, fmt.Errorf("seed lists: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields() // a misspelt key is said, not dropped
	var lists []*subscribers.List
	if err := dec.Decode(&lists); err != nil {
		return nil, jsonMistake("lists.json", buf, err)
	}
	for i, list := range lists {
		where := fmt.Sprintf("list %d", i+1)
		if list == nil {
			return nil, &Mistake{File: "lists.json", Where: where, Msg: `give an object like {"slug":"news","name":"News"}`}
		}
		if list.Slug != "" {
			where += fmt.Sprintf(" (%q)", list.Slug)
		}
		if err := list.Validate(); err != nil {
			return nil, &Mistake{File: "lists.json", Where: where, Msg: fieldsMessage(err)}
		}
	}
	return lists, nil
}

// jsonMistake says where in file (buf) the JSON decoder stopped, and why.
func jsonMistake(file string, buf []byte, err error) *Mistake {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	m := &Mistake{File: file, Msg: strings.TrimPrefix(err.Error(), "json: ")}
	switch {
	case errors.As(err, &syntax):
		m.Where = fmt.Sprintf("line %d", 1+bytes.Count(buf[:min(int(syntax.Offset), len(buf))], []byte("\n")))
	case errors.As(err, &typ):
		m.Where = fmt.Sprintf("line %d", 1+bytes.Count(buf[:min(int(typ.Offset), len(buf))], []byte("\n")))
		if typ.Field != "" {
			m.Msg = fmt.Sprintf("%s: give %s, not a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value)
		}
	}
	return m
}

// jsonKind names what JSON value a field of type t takes.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text in double quotes"
	case reflect.Slice, reflect.Array:
		return "a list in [ ]"
	}
	return "an object in { }"
}

// fieldsMessage is a validation error as one line: each bad field and
// what to put there, in the order of their names.
func fieldsMessage(err error) string {
	fields := bulletin.ErrorFields(err)
	if len(fields) == 0 {
		return bulletin.ErrorMessage(err)
	}
	var parts []string
	for name, why := range fields {
		parts = append(parts, name+": "+why)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (l *Loader) storeLists(ctx context.Context, lists []*subscribers.List, rep *Report) error {
	for _, list := range lists {
		created, err := l.Subscribers.EnsureList(ctx, list)
		if err != nil {
			return fmt.Errorf("seed list %q: %w", list.Slug, err)
		}
		if created {
			rep.Lists++
		} else {
			rep.Kept.Lists++
		}
	}
	return nil
}

// A seedArticle is an article of the seed with the file it came from.
type seedArticle struct {
	file string
	a    *articles.Article
}

// readArticles reads and checks articles/*.md.
func readArticles(fsys fs.FS) ([]seedArticle, error) {
	names, err := fs.Glob(fsys, "articles/*.md")
	if err != nil {
		return nil, fmt.Errorf("seed articles: %w", err)
	}
	sort.Strings(names)
	var out []seedArticle
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("seed articles: %w", err)
		}
		a, err := ParseArticle(buf)
		if err != nil {
			return nil, &Mistake{File: name, Msg: err.Error()}
		}
		check := *a // Validate dates an undated article now; Save leaves that to the store
		if err := check.Validate(); err != nil {
			return nil, &Mistake{File: name, Msg: fieldsMessage(err)}
		}
		out = append(out, seedArticle{name, a})
	}
	return out, nil
}

func (l *Loader) storeArticles(ctx context.Context, arts []seedArticle, rep *Report) error {
	dates := l.dates(arts)
	for i, sa := range arts {
		created, err := l.saveArticle(ctx, sa.a, dates[i])
		if bulletin.ErrorCode(err) == bulletin.EINVALID {
			return &Mistake{File: sa.file, Msg: fieldsMessage(err)}
		} else if err != nil {
			return fmt.Errorf("seed %s: %w", sa.file, err)
		}
		if created {
			rep.Articles++
		} else {
			rep.Kept.Articles++
		}
	}
	return nil
}

// ParseArticle reads an article file: a header of "key: value" lines
// between two "---" lines, then the Markdown body.
func ParseArticle(buf []byte) (*articles.Article, error) {
	sc := bufio.NewScanner(bytes.NewReader(buf))
	if !sc.Scan() || strings.TrimSpace(sc.Text()) != "---" {
		return nil, fmt.Errorf("the file must start with a --- line")
	}
	a := &articles.Article{}
	for {
		if !sc.Scan() {
			return nil, fmt.Errorf("the header has no closing --- line")
		}
		line := sc.Text()
		if strings.TrimSpace(line) == "---" {
			break
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("header line %q is not key: value", line)
		}
		if err := setField(a, strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return nil, err
		}
	}
	var body strings.Builder
	for sc.Scan() {
		body.WriteString(sc.Text())
		body.WriteByte('\n')
	}
	a.Body = strings.TrimSpace(body.String())
	return a, sc.Err()
}

func setField(a *articles.Article, key, value string) error {
	switch key {
	case "title":
		a.Title = value
	case "url":
		a.URL = value
	case "summary":
		a.Summary = value
	case "author":
		a.Author = value
	case "published_at":
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return fmt.Errorf("published_at: use RFC 3339, like 2026-11-20T08:30:00Z")
		}
		a.PublishedAt = t
	case "lists":
		for _, s := range strings.Split(value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				a.Lists = append(a.Lists, s)
			}
		}
	default:
		return fmt.Errorf("unknown header %q", key)
	}
	return nil
}
