package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// RunDigest takes a slug as a person types it, in any case: the digest
// is the list's, named by its stored slug. It used to say there was no
// list "NEWS". A slug that names no list is quoted as typed.
func TestRunDigestTakesASlugInAnyCase(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.article(t, news, "Bridge reopens after repairs", time.Now().Add(-time.Hour))
	e.reader(t, "a@x.example", "confirmed", "daily", news)

	// The preview names the list as stored too.
	p, err := e.svc.PreviewDigest(ctx, "NEWS")
	if err != nil {
		t.Fatal(err)
	}
	if p.List != "news" {
		t.Errorf("preview of NEWS names the list %q, want news", p.List)
	}

	d, err := e.svc.RunDigest(ctx, " NEWS ")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.List != "news" || d.Articles != 1 || d.Recipients != 1 {
		t.Fatalf("digest = %+v, want news's, 1 article to 1 reader", d)
	}
	var list string
	if err := e.db.Read.QueryRow(`SELECT l.slug FROM campaigns c JOIN campaign_lists cl ON cl.campaign_id = c.id JOIN lists l ON l.id = cl.list_id WHERE c.id = ?`, d.ID).Scan(&list); err != nil || list != "news" {
		t.Errorf("the campaign's list: %q, %v", list, err)
	}
	_, err = e.svc.RunDigest(ctx, "Nope")
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND || bulletin.ErrorMessage(err) != `There is no list "Nope".` {
		t.Errorf("RunDigest(Nope): %v", err)
	}
}
