package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A list named with 100 characters has a slug of 58, which kept to one
// line on a laptop: the lists table grew to 1417 px in a card of about
// 1060, and every list's description and its "subscribers · form" links
// were cut off. The slug now wraps where it must, while a short one
// ("morning-brief") still keeps to one line. On a phone the list menus
// of the articles and feeds pages ran past their cards (816 and 835 px)
// with the long name chosen; they now keep to the card, as the
// subscribers page's menu does.
func TestLongListSlugAndNameKeepToTheCard(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	s, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.DigestDeps = DigestDeps{Feeds: articles.NewFeeds(db, s.Articles, false)}
	})
	ctx := context.Background()
	name := strings.TrimSpace(strings.Repeat("Very long list name ", 5))
	long := &subscribers.List{Slug: "very-long-list-name-very-long-list-name-very-long-list-name", Name: name, Public: true,
		Description: "Everything, at length."}
	for _, l := range []*subscribers.List{long, {Slug: "morning-brief", Name: "Morning brief", Public: true, Description: "The day's news at seven."}} {
		if err := s.Subscribers.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	b := browser33(t)
	login33(t, b, a.base)
	for _, v := range []view33{{390, "light"}, {1280, "light"}} {
		for _, path := range []string{"/admin/lists", "/admin/articles?list=" + long.Slug, "/admin/feeds"} {
			open33(t, b, v, a.base+path)
			lay37Shot(t, b, fmt.Sprintf("long-slug%s-%d", strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(path), v.width))
			if o := eval33[string](t, b, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", path, v, o)
			}
			// A select's value is clipped inside it, not counted in a
			// card's scroll width: measure the menus themselves.
			if o := eval33[string](t, b, `Array.prototype.map.call(document.querySelectorAll("main select"), function (s) {
				var card = s.closest(".card") || document.querySelector("main");
				var r = s.getBoundingClientRect(), c = card.getBoundingClientRect();
				return r.right > c.right + 1 ? "#" + s.id + " right=" + Math.round(r.right) + " card right=" + Math.round(c.right) : "";
			}).join(" ").trim()`); o != "" {
				t.Errorf("%s at %s: a menu runs past its card: %s", path, v, o)
			}
		}
		if v.width < 600 {
			continue
		}
		open33(t, b, v, a.base+"/admin/lists")
		if n := eval33[int](t, b, `lines(Array.prototype.find.call(document.querySelectorAll("table.lists code.slug"), function (c) { return c.innerText === "morning-brief" }))`); n != 1 {
			t.Errorf("at %s the slug morning-brief takes %d lines, want 1", v, n)
		}
		if !eval33[bool](t, b, `(function () {
			var card = document.querySelector("table.lists").closest(".card").getBoundingClientRect();
			return Array.prototype.every.call(document.querySelectorAll("table.lists td:last-child a"), function (a) {
				return a.getBoundingClientRect().right <= card.right;
			});
		})()`) {
			t.Errorf("at %s a list's subscribers or form link is past the card", v)
		}
	}
}
