package web

import (
	"context"
	"strings"
	"testing"
)

// brokenWords lists the words of the page's pre elements shorter than 30
// characters that a line break splits ("n / ot"), each once.
const brokenWords = `(function () {
	var broken = {};
	document.querySelectorAll("pre").forEach(function (pre) {
		var walk = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT), node;
		while ((node = walk.nextNode())) {
			var re = /\S+/g, m;
			while ((m = re.exec(node.data))) {
				if (m[0].length >= 30) continue;
				var r = document.createRange(), tops = {};
				r.setStart(node, m.index);
				r.setEnd(node, m.index + m[0].length);
				Array.prototype.forEach.call(r.getClientRects(), function (b) { if (b.width > 0) tops[Math.round(b.top)] = true; });
				if (Object.keys(tops).length > 1) broken[m[0]] = true;
			}
		}
	});
	return Object.keys(broken).join(" ");
})()`

// The outbox message page's text part and raw mail wrap between words on
// a phone: they broke anywhere, "If you did n / ot sign up". A link
// longer than the screen still breaks rather than stick out.
func TestOutboxMessageWrapsBetweenWords(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	out, a := newOutboxAdmin(t)
	text := strings.Repeat("If you did not sign up for the Harbour Gazette, ignore this mail and you will hear no more from us. ", 3) +
		"\r\nConfirm: https://harbour-gazette.example/confirm/" + strings.Repeat("a1b2c3d4e5", 8) + "\r\n"
	msg := "From: Harbour Gazette <news@harbour-gazette.example>\r\nTo: editor@example.com\r\nSubject: Confirm\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
	if err := out.Send(context.Background(), "news@harbour-gazette.example", []string{"editor@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	names, err := out.List(0)
	if err != nil || len(names) != 1 {
		t.Fatalf("outbox = %v, %v", names, err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/outbox/"+names[0])
		if n := eval33[int](t, ctx, `document.querySelectorAll("pre").length`); n != 2 {
			t.Fatalf("at %s: %d pre elements, want the text part and the raw mail", v, n)
		}
		if broken := eval33[string](t, ctx, brokenWords); broken != "" {
			t.Errorf("at %s: words broken across lines: %s", v, broken)
		}
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("at %s: %s", v, o)
		}
	}
}
