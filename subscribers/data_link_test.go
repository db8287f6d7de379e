package subscribers

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/templates"
)

// failingBox is a mailbox whose next fail sends are refused; it counts
// the sends it accepts.
type failingBox struct {
	mailbox
	fail, sent int
}

func (b *failingBox) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if b.fail > 0 {
		b.fail--
		return errors.New("451 4.3.0 <" + to[0] + ">: try again later")
	}
	b.sent++
	return b.mailbox.Send(ctx, from, to, msg)
}

func newDataLinks(t *testing.T, box *failingBox) (*DataLinks, *Subscriber) {
	t.Helper()
	store := newStore(t)
	sub, err := store.Create(context.Background(), &NewSubscriber{Email: "ann@example.org", Name: "Ann Lee", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c := &Confirmer{Store: store, Signer: NewSigner([]byte("golden-secret-0123456789abcdef!!")), Templates: tmpl, Transport: box,
		From: &mail.Address{Name: "Harbour Gazette", Address: "news@news.example"}, BaseURL: "https://news.example"}
	return NewDataLinks(c), sub
}

var dataLinkToken = regexp.MustCompile(`https://news\.example/(data|erase)/([A-Za-z0-9_-]+)`)

// Each purpose's mail goes to the reader's address from the
// confirmation's sender, with the one link of its purpose, valid for an
// hour from the ask, in both parts; the parts are kept in golden files
// with the link's token, which holds the time, taken out.
func TestDataLinkMail(t *testing.T) {
	for _, c := range []struct {
		purpose, path, subject, golden string
	}{
		{TokenDataDownload, "data", "Your data at Harbour Gazette", "data_link_download"},
		{TokenDataErase, "erase", "Delete your data from Harbour Gazette", "data_link_erase"},
	} {
		t.Run(c.golden, func(t *testing.T) {
			box := &failingBox{mailbox: mailbox{}}
			d, sub := newDataLinks(t, box)
			now := time.Now().Truncate(time.Second)
			d.now = func() time.Time { return now }
			if err := d.Send(context.Background(), sub.ID, c.purpose); err != nil {
				t.Fatal(err)
			}
			d.Wait()
			raw := box.mailbox[sub.Email]
			if len(box.mailbox) != 1 || raw == nil {
				t.Fatalf("mailed %d addresses, want %s only", len(box.mailbox), sub.Email)
			}
			pm := mailtest.Parse(t, raw)
			mailtest.CheckHeaders(t, raw, pm, &mail.Address{Name: "Harbour Gazette", Address: "news@news.example"}, &mail.Address{Address: sub.Email}, c.subject)
			links := dataLinkToken.FindAllStringSubmatch(pm.Text+pm.HTML, -1)
			if len(links) != 4 { // the text's; the HTML's button, and its pasted link and its text
				t.Fatalf("%d links, want 4: %v", len(links), links)
			}
			for _, l := range links {
				if l[0] != links[0][0] || l[1] != c.path {
					t.Fatalf("links %v, want one link to /%s/", links, c.path)
				}
			}
			id, until, err := d.c.Signer.VerifyUntil(c.purpose, links[0][2])
			if err != nil || id != sub.ID || !until.Equal(now.Add(time.Hour)) {
				t.Errorf("the link's token: %d until %v, %v; want %d until %v", id, until, err, sub.ID, now.Add(time.Hour))
			}
			parts := strings.ReplaceAll(pm.Text+"\n-- HTML --\n"+pm.HTML, links[0][2], "[token]")
			mailtest.Golden(t, c.golden, []byte(parts), *update)
		})
	}
}

// A second ask within 10 minutes sends nothing, for that purpose only;
// once they are over, one more goes. An ask whose mail was refused sends
// again at the next, and the warning logged names no address.
func TestDataLinkOnceEachInterval(t *testing.T) {
	box := &failingBox{mailbox: mailbox{}, fail: 1}
	d, sub := newDataLinks(t, box)
	var logged strings.Builder
	d.Log = slog.New(slog.NewTextHandler(&logged, nil))
	ctx := context.Background()
	now := time.Now()
	d.now = func() time.Time { return now }

	if err := d.Send(ctx, sub.ID, TokenDataDownload); err != nil {
		t.Fatalf("an ask whose mail the relay refuses: %v, want none (the mail goes after the answer)", err)
	}
	d.Wait()
	if got := logged.String(); !strings.Contains(got, "data link not sent") || strings.Contains(got, sub.Email) || !strings.Contains(got, "<recipient>") {
		t.Fatalf("a refused mail logged %q, want a warning without the address", got)
	}
	asks := []struct {
		after   time.Duration
		purpose string
		want    int // mails accepted in all
	}{
		{0, TokenDataDownload, 1}, // the refused one's turn is given back
		{time.Minute, TokenDataDownload, 1},
		{time.Minute, TokenDataErase, 2},
		{9*time.Minute + 59*time.Second, TokenDataDownload, 2},
		{10 * time.Minute, TokenDataDownload, 3},
		{10 * time.Minute, TokenDataErase, 3},
		{11 * time.Minute, TokenDataErase, 4},
	}
	for _, a := range asks {
		d.now = func() time.Time { return now.Add(a.after) }
		if err := d.Send(ctx, sub.ID, a.purpose); err != nil {
			t.Fatalf("ask %v after: %v", a.after, err)
		}
		d.Wait()
		if box.sent != a.want {
			t.Fatalf("an ask for %q %v after the first: %d mails accepted, want %d", a.purpose, a.after, box.sent, a.want)
		}
	}
	if err := d.Send(ctx, sub.ID+100, TokenDataErase); err == nil {
		t.Error("a reader who is not there: no error")
	}
	if err := d.Send(ctx, sub.ID, TokenPreferences); err == nil {
		t.Error("a preferences link asked for: no error")
	}
}
