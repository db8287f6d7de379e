package main

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium, or skips: .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs it")
	}
	t.Skip("chromium not installed (apt-get install -y chromium)")
	return ""
}

// newestMail returns the text part of the newest message in the outbox.
func newestMail(t *testing.T, dir string) string {
	t.Helper()
	entries, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(entries) == 0 {
		t.Fatal("the outbox is empty")
	}
	raw, err := os.ReadFile(entries[len(entries)-1])
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	part, err := multipart.NewReader(msg.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(part)
	return string(text)
}

// TestReaderJourneyInABrowser signs up through the form in headless
// Chromium, confirms with the link from the mail in the outbox, changes
// preferences and unsubscribes, as a reader would, with a screenshot of
// each page in BULLETIN_SCREENSHOTS when that names a folder.
func TestReaderJourneyInABrowser(t *testing.T) {
	addr := freeAddr(t)
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_ADDR": addr, "BULLETIN_BASE_URL": "http://" + addr}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()
	b := newBrowser(t, 30*time.Second)
	do, shot := b.do, b.shot

	do("sign up", chromedp.Navigate(base+"/subscribe"), heading("Subscribe"), shot("subscribe"),
		chromedp.SendKeys(chromedp.ID("email"), "Reader.One@Example.COM"),
		chromedp.SendKeys(chromedp.ID("name"), "Reader One"),
		chromedp.Click(chromedp.CSS(`input[value="daily-news"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/subscribe"] button[type=submit]`)),
		heading("Check your inbox"), shot("check-email"))

	var link string
	deadline := time.Now().Add(10 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		if files, _ := filepath.Glob(filepath.Join(data, "outbox", "*.eml")); len(files) > 0 {
			link = regexp.MustCompile(`http://\S+/confirm/\S+`).FindString(newestMail(t, filepath.Join(data, "outbox")))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if link == "" {
		t.Fatal("no confirmation mail with a link arrived in the outbox")
	}

	do("confirm", chromedp.Navigate(link), heading("You're subscribed"), shot("confirmed"))
	do("preferences", chromedp.Click(chromedp.CSS(`a[href^="/preferences/"]`)), heading("Your preferences"),
		chromedp.Click(chromedp.CSS(`input[name=frequency][value=weekly]`)),
		chromedp.Click(chromedp.CSS(`input[value="weekend-culture"]`)),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")), shot("preferences"))
	do("unsubscribe", chromedp.Click(chromedp.CSS(`a[href^="/unsubscribe/"]`)), heading("Unsubscribe"), shot("unsubscribe"),
		chromedp.Click(chromedp.CSS("button[type=submit]")), heading("You are unsubscribed"), shot("unsubscribed"))

	var status, freq, lists string
	row := m.app.DB.Read.QueryRow(`SELECT s.status, s.frequency, (SELECT group_concat(l.slug) FROM subscriptions x JOIN lists l ON l.id = x.list_id WHERE x.subscriber_id = s.id)
		FROM subscribers s WHERE s.email_key = 'reader.one@example.com'`)
	if err := row.Scan(&status, &freq, &lists); err != nil {
		t.Fatal(err)
	}
	if status != "unsubscribed" || freq != "weekly" || !strings.Contains(lists, "weekend-culture") {
		t.Errorf("stored: status %s, frequency %s, lists %s", status, freq, lists)
	}
}
