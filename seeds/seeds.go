// Package seeds holds Bulletin's sample content, an invented harbour-town
// newspaper with its lists, articles and demo readers, and loads it.
// Loading twice changes nothing.
package seeds

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/subscribers"
)

//go:embed lists.json subscribers.csv articles/*.md
var embedded embed.FS

// FS returns the embedded sample content.
func FS() fs.FS { return embedded }

// A Report counts what a load added; everything else was there already.
type Report struct {
	Lists, Articles, Subscribers int
	// Kept counts the lists, articles and subscribers of the seed that
	// were stored already, and were left as they are.
	Kept int
}

// Loader loads seed content into the stores.
type Loader struct {
	Subscribers *subscribers.Store
	Articles    *articles.Store
}

// Load reads lists.json, articles/*.md and subscribers.csv from fsys and
// stores what is missing.
func (l *Loader) Load(ctx context.Context, fsys fs.FS) (Report, error) {
	var rep Report
	if err := l.loadLists(ctx, fsys, &rep); err != nil {
		return rep, err
	}
	if err := l.loadArticles(ctx, fsys, &rep); err != nil {
		return rep, err
	}
	if err := l.loadSubscribers(ctx, fsys, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

func (l *Loader) loadLists(ctx context.Context, fsys fs.FS, rep *Report) error {
	buf, err := fs.ReadFile(fsys, "lists.json")
	if err != nil {
		return fmt.Errorf("seed lists: %w", err)
	}
	var lists []*subscribers.List
	if err := json.Unmarshal(buf, &lists); err != nil {
		return fmt.Errorf("seed lists: lists.json: %w", err)
	}
	for _, list := range lists {
		created, err := l.Subscribers.EnsureList(ctx, list)
		if err != nil {
			return fmt.Errorf("seed list %q: %w", list.Slug, err)
		}
		if created {
			rep.Lists++
		} else {
			rep.Kept++
		}
	}
	return nil
}

func (l *Loader) loadArticles(ctx context.Context, fsys fs.FS, rep *Report) error {
	names, err := fs.Glob(fsys, "articles/*.md")
	if err != nil {
		return fmt.Errorf("seed articles: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("seed articles: %w", err)
		}
		a, err := ParseArticle(buf)
		if err != nil {
			return fmt.Errorf("seed %s: %w", name, err)
		}
		created, err := l.Articles.Save(ctx, a)
		if err != nil {
			return fmt.Errorf("seed %s: %w", name, err)
		}
		if created {
			rep.Articles++
		} else {
			rep.Kept++
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

func (l *Loader) loadSubscribers(ctx context.Context, fsys fs.FS, rep *Report) error {
	f, err := fsys.Open("subscribers.csv")
	if err != nil {
		return fmt.Errorf("seed subscribers: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil || strings.Join(header, ",") != "email,name,lists,status" {
		return fmt.Errorf("seed subscribers: the header must be email,name,lists,status")
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("seed subscribers: %w", err)
		}
		sub := &subscribers.Subscriber{Email: rec[0], Name: rec[1], Status: rec[3]}
		for _, s := range strings.Split(rec[2], ";") {
			if s = strings.TrimSpace(s); s != "" {
				sub.Lists = append(sub.Lists, s)
			}
		}
		added, err := l.Subscribers.Seed(ctx, sub)
		if err != nil {
			return fmt.Errorf("seed subscribers.csv line %d: %w", line, err)
		}
		if added {
			rep.Subscribers++
		} else {
			rep.Kept++
		}
	}
}
