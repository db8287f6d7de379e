package seeds

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A seedReader is a subscriber of the seed with its line in
// subscribers.csv.
type seedReader struct {
	line int
	sub  *subscribers.Subscriber
}

// readSubscribers reads and checks subscribers.csv: each address and name
// as a signup takes them, a status the store knows, and lists that are in
// lists or stored already.
func (l *Loader) readSubscribers(ctx context.Context, fsys fs.FS, lists []*subscribers.List) ([]seedReader, error) {
	f, err := fsys.Open("subscribers.csv")
	if err != nil {
		return nil, fmt.Errorf("seed subscribers: %w", err)
	}
	defer f.Close()
	known := map[string]bool{}
	for _, list := range lists {
		known[list.Slug] = true
	}
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil || strings.Join(header, ",") != "email,name,lists,status" {
		return nil, &Mistake{File: "subscribers.csv", Where: "line 1", Msg: "the header must be email,name,lists,status"}
	}
	var out []seedReader
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return nil, &Mistake{File: "subscribers.csv", Where: fmt.Sprintf("line %d", perr.Line), Msg: perr.Err.Error()}
		} else if err != nil {
			return nil, fmt.Errorf("seed subscribers: %w", err)
		}
		line, _ := r.FieldPos(0)
		sub, why, err := l.seedSubscriber(ctx, rec, known)
		if err != nil {
			return nil, err
		}
		if why != "" {
			return nil, &Mistake{File: "subscribers.csv", Where: fmt.Sprintf("line %d", line), Msg: why}
		}
		out = append(out, seedReader{line, sub})
	}
}

// seedSubscriber makes the subscriber of one row of subscribers.csv, or
// says what is wrong with the row. known holds the slugs found to exist.
func (l *Loader) seedSubscriber(ctx context.Context, rec []string, known map[string]bool) (*subscribers.Subscriber, string, error) {
	sub := &subscribers.Subscriber{Status: strings.ToLower(strings.TrimSpace(rec[3]))}
	var why []string
	var msg string
	if sub.Email, msg = subscribers.NormalizeEmail(rec[0]); msg != "" {
		why = append(why, fmt.Sprintf("email %q: %s", rec[0], msg))
	}
	if sub.Name, msg = subscribers.NormalizeName(rec[1]); msg != "" {
		why = append(why, fmt.Sprintf("name %q: %s", rec[1], msg))
	}
	switch sub.Status {
	case "", subscribers.StatusPending, subscribers.StatusConfirmed, subscribers.StatusUnsubscribed, subscribers.StatusBounced:
	default:
		why = append(why, fmt.Sprintf("status %q: use pending, confirmed, unsubscribed or bounced", rec[3]))
	}
	for _, cell := range strings.Split(rec[2], ";") {
		slug := subscribers.SlugKey(cell) // "Weekly" names weekly
		if slug == "" || slices.Contains(sub.Lists, slug) {
			continue
		}
		if !known[slug] {
			_, err := l.Subscribers.ListBySlug(ctx, slug)
			if code := bulletin.ErrorCode(err); code == bulletin.ENOTFOUND {
				why = append(why, fmt.Sprintf("list %q: there is no such list; use the slug of one in lists.json, separated by ;", strings.TrimSpace(cell)))
				continue
			} else if err != nil {
				return nil, "", fmt.Errorf("seed subscribers: %w", err)
			}
			known[slug] = true
		}
		sub.Lists = append(sub.Lists, slug)
	}
	return sub, strings.Join(why, "; "), nil
}

func (l *Loader) storeSubscribers(ctx context.Context, readers []seedReader, rep *Report) error {
	for _, r := range readers {
		erased, err := l.Subscribers.Erased(ctx, r.sub.Email)
		if err != nil {
			return fmt.Errorf("seed subscribers.csv line %d: %w", r.line, err)
		}
		if erased {
			rep.Erased++
			continue
		}
		added, err := l.Subscribers.Seed(ctx, r.sub)
		if err != nil {
			return fmt.Errorf("seed subscribers.csv line %d: %w", r.line, err)
		}
		if added {
			rep.Subscribers++
		} else {
			rep.Kept.Subscribers++
		}
	}
	return nil
}
