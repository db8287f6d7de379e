package seeds

import (
	"context"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// recentSpan is the most the articles a load dates relative to now are
// spread over: less than the week a list's first digest takes
// (campaigns.FirstWindow), so that it takes them all.
const recentSpan = 6 * 24 * time.Hour

// recentAge is how long before now the newest of them is dated.
const recentAge = time.Hour

// dates returns the date to store each of arts with: its file's, or, with
// l.Now, recentDates of them. A zero date is the store's to give.
func (l *Loader) dates(arts []seedArticle) []time.Time {
	out := make([]time.Time, len(arts))
	for i, sa := range arts {
		out[i] = sa.a.PublishedAt
	}
	if l.Now != nil {
		recentDates(out, l.Now())
	}
	return out
}

// recentDates moves the dates given in ds into the past week of now, in
// their order and proportions: the newest recentAge before now, the
// others before it, shifted, or squeezed when they span more than
// recentSpan; to the minute. A zero date stays zero.
func recentDates(ds []time.Time, now time.Time) {
	var oldest, newest time.Time
	for _, d := range ds {
		if d.IsZero() {
			continue
		}
		if oldest.IsZero() || d.Before(oldest) {
			oldest = d
		}
		if d.After(newest) {
			newest = d
		}
	}
	span := newest.Sub(oldest)
	end := now.Add(-recentAge)
	for i, d := range ds {
		if d.IsZero() {
			continue
		}
		age := newest.Sub(d)
		if span > recentSpan {
			age = time.Duration(float64(age) / float64(span) * float64(recentSpan))
		}
		ds[i] = end.Add(-age).Truncate(time.Minute).UTC()
	}
}

// saveArticle stores a new article of the seed dated at, or, when its URL
// is stored already, saves it as the seed always has: the stored article
// keeps its date (and an editor's text, see articles.Store.Save) and
// gains the seed's lists. It reports whether the article is new.
func (l *Loader) saveArticle(ctx context.Context, a *articles.Article, at time.Time) (bool, error) {
	p := &articles.Patch{Title: &a.Title, URL: &a.URL, Summary: &a.Summary, Body: &a.Body, Author: &a.Author, Lists: &a.Lists}
	if !at.IsZero() {
		p.PublishedAt = &at
	}
	_, err := l.Articles.Create(ctx, p)
	if bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		return err == nil, err
	}
	kept := *a
	kept.PublishedAt = time.Time{}
	return l.Articles.Save(ctx, &kept)
}
