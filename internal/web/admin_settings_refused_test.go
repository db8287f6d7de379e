package web

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// m23FormInput is the input named name in page, and the text of the
// paragraphs right after it (its error, or a note), or ok false.
func m23FormInput(t *testing.T, page, name string) (attrs map[string]string, after []string, ok bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var found *html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "input" {
			for _, a := range n.Attr {
				if a.Key == "name" && a.Val == name {
					found = n
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return nil, nil, false
	}
	attrs = map[string]string{}
	for _, a := range found.Attr {
		attrs[a.Key] = a.Val
	}
	// The paragraphs after the input, or after the block holding it (the
	// Postmark fields sit in a grid).
	for n := found; n != nil && len(after) == 0; n = n.Parent {
		for s := n.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.TextNode && strings.TrimSpace(s.Data) == "" {
				continue
			}
			if s.Type != html.ElementNode || s.Data != "p" {
				break
			}
			var b strings.Builder
			var text func(*html.Node)
			text = func(n *html.Node) {
				if n.Type == html.TextNode {
					b.WriteString(n.Data)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					text(c)
				}
			}
			text(s)
			after = append(after, b.String())
		}
		if n.Data == "fieldset" {
			break
		}
	}
	return attrs, after, true
}

// TestSettingsRefusedFormKeepsTheSESTopic: an SES topic that is not an
// ARN comes back in its box, with the error under it, and so does a good
// one refused with another field.
func TestSettingsRefusedFormKeepsTheSESTopic(t *testing.T) {
	a, _ := newSecretsServer(t)
	for _, tc := range []struct {
		name, topic, accent, says string
	}{
		{"bad topic", "my-bounces-topic", "#b45309", "Not an SNS topic ARN"},
		{"good topic, bad accent", "arn:aws:sns:eu-west-1:111122223333:feedback", "orange", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := goodSettings()
			f.Set("webhook_ses", tc.topic)
			f.Set("accent", tc.accent)
			resp, body := a.postSettings(f, nil)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("save = %d, want 422:\n%s", resp.StatusCode, body)
			}
			in, after, ok := m23FormInput(t, body, "webhook_ses")
			if !ok {
				t.Fatalf("no webhook_ses field:\n%s", body)
			}
			if in["value"] != tc.topic {
				t.Errorf("webhook_ses shown again with %q, want the %q typed", in["value"], tc.topic)
			}
			if tc.says != "" && (len(after) == 0 || !strings.Contains(after[0], tc.says) || in["aria-invalid"] != "true") {
				t.Errorf("webhook_ses (aria-invalid %q) is followed by %q, want its error saying %q", in["aria-invalid"], after, tc.says)
			}
		})
	}
	if _, page := a.get("/admin/settings"); strings.Contains(page, "my-bounces-topic") || strings.Contains(page, "111122223333") {
		t.Error("the settings page shows a topic after the refused forms, which saved nothing")
	}
}

// TestSettingsRefusedFormKeepsNoSecret: the secrets typed in a refused
// form are not echoed back (the page never shows one), and each says it
// was not saved and is to be typed again; the boxes ticked stay ticked.
// Postmark's user is no secret: TestSettingsRefusedFormKeepsPostmarkUser.
func TestSettingsRefusedFormKeepsNoSecret(t *testing.T) {
	a, _ := newSecretsServer(t)
	f := goodSettings()
	f.Set("webhook_mailgun", savedMailgunKey)
	if resp, body := a.postSettings(f, testPNG(t)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save = %d:\n%s", resp.StatusCode, body)
	}
	const sendgridKey, mailgunKey, user, pass = "c2VuZGdyaWQta2V5LXR5cGVk", "key-typed-but-refused-0123", "hook-user-typed", "hook-pass-typed-long-enough"
	f = goodSettings()
	f.Set("accent", "orange")
	f.Set("webhook_sendgrid", sendgridKey) // bad itself: it keeps its error
	f.Set("webhook_mailgun", mailgunKey)
	f.Set("webhook_postmark_user", user)
	f.Set("webhook_postmark_pass", pass)
	f.Set("webhook_mailgun_clear", "on")
	f.Set("remove_logo", "on")
	resp, body := a.postSettings(f, testPNG(t))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save = %d, want 422:\n%s", resp.StatusCode, body)
	}
	for _, secret := range []string{sendgridKey, mailgunKey, pass, savedMailgunKey} {
		if strings.Contains(body, secret) {
			t.Errorf("the refused form echoes the secret %q", secret)
		}
	}
	for _, tc := range []struct{ field, says string }{
		{"webhook_mailgun", "paste the key again"},
		{"webhook_postmark_pass", "type the password again"},
		{"webhook_sendgrid", "Not a valid ECDSA public key"},
		{"logo", "choose it again"},
	} {
		in, after, ok := m23FormInput(t, body, tc.field)
		if !ok {
			t.Fatalf("no %s field:\n%s", tc.field, body)
		}
		if in["value"] != "" {
			t.Errorf("%s shown again with %q, want empty", tc.field, in["value"])
		}
		if len(after) != 1 || !strings.Contains(after[0], tc.says) {
			t.Errorf("%s is followed by %q, want one line saying %q", tc.field, after, tc.says)
		}
	}
	for _, box := range []string{"webhook_mailgun_clear", "remove_logo"} {
		if in, _, ok := m23FormInput(t, body, box); !ok {
			t.Errorf("no %s box:\n%s", box, body)
		} else if _, checked := in["checked"]; !checked {
			t.Errorf("the %s box ticked comes back unticked", box)
		}
	}
}
