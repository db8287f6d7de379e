package campaigns

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// Bounds of the archive's cache of rendered bodies: the issues read most
// are the last few sent, and a body may be 512 KiB of Markdown.
const (
	archiveCacheEntries = 64
	archiveCacheBytes   = 8 << 20
)

// archiveBodies holds the archive's renderings of campaign bodies, so a
// page read again is not rendered again: Markdown, sanitising and the
// personal fields cost a millisecond or more each view. The rendering is
// a function of the body alone (publicBody reads no setting, and the
// page's name, lists and layout are filled around it on each view), so
// an entry is known by its campaign and a hash of the body it was made
// from; a body changed under the same id is rendered anew. It is shared
// by the package's stores, as publicBody is theirs.
var archiveBodies = newBodyCache(archiveCacheEntries, archiveCacheBytes, publicBody)

// A bodyCache keeps the last renderings of bodies it was asked for, up to
// a number of entries and of bytes of HTML, dropping the least recently
// read first. It is safe for concurrent use; two views of a body not yet
// kept may both render it.
type bodyCache struct {
	render     func(body string) (string, error)
	maxEntries int
	maxBytes   int

	mu      sync.Mutex
	bytes   int
	order   *list.List // of *bodyEntry, most recently read first
	entries map[int64]*list.Element
}

type bodyEntry struct {
	id   int64
	sum  [sha256.Size]byte
	html string
}

func newBodyCache(maxEntries, maxBytes int, render func(string) (string, error)) *bodyCache {
	return &bodyCache{render: render, maxEntries: maxEntries, maxBytes: maxBytes,
		order: list.New(), entries: map[int64]*list.Element{}}
}

// get returns campaign id's body rendered, from the cache when it holds
// a rendering of this very body. A body that does not render is not
// kept: its error is returned each time.
func (c *bodyCache) get(id int64, body string) (string, error) {
	sum := sha256.Sum256([]byte(body))
	c.mu.Lock()
	if el, ok := c.entries[id]; ok && el.Value.(*bodyEntry).sum == sum {
		c.order.MoveToFront(el)
		html := el.Value.(*bodyEntry).html
		c.mu.Unlock()
		return html, nil
	}
	c.mu.Unlock()
	html, err := c.render(body)
	if err != nil {
		return "", err
	}
	c.put(&bodyEntry{id: id, sum: sum, html: html})
	return html, nil
}

// put keeps e in place of any entry of its campaign, then drops the
// least recently read entries until the cache is within its bounds.
func (c *bodyCache) put(e *bodyEntry) {
	if len(e.html) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.id]; ok {
		c.remove(el)
	}
	c.entries[e.id] = c.order.PushFront(e)
	c.bytes += len(e.html)
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *bodyCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*bodyEntry)
	delete(c.entries, e.id)
	c.bytes -= len(e.html)
}
