package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// kindsSecret is BULLETIN_SECRET of the installation everyKindOfMail runs.
const kindsSecret = "kinds-secret-0123456789abcdef0123456789"

// A kindMail is one message of each kind Bulletin sends, as it reached a
// real SMTP server, with the keys it was signed with.
type kindMail struct {
	msgs    map[string]smtptest.Message // by kind: campaign, digest, confirmation, welcome, test
	rsa, ed dkim.Key
	verp    *bounces.VERP
	// campaign is the id of the campaign sent (and test-sent).
	campaign int64
}

// A signedInstall is Bulletin set up as a new user would to send signed
// mail: seeded, with an RSA and an Ed25519 key made by keygen, a bounce
// domain and a real SMTP server on the loopback, which its commands and
// serve send to.
type signedInstall struct {
	t    *testing.T
	srv  *smtptest.Server
	data string // BULLETIN_DATA
	env  map[string]string
}

// newSignedInstall makes the keys and seeds the data of a new
// signedInstall.
func newSignedInstall(t *testing.T) *signedInstall {
	t.Helper()
	in := &signedInstall{t: t, srv: smtptest.Start(t), data: t.TempDir()}
	in.env = map[string]string{
		"BULLETIN_DATA": in.data, "BULLETIN_FROM": "Harbour Gazette <news@harbour.test>",
		"BULLETIN_SECRET": kindsSecret, "BULLETIN_BASE_URL": "https://harbour.test",
	}
	in.run("dkim", "keygen", "--selector", "s1")
	in.run("dkim", "keygen", "--selector", "e1", "--type", "ed25519")
	in.run("seed")
	in.env["BULLETIN_SMTP_URL"] = in.srv.URL()
	in.env["BULLETIN_DKIM_SELECTOR"], in.env["BULLETIN_DKIM_ED25519_SELECTOR"] = "s1", "e1"
	in.env["BULLETIN_BOUNCE_DOMAIN"] = "bounces.harbour.test"
	return in
}

// run runs the command args and returns what it printed, failing the
// test unless it exits 0.
func (in *signedInstall) run(args ...string) string {
	in.t.Helper()
	m, stdout, stderr := testMain(in.t, in.env)
	if code := m.Main(context.Background(), args); code != 0 {
		in.t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return stdout.String()
}

// serve starts serve and returns its base URL and the function that
// stops it.
func (in *signedInstall) serve() (string, func() int) {
	in.t.Helper()
	m, _, _ := testMain(in.t, in.env)
	return startServe(in.t, m)
}

// wait returns the first message the SMTP server got that ok takes,
// failing the test when none has come within 20 seconds.
func (in *signedInstall) wait(what string, ok func(smtptest.Message) bool) smtptest.Message {
	in.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, msg := range in.srv.Messages() {
			if ok(msg) {
				return msg
			}
		}
	}
	in.t.Fatalf("no %s arrived", what)
	return smtptest.Message{}
}

// keys loads the RSA and the Ed25519 key keygen made.
func (in *signedInstall) keys() (rsa, ed dkim.Key) {
	in.t.Helper()
	var err error
	if rsa, err = dkim.Load(filepath.Join(in.data, "dkim"), "s1", dkim.RSA); err != nil {
		in.t.Fatal(err)
	}
	if ed, err = dkim.Load(filepath.Join(in.data, "dkim"), "e1", dkim.Ed25519); err != nil {
		in.t.Fatal(err)
	}
	return rsa, ed
}

// everyKindOfMail runs Bulletin as a new user would (a signedInstall):
// a digest of the seeded list, then in serve a reader's signup, its
// confirmation click and welcome mail, a campaign and a test send. It
// returns one message of each kind, to the new reader where it can.
func everyKindOfMail(t *testing.T) kindMail {
	t.Helper()
	in := newSignedInstall(t)
	token := strings.TrimSpace(regexp.MustCompile(`(?m)^\S{20,}$`).FindString(in.run("token", "create", "kinds")))
	if token == "" {
		t.Fatal("token create printed no token")
	}
	in.run("digest", "run", "--list", "daily-news")
	digests := len(in.srv.Messages())
	if digests == 0 {
		t.Fatal("the digest run sent nothing")
	}

	base, stop := in.serve()
	defer stop()
	api := func(method, path, body string) []byte {
		t.Helper()
		code, out := apiRequest(t, base, token, method, path, body)
		if code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, code, out)
		}
		return out
	}
	to := func(addr, subject string) func(smtptest.Message) bool {
		return func(msg smtptest.Message) bool {
			return len(msg.To) == 1 && msg.To[0] == addr && bytes.Contains(msg.Data, []byte("Subject: "+subject))
		}
	}
	api("PATCH", "/api/v1/lists/daily-news", `{"welcome":"Hello {{ .Name }}, and welcome aboard. Each morning brings the news of the harbour."}`)
	api("POST", "/api/v1/subscriptions", `{"email":"zoe@reader.example","name":"Zoe Unal","lists":["daily-news"]}`)
	k := kindMail{msgs: map[string]smtptest.Message{}, verp: bounces.NewVERP([]byte(kindsSecret), "bounces.harbour.test")}
	k.msgs["confirmation"] = in.wait("confirmation", to("zoe@reader.example", "Confirm your subscription"))
	link := regexp.MustCompile(`https://harbour\.test(/confirm/[^\s"<]+)`).FindStringSubmatch(mailtest.Parse(t, k.msgs["confirmation"].Data).Text)
	if link == nil {
		t.Fatalf("no confirmation link in\n%s", k.msgs["confirmation"].Data)
	}
	if code, body := get(t, base+link[1]); code != http.StatusOK {
		t.Fatalf("confirm: %d %s", code, body)
	}
	k.msgs["welcome"] = in.wait("welcome mail", to("zoe@reader.example", "Welcome to"))

	var c struct{ ID int64 }
	json.Unmarshal(api("POST", "/api/v1/campaigns", `{"subject":"Ferry timetable for the summer","lists":["daily-news"],
		"body":"Hello {{ .Name }},\n\nthe summer timetable of the harbour ferry starts on Monday. Boats leave every half hour from seven in the morning until ten at night, and the last boat on Saturdays leaves at midnight.\n\nSee you on board."}`), &c)
	k.campaign = c.ID
	api("POST", fmt.Sprintf("/api/v1/campaigns/%d/send", c.ID), "")
	k.msgs["campaign"] = in.wait("campaign", to("zoe@reader.example", "Ferry timetable"))
	api("POST", fmt.Sprintf("/api/v1/campaigns/%d/test", c.ID), `{"to":["editor@harbour.test"]}`)
	k.msgs["test"] = in.wait("test send", to("editor@harbour.test", "[Test] Ferry"))
	k.msgs["digest"] = in.srv.Messages()[0]
	k.rsa, k.ed = in.keys()
	return k
}

// Every kind of mail goes out from its own VERP return path, which names
// its kind and what a bounce of it is about, and carries an RSA and an
// Ed25519 signature of the From domain that go-msgauth and dkimpy both
// verify after SMTP.
func TestEveryKindOfMailSignedFromItsReturnPath(t *testing.T) {
	k := everyKindOfMail(t)
	got := map[string]bounces.Delivery{}
	var all [][]byte
	for kind, msg := range k.msgs {
		d, err := k.verp.Parse(msg.From)
		if err != nil {
			t.Errorf("%s: MAIL FROM %q is not a VERP address: %v", kind, msg.From, err)
		}
		got[kind] = d
		dkimtest.RequireValid(t, msg.Data, "harbour.test", 2, k.rsa, k.ed)
		all = append(all, msg.Data)
	}
	dkimtest.RequireDkimpy(t, "harbour.test", 2, []dkim.Key{k.rsa, k.ed}, all...)
	zoe := got["confirmation"].SubscriberID
	checks := []struct {
		kind string
		ok   bool
	}{
		{"confirmation", got["confirmation"].Kind == bounces.KindConfirm && zoe > 0},
		{"welcome", got["welcome"] == bounces.Delivery{Kind: bounces.KindWelcome, SubscriberID: zoe, ListID: got["welcome"].ListID} && got["welcome"].ListID > 0},
		{"campaign", got["campaign"] == bounces.Delivery{Kind: bounces.KindCampaign, CampaignID: k.campaign, SubscriberID: zoe}},
		{"test", got["test"] == bounces.Delivery{Kind: bounces.KindTest, CampaignID: k.campaign}},
		{"digest", got["digest"].Kind == bounces.KindCampaign && got["digest"].CampaignID > 0 && got["digest"].SubscriberID > 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: MAIL FROM %s names %+v (the new reader is %d)", c.kind, k.msgs[c.kind].From, got[c.kind], zoe)
		}
	}
}
