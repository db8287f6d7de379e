package subscribers

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

// taskQueue keeps the tasks enqueued, from any goroutine.
type taskQueue struct {
	mu    sync.Mutex
	tasks []*asynq.Task
}

func (q *taskQueue) EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tasks = append(q.tasks, t)
	return &asynq.TaskInfo{}, nil
}

// mailbox keeps each message sent, by recipient.
type mailbox map[string][]byte

func (m mailbox) Send(ctx context.Context, from string, to []string, msg []byte) error {
	for _, addr := range to {
		m[addr] = append([]byte(nil), msg...)
	}
	return nil
}

// TestGoldenConfirmMail signs a reader up as the public form does and
// renders the confirmation through the Confirmer's task, as the worker
// sends it. The signer's clock and the time the mail was flagged are fixed,
// so the confirmation token, which holds its expiry and names its mail, is
// the same on every run and stays in the golden file.
func TestGoldenConfirmMail(t *testing.T) {
	ctx := context.Background()
	store := NewStore(sqlitetest.Open(t))
	store.SetSecret([]byte("golden-secret-0123456789abcdef!!"))
	for _, l := range []*List{{Slug: "harbour", Name: "Harbour Notes", Public: true}, {Slug: "quayside", Name: "Quayside Café", Public: true}} {
		if err := store.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	q := &taskQueue{}
	signups := NewSignups(store, q, nil)
	reader := &mail.Address{Name: "Zoë O'Hara", Address: "zoe@example.org"}
	err := signups.Signup(ctx, &Signup{Email: reader.Address, Name: reader.Name, Lists: []string{"harbour", "quayside"}})
	signups.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(q.tasks) != 1 {
		t.Fatalf("%d tasks enqueued, want one confirmation task", len(q.tasks))
	}
	p, err := queue.ParseConfirmTask(q.tasks[0])
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("confirmation task = %+v, %v; want one item", p, err)
	}

	// The link names its mail by the time it was flagged: fix that too.
	box, signer, from, sentAt := sendGoldenConfirmation(t, store, p.Items[0].ID)
	if len(box) != 1 || box[reader.Address] == nil {
		t.Fatalf("mailed %d readers, want %s only", len(box), reader.Address)
	}

	golden := mailtest.Golden(t, "confirm", mailtest.Normalize(t, box[reader.Address]), *update)
	pm := mailtest.Parse(t, golden)
	mailtest.CheckHeaders(t, golden, pm, from, &mail.Address{Address: reader.Address}, "Confirm your subscription to Harbour Gazette")
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"} {
		if v, ok := pm.Header[h]; ok {
			t.Errorf("%s = %q in a transactional mail, want none", h, v)
		}
	}
	token := signer.Sign(ConfirmPurpose(sentAt), p.Items[0].ID, ConfirmTTL)
	if id, err := signer.Verify(ConfirmPurpose(sentAt), token); err != nil || id != p.Items[0].ID {
		t.Fatalf("confirmation token verifies as %d, %v; want subscriber %d", id, err, p.Items[0].ID)
	}
	link := "https://news.example/confirm/" + token
	if !strings.Contains(pm.Text, "\n"+link+"\n") {
		t.Errorf("text part lacks %s on a line of its own", link)
	}
	if n := strings.Count(pm.HTML, `href="`+link+`"`); n != 2 {
		t.Errorf("HTML part links %d times to %s, want the button and the pasted link", n, link)
	}
	for _, want := range []string{"Hello,\n", "mail from Harbour Gazette\n(Harbour Notes, Quayside Café) at this address:\nzoe@example.org\n"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("text part lacks %q", want)
		}
	}
	for _, want := range []string{`<p style="margin:0 0 16px;">Please confirm`, "(Harbour Notes, Quayside Café) at zoe@example.org."} {
		if !strings.Contains(pm.HTML, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
	// The name typed at signup is anyone's text until the reader confirms.
	if strings.Contains(pm.Text+pm.HTML+pm.Header.Get("To"), "Zo") {
		t.Errorf("the confirmation shows the name typed at signup")
	}
}

// sendGoldenConfirmation sends the confirmation of subscriber id as a
// task does, with the mail's flag time, the signer's clock and secret and
// the From fixed, so that the mail is the same on every run; it returns
// the mails sent, the signer, the From and the flag time.
func sendGoldenConfirmation(t *testing.T, store *Store, id int64) (mailbox, *Signer, *mail.Address, time.Time) {
	t.Helper()
	sentAt := time.Date(2026, 11, 20, 6, 59, 58, 123456000, time.UTC)
	if _, err := store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, sentAt, id); err != nil {
		t.Fatal(err)
	}
	task, err := queue.NewConfirmTask([]queue.ConfirmItem{{ID: id, SentAt: sentAt.UnixMicro()}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	signer := NewSigner([]byte("golden-secret-0123456789abcdef!!"))
	signer.now = func() time.Time { return time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC) }
	from := &mail.Address{Name: "Harbour Gazette", Address: "news@news.example"}
	box := mailbox{}
	c := &Confirmer{Store: store, Signer: signer, Templates: tmpl, Transport: box, From: from, BaseURL: "https://news.example"}
	if err := c.ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	return box, signer, from, sentAt
}
