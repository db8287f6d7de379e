package web

import (
	"context"
	"testing"
)

// headerCell33 measures the outbox message page's header table: the
// width of its column of names, and how many lines the value of header
// (%s) takes.
const headerCell33 = `(function (name) {
	var th = Array.prototype.find.call(document.querySelectorAll("th"), function (th) { return th.textContent === name; });
	if (!th) return {nameWidth: -1, valueLines: -1, overflow: "no header " + name};
	return {nameWidth: th.getBoundingClientRect().width, valueLines: lines(th.nextElementSibling), overflow: overflow()};
})(`

// The outbox message page gives the header names a narrow column and the
// values the rest: its width in min(180px,34%) did not hold, the columns
// came out even, and at 390 px "editor@example.com" broke as
// "editor@example.c / om". On a phone a name stands above its value.
func TestOutboxHeaderNamesTakeANarrowColumn33(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	out, a := newOutboxAdmin(t)
	const msg = "From: Harbour Gazette <news@harbour-gazette.example>\r\nTo: editor@example.com\r\nSubject: Test\r\n" +
		"Date: Thu, 03 Dec 2026 23:19:04 +0000\r\nMessage-Id: <e8d1fd21f56ea64e89f297c4f59702c6@harbour-gazette.example>\r\n" +
		"Content-Type: text/plain\r\n\r\nHello\r\n"
	if err := out.Send(context.Background(), "news@harbour-gazette.example", []string{"editor@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	names, err := out.List(0)
	if err != nil || len(names) != 1 {
		t.Fatalf("outbox = %v, %v", names, err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	type cell struct {
		NameWidth  float64 `json:"nameWidth"`
		ValueLines int     `json:"valueLines"`
		Overflow   string  `json:"overflow"`
	}
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/outbox/"+names[0])
		got := eval33[cell](t, ctx, headerCell33+`"To")`)
		if got.ValueLines != 1 || got.Overflow != "" {
			t.Errorf("at %s: To's value editor@example.com takes %d lines (%s), want one and nothing sticking out", v, got.ValueLines, got.Overflow)
		}
		if v.width == 1280 && got.NameWidth > 181 {
			t.Errorf("at %s: the header names' column is %g px wide, want 180", v, got.NameWidth)
		}
	}
}
