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
	"strconv"
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
// each page in BULLETIN_SCREENSHOTS (or the test's temporary folder).
func TestReaderJourneyInABrowser(t *testing.T) {
	exe := chromium(t)
	addr := freeAddr(t)
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_ADDR": addr, "BULLETIN_BASE_URL": "http://" + addr}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()

	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser on ctx, without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	step := 0
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			step++
			return os.WriteFile(filepath.Join(shots, strconv.Itoa(step)+"-"+name+".png"), png, 0o644)
		})
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	do("sign up", chromedp.Navigate(base+"/subscribe"), shot("subscribe"),
		chromedp.SendKeys(chromedp.ID("email"), "Reader.One@Example.COM"),
		chromedp.SendKeys(chromedp.ID("name"), "Reader One"),
		chromedp.Click(chromedp.CSS(`input[value="daily-news"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/subscribe"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("h1")), shot("check-email"))
	if h := text("h1"); h != "Check your inbox" {
		t.Fatalf("after signing up the page says %q", h)
	}

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

	do("confirm", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")), shot("confirmed"))
	if h := text("h1"); h != "You're subscribed" {
		t.Fatalf("the confirmation link shows %q", h)
	}
	do("preferences", chromedp.Click(chromedp.CSS(`a[href^="/preferences/"]`)),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.Click(chromedp.CSS(`input[name=frequency][value=weekly]`)),
		chromedp.Click(chromedp.CSS(`input[value="weekend-culture"]`)),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")), shot("preferences"))
	if n := text(".notice"); !strings.Contains(n, "saved") {
		t.Fatalf("saving preferences shows %q", n)
	}
	do("unsubscribe", chromedp.Click(chromedp.CSS(`a[href^="/unsubscribe/"]`)),
		chromedp.WaitVisible(chromedp.CSS("button[type=submit]")), shot("unsubscribe"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("h1")), shot("unsubscribed"))
	if h := text("h1"); h != "You are unsubscribed" {
		t.Fatalf("unsubscribing shows %q", h)
	}

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
