package web

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// The outbox's message page shows From, To, Subject and Date first, then
// the other headers in their order in the message, not A–Z (which put
// Content-Type and its boundary first); the list and the page show
// addresses as people read them, encoded names decoded.
func TestOutboxHeadersReadable(t *testing.T) {
	out, a := newOutboxAdmin(t)
	const msg = "Message-Id: <1@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative;\r\n boundary=\"0123456789abcdef0123456789abcdef\"\r\n" +
		"List-Unsubscribe: <http://127.0.0.1/u/x>\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nSubject: Spring news\r\n" +
		"To: \"Lucy Tan\" <lucy.tan@example.com>\r\nFrom: =?utf-8?q?Caf=C3=A9_Bulletin?= <news@example.com>\r\n" +
		"Cc: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>, plain@example.com, \"Tan, Lucy\" <l.tan@example.com>\r\n\r\n" +
		"--0123456789abcdef0123456789abcdef\r\nContent-Type: text/plain\r\n\r\nHello\r\n--0123456789abcdef0123456789abcdef--\r\n"
	if err := out.Send(context.Background(), "news@example.com", []string{"lucy.tan@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, list := a.get("/admin/outbox")
	if !strings.Contains(list, `<td data-label="To">Lucy Tan &lt;lucy.tan@example.com&gt;</td>`) {
		t.Errorf("the list does not show the address readably:\n%s", list)
	}
	names, err := out.List(0)
	if err != nil || len(names) != 1 {
		t.Fatalf("outbox = %v, %v", names, err)
	}
	_, page := a.get("/admin/outbox/" + names[0])
	var order []string
	for _, m := range regexp.MustCompile(`<th[^>]*>([^<]+)</th><td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(page, -1) {
		order = append(order, m[1]+": "+m[2])
	}
	want := []string{
		"From: Café Bulletin &lt;news@example.com&gt;",
		"To: Lucy Tan &lt;lucy.tan@example.com&gt;",
		"Subject: Spring news",
		"Date: Mon, 02 Mar 2026 10:00:00 &#43;0000",
		// The outbox writes the envelope before the message's own headers.
		"X-Envelope-From: &lt;news@example.com&gt;",
		"X-Envelope-To: &lt;lucy.tan@example.com&gt;",
		"Message-Id: &lt;1@example.com&gt;",
		"MIME-Version: 1.0",
		"Content-Type: multipart/alternative; boundary=&#34;0123456789abcdef0123456789abcdef&#34;",
		"List-Unsubscribe: &lt;http://127.0.0.1/u/x&gt;",
		"Cc: Zoë &lt;zoe@example.com&gt;, plain@example.com, &#34;Tan, Lucy&#34; &lt;l.tan@example.com&gt;",
	}
	if strings.Join(order, "\n") != strings.Join(want, "\n") {
		t.Errorf("headers shown:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
}
