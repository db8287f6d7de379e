package articles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hibiken/asynq"
	"github.com/mmcdole/gofeed"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Poll fetches one feed, honouring its ETag and Last-Modified, and saves
// its items as articles of its list: the same URL twice is one article,
// and so is the same item (by its guid, or its link when it has none)
// polled again with a new link; an item whose article was deleted from
// the list is not stored again, by this feed or another of the list, for
// as long as it is in a feed (DeletedItemMemory). Nor is an item the
// feed does not know dated over a month before, once the feed has read
// its items before (mayBeForgotten). It returns how many articles it put
// on the feed's list (new ones, and stored ones that were not on it:
// saveItem), and records the poll: its status in words (the HTTP status,
// or the error), its error, and those articles in the feed's count of
// items. It forgets a few of the items the feed has not listed for a
// month (FeedItemMemory), or a year when undated (UndatedItemMemory), and
// of the deleted items (DeletedItemMemory), when it may find some: after
// a read of all its items (the feed's own deleted items), a day on, or to
// go on with a backlog (forgetClock). A poll that fails counts in the
// feed's failures in a row, and puts its next poll off (pollBackoff); one
// that works clears them.
func (f *Feeds) Poll(ctx context.Context, fd *Feed) (int, error) {
	return f.poll(ctx, fd, false, false)
}

// poll is Poll; asked is set for a poll someone asked for (adding or
// resuming a feed), which puts a failing feed's next poll off by the
// interval alone: a site being fixed is tried again soon, and then
// backs off again if it still fails. refusable is set for the first
// poll of a feed just added, which Add refuses (and deletes) when the
// poll shows the URL is no feed (notPollable): such a failure is not
// logged as a poll failed with a next poll to come, as none comes (Add
// logs the refusal).
func (f *Feeds) poll(ctx context.Context, fd *Feed, asked, refusable bool) (int, error) {
	added, etag, modified, status, err := f.fetch(ctx, fd)
	msg := ""
	failures, at := 0, f.now()
	var next *time.Time
	if err != nil {
		msg = clipRunes(err.Error(), 500)
		status = msg
		etag, modified = fd.etag, fd.lastModified
		failures = fd.Failures + 1
		wait := f.Interval
		if !asked {
			wait = f.pollBackoff(failures)
		}
		t := at.Add(wait)
		next = &t
		if np := (*notPollable)(nil); !refusable || !errors.As(err, &np) {
			f.log().Warn("feed poll failed", "feed", fd.ID, "status", msg, "failures", failures, "next_poll_at", t)
		}
	}
	if _, uerr := f.db.Write.ExecContext(ctx, `UPDATE feeds SET etag = ?, last_modified = ?, last_polled_at = ?, last_status = ?, last_error = ?,
		items = items + ?, failures = ?, next_poll_at = ? WHERE id = ?`, etag, modified, at, status, msg, added, failures, next, fd.ID); uerr != nil && err == nil {
		err = fmt.Errorf("record poll: %w", uerr)
	}
	// A few rows at each poll, so that no poll waits on a long write. The
	// feed's items first: a deleted item the feed gave undated is kept
	// while the feed remembers the item (forgettableDeleted).
	f.forgetItemsIfDue(ctx, fd.ID)
	f.forgetDeletedIfDue(ctx, fd)
	return added, err
}

// forgetItemsIfDue forgets a few of feed id's items (forgetItems) when
// its forgetClock says a search may find some.
func (f *Feeds) forgetItemsIfDue(ctx context.Context, id int64) {
	now := f.now()
	if !f.forgets.due(id, now) {
		return
	}
	_, more, err := f.forgetItems(ctx, id)
	if err != nil && ctx.Err() == nil {
		f.log().Warn("forgetting feed items failed", "feed", id, "error", err)
	}
	f.forgets.searched(id, now, more || err != nil)
}

// forgetDeletedIfDue forgets a few of the deleted feed items: those of
// fd (forgetFeedDeleted) when its feedDeletedForgets clock says a search
// may find some (after its read of all its items, say), and every list's
// (forgetDeleted) when deletedForgets says so (a day on), for the rows of
// no feed left and those that aged. The whole database's search walks
// every deleted item kept past DeletedItemMemory (those of feeds not read
// since, or that gave them undated). It ran at every poll, a 304
// included: with 15,000 such rows a 304 poll used 15-24 ms of CPU, not
// 0.1-0.3 ms, and so did every full read of any feed until the search
// after one was limited to the read feed's rows
// (BenchmarkPollWithOldFeedItems, deleted-kept and deleted-kept-full).
func (f *Feeds) forgetDeletedIfDue(ctx context.Context, fd *Feed) {
	f.forgetDeletedBy(ctx, &f.feedDeletedForgets, fd.ID, func() (int, bool, error) { return f.forgetFeedDeleted(ctx, fd) })
	f.forgetDeletedBy(ctx, &f.deletedForgets, deletedSearch, func() (int, bool, error) { return f.forgetDeleted(ctx, forgettableDeleted) })
}

// forgetDeletedBy runs search, of key on clock (a feed's id, or
// deletedSearch), when clock says it is due, and records it there.
func (f *Feeds) forgetDeletedBy(ctx context.Context, clock *forgetClock, key int64, search func() (int, bool, error)) {
	now := f.now()
	if !clock.due(key, now) {
		return
	}
	_, more, err := search()
	if err != nil && ctx.Err() == nil {
		args := []any{"error", err}
		if key != deletedSearch {
			args = append(args, "feed", key)
		}
		f.log().Warn("forgetting deleted feed items failed", args...)
	}
	clock.searched(key, now, more || err != nil)
}

// fetch gets and saves the feed's items. Its status is the HTTP status
// in words when the feed was fetched and parsed, followed by a note of the
// items it skipped and why ("200 OK; 2 items skipped: no link"); on an
// error, the error says what went wrong, in words an admin can act on; a
// *notPollable when it shows the URL is no feed to poll. An item that
// failed to save is an error too, one that still counts the items the
// other saves put on the list.
func (f *Feeds) fetch(ctx context.Context, fd *Feed) (added int, etag, modified, status string, err error) {
	fp := feedPoll{feedID: fd.ID, feedURL: fd.URL, at: f.now(), readBefore: fd.fetched}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fd.URL, nil)
	if err != nil {
		// Go's words would quote the URL, and with it any key in its query.
		return 0, "", "", "", errors.New("the feed's URL is not a valid http(s) URL")
	}
	req.Header.Set("User-Agent", "Bulletin feed poller")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
	if fd.etag != "" {
		req.Header.Set("If-None-Match", fd.etag)
	}
	if fd.lastModified != "" {
		req.Header.Set("If-Modified-Since", fd.lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, "", "", "", f.fetchFailed(err, false)
	}
	defer resp.Body.Close()
	etag, modified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	// The server's own reason phrase could say anything; ours is plain.
	status = strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return 0, fd.etag, fd.lastModified, status + movedNote(resp), nil
	case resp.StatusCode != http.StatusOK:
		return 0, "", "", "", answered(resp.StatusCode, status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.MaxBytes+1))
	if err != nil {
		return 0, "", "", "", f.fetchFailed(err, true)
	}
	if int64(len(body)) > f.MaxBytes {
		return 0, "", "", "", pollRefused(fmt.Errorf("the feed is over %s, the most Bulletin reads: have the site list fewer items, or shorter ones", byteSize(f.MaxBytes)))
	}
	// The original feed is kept for what the universal items lose: an RSS
	// item's guid is its link when it is a permalink.
	parser := gofeed.NewParser()
	parser.KeepOriginalFeed = true
	parsed, err := parser.Parse(bytes.NewReader(body))
	if err != nil {
		return 0, "", "", "", pollRefused(notAFeed(err, body, resp))
	}
	srcs := itemSources(parsed, body)
	// The new ETag and Last-Modified are kept only when every item was
	// taken: with them the next poll is a 304, so an item whose save
	// failed for a passing reason (a busy database, a cancelled poll)
	// would be lost until the feed changes. An item that can never be
	// saved (one Save refuses as invalid) is skipped for good instead,
	// or the feed would be fetched in full at every poll for it.
	var failed int
	var saveErr error
	var skips skipped
	old := f.oldNews(fd)
	guids := itemGUIDs(parsed.Items, fd.URL, resp.Request.URL.String(), parsed.FeedLink, parsed.Link)
	for i, it := range parsed.Items {
		a, why := itemArticle(it, srcs[i], fd.List, resp.Request.URL)
		if a == nil {
			skips.add(why)
			continue
		}
		joined, err := f.articles.saveItem(ctx, fp, newItemKey(guids[i], a.URL), a, old(a))
		switch {
		case errors.Is(err, errLongGone):
			skips.add(err.Error())
			continue
		case bulletin.ErrorCode(err) == bulletin.EINVALID:
			skips.add(refusal(err))
			continue
		case err != nil:
			failed++
			if saveErr == nil {
				saveErr = err
			}
			continue
		}
		if joined {
			added++
		}
	}
	note := skips.note()
	if note != "" {
		f.log().Info("feed items skipped", "feed", fd.ID, "skipped", skips.total(), "why", strings.TrimPrefix(note, "; "))
	}
	if failed > 0 {
		return added, "", "", "", fmt.Errorf("%d of the feed's items could not be saved, and are fetched again at the next poll: %w%s", failed, saveErr, note)
	}
	if err := f.fetchedAll(ctx, fp); err != nil {
		return added, "", "", "", err
	}
	return added, etag, modified, status + movedNote(resp) + note, nil
}

// movedNote is what a feed's status adds when the feed's URL redirected
// for good (301 or 308 at every step) to the one resp came from: the site
// moved its feed (to https, say), and the old URL works only while the
// site keeps the redirect. "" for no redirect or a passing one.
func movedNote(resp *http.Response) string {
	moved := false
	for r := resp.Request; r.Response != nil; r = r.Response.Request {
		if code := r.Response.StatusCode; code != http.StatusMovedPermanently && code != http.StatusPermanentRedirect {
			return ""
		}
		moved = true
	}
	if !moved {
		return ""
	}
	return "; the feed moved permanently to " + clipRunes(resp.Request.URL.String(), 300) + ": add that URL as a feed and delete this one"
}

// refusal is why Save refused an item, by the fields it named: "invalid
// title", "invalid url".
func refusal(err error) string {
	fields := slices.Sorted(maps.Keys(bulletin.ErrorFields(err)))
	if len(fields) == 0 {
		return "refused"
	}
	return "invalid " + strings.Join(fields, " and ")
}

// itemArticle is the article of one feed item, or nil and why not when
// it has no link ("no link") or one that is not an http or https URL
// ("link not http(s)"). The item's link is its RSS guid when it has no
// other and that is a permalink. A relative link (Atom allows them) is
// read against base, the URL the feed came from; a title is cut to the
// 300 characters an article may have, not refused. src says how the
// item's texts are written: only markup loses its tags.
func itemArticle(it *gofeed.Item, src itemSource, list string, base *url.URL) (*Article, string) {
	link := strings.TrimSpace(it.Link)
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	if link == "" {
		link = src.permalink
	}
	if link == "" {
		return nil, "no link"
	}
	u, err := url.Parse(link)
	if err == nil && !u.IsAbs() && base != nil {
		u = base.ResolveReference(u)
		link = u.String()
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "link not http(s)"
	}
	a := &Article{Title: clipRunes(feedText(it.Title, src.title), 300), URL: link, Lists: []string{list}}
	a.Summary = clipRunes(feedText(it.Description, src.summary), 1000)
	if a.Summary == "" {
		a.Summary = clipRunes(feedText(it.Content, src.content), 1000)
	}
	if a.Title == "" {
		// RSS items need a title or a description, not both: a
		// microblog's posts have none. Their first words say more in a
		// digest, and in its subject, than the link does.
		a.Title = clipWords(a.Summary, untitledRunes)
	}
	if a.Title == "" {
		a.Title = linkTitle(link)
	}
	if len(it.Authors) > 0 && it.Authors[0] != nil {
		// Plain text by the specs, but written with markup at times, as
		// RSS titles are.
		a.Author = clipRunes(feedText(it.Authors[0].Name, textGuess), 200)
	}
	a.ImageURL, a.ImageAlt, a.ImageWidth, a.ImageHeight = itemImage(it)
	// An item without a date is dated when first saved, and keeps that
	// date: saving it again must not make it new to digests again.
	switch {
	case it.PublishedParsed != nil:
		a.PublishedAt = *it.PublishedParsed
	case it.UpdatedParsed != nil:
		a.PublishedAt = *it.UpdatedParsed
	}
	return a, ""
}

// plain is text from a feed's HTML, on one line: the text of its
// elements, entities decoded, without what a page never shows as text
// (scripts, styles, embedded frames and objects). The text on either side
// of a block element or a line break stays apart: "<p>Tables.</p><p>Ferries
// leave.</p>" is "Tables. Ferries leave.", not "Tables.Ferries leave.".
// What only looks like a tag (textTag: "<T>" in "<p>Use Vec<T></p>", a
// name no HTML element has) is text, kept as written: it lost its
// brackets with the real tags beside it, "Use Vec".
func plain(s string) string {
	var b strings.Builder
	skip := 0 // depth inside elements whose content is not text
	pos := 0  // how much of s the tokens read so far hold
	// The names no element has whose tags were markup all the same
	// ("<x onclick=…>"): their end tags are markup too.
	var tags map[string]bool
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		rest := s[min(pos, len(s)):]
		pos += len(z.Raw())
		switch tt {
		case xhtml.ErrorToken:
			// A tag the text ends in before its ">" is dropped by the
			// tokenizer: "Vec<T" at the end of a cut excerpt is text.
			if skip == 0 && textTagStart(rest) {
				b.WriteString(rest)
			}
			return strings.Join(strings.Fields(b.String()), " ")
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			// Read before TagName, which folds the name in place.
			raw := string(z.Raw())
			name, hasAttr := z.TagName()
			// The token's kind, read in a switch: an == on a name ending in
			// Token reads as a secret's to TestSecretsAreComparedInConstantTime.
			var isStart, isEnd bool
			switch tt {
			case xhtml.StartTagToken:
				isStart = true
			case xhtml.EndTagToken:
				isEnd = true
			}
			a := atom.Lookup(name)
			text := textTag(z, raw, string(name), hasAttr)
			switch {
			case text && isEnd && tags[string(name)]:
				text = false
			case !text && !isEnd && !specElements[string(name)]:
				if tags == nil {
					tags = map[string]bool{}
				}
				tags[string(name)] = true
			}
			if text || (isStart && !hasAttr && unclosedHidden(a, s[min(pos, len(s)):])) {
				if skip == 0 {
					b.WriteString(raw)
				}
				continue
			}
			var opens, closes bool
			switch tt {
			case xhtml.StartTagToken:
				opens = true
			case xhtml.EndTagToken:
				closes = true
			}
			switch {
			case hiddenElements[a] && opens:
				skip++
			case hiddenElements[a] && closes && skip > 0:
				skip--
			case breakElements[a]:
				b.WriteByte(' ')
			}
		}
	}
}

// textTagStart reports whether rest, what the tokenizer left unread at
// the end of a text, is the start of a tag cut before its ">" that would
// be text (textTag): "<T" or "<K, V", not "<a href=…" nor "<script".
func textTagStart(rest string) bool {
	if len(rest) < 2 || rest[0] != '<' || !isASCIILetter(rest[1]) || strings.ContainsAny(rest[1:], "<>=\x00") {
		return false
	}
	written := strings.FieldsFunc(rest[1:], func(r rune) bool { return r == '/' || unicode.IsSpace(r) })[0]
	name := strings.ToLower(written)
	for attr := range strings.FieldsSeq(rest[1+len(written):]) {
		if attr = strings.ToLower(attr); strings.HasPrefix(attr, "on") || strings.HasPrefix(attr, "style") {
			return false
		}
	}
	return !specElements[name] && !strings.Contains(name, "-") && !strings.Contains(name, ":")
}

// unclosedHidden reports whether a is a hidden element (hiddenElements)
// whose content the tokenizer reads as markup, and rest, what follows
// its start tag, has no end tag of it: "<Object>" in "<p>List<Object>
// here</p>" is a type's name, not an object hiding the rest of the text.
// An element whose content is raw text (a script, a style, a title) is
// hidden to the end, closed or not.
func unclosedHidden(a atom.Atom, rest string) bool {
	switch a {
	case atom.Object, atom.Template, atom.Frameset:
		return !strings.Contains(strings.ToLower(rest), "</"+a.String())
	}
	return false
}

// hiddenElements are the elements whose content is not text a reader
// sees, as bluemonday's policies skip it.
var hiddenElements = map[atom.Atom]bool{
	atom.Frameset: true, atom.Iframe: true, atom.Noembed: true, atom.Noframes: true, atom.Noscript: true,
	atom.Object: true, atom.Script: true, atom.Style: true, atom.Template: true, atom.Title: true,
}

// breakElements are the elements that part the text before them from the
// text after: blocks, line breaks and images.
var breakElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Br: true,
	atom.Caption: true, atom.Dd: true, atom.Details: true, atom.Div: true, atom.Dl: true, atom.Dt: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hr: true,
	atom.Img: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true,
	atom.Td: true, atom.Tfoot: true, atom.Th: true, atom.Thead: true, atom.Tr: true, atom.Ul: true,
}

// untitledRunes is how much of its text an untitled item's title takes.
const untitledRunes = 80

// clipWords is s cut to at most n runes at a word boundary, with an
// ellipsis when cut; a first word longer than n is cut within.
func clipWords(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-—–") + "…"
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// HandlePoll handles feed:poll: it polls the feeds that are due.
func (f *Feeds) HandlePoll(ctx context.Context, t *asynq.Task) error {
	_, err := f.PollDue(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
