package campaigns_test

import (
	"strings"
	"testing"
)

// TestPreheaderReadsBlocksAsSentences: the automatic preheader reads the
// mail's blocks one after the other as sentences. A heading, a list item
// or a paragraph that ends without punctuation gets a full stop before
// the next block, where the line ran them together ("The bridge reopens —
// at last After eleven months…"); list markers, task boxes and quote marks
// never show ("…news. - Read our archive - Follow…"). Each reader gets
// the stop their own text needs, with a name and without one. A
// paragraph's wrapped line starting with a dash is no list, and the
// editor's own preheader stays as written.
func TestPreheaderReadsBlocksAsSentences(t *testing.T) {
	long := strings.Repeat("x", 71) // the dash after it starts the paragraph's second line
	for _, tc := range []struct {
		name, body, pre string
		named, nameless string
	}{
		{name: "a heading, then a paragraph",
			body:  "## The bridge reopens — at last\n\nAfter eleven months of repairs, the bridge reopens on Monday.",
			named: "The bridge reopens — at last. After eleven months of repairs, the bridge reopens on Monday."},
		{name: "a welcome text's list of links",
			body: "Hi {{ .Name }},\n\nThanks for joining. Every morning you get the news.\n\n" +
				"- [Read our archive](https://news.example/archive)\n- [Follow the ferry timetable](https://news.example/ferries)\n\n— The editors",
			named: "Thanks for joining. Every morning you get the news. Read our archive. Follow the ferry timetable. — The editors"},
		{name: "numbered items, task boxes and other bullets",
			body:  "What changes\n\n1. Cars\n2. Bikes: a new lane\n\n* [x] Bridge checked\n+ [ ] Shuttle ends",
			named: "What changes. Cars. Bikes: a new lane. Bridge checked. Shuttle ends"},
		{name: "items that end in punctuation keep theirs",
			body:  "Today:\n\n- Cars first!\n- Bikes after?\n- Buses, then,\n- “Quiet” (at last).\n\nDone",
			named: "Today: Cars first! Bikes after? Buses, then, “Quiet” (at last). Done"},
		{name: "a list in a quote",
			body:  "> Said the mayor\n>\n> - open\n> - at last\n\nEnd.",
			named: "Said the mayor. open. at last. End."},
		{name: "a paragraph's line that starts with a dash is no item",
			body:  long + " - and the rest\n\nNext.",
			named: long + " - and the rest. Next."},
		{name: "an item holding only the name is read by readers with one",
			body:  "Thanks for reading.\n\n- the ferry\n- {{ .Name }}\n- the café",
			named: "Thanks for reading. the ferry. Ada Reader. the café", nameless: "Thanks for reading. the ferry. the café"},
		{name: "a heading that ends with the name",
			body:  "# News for {{ .Name }}\n\nThe ferry is back.",
			named: "News for Ada Reader. The ferry is back.", nameless: "News for. The ferry is back."},
		{name: "the editor's preheader stays as written",
			body: "## The bridge reopens\n\n- one\n- two", pre: "The bridge - at last - reopens",
			named: "The bridge - at last - reopens"},
	} {
		if tc.nameless == "" {
			tc.nameless = tc.named
		}
		named, nameless := inboxLines(t, tc.body, tc.pre)
		if named != tc.named {
			t.Errorf("%s: preheader for Ada Reader %q, want %q", tc.name, named, tc.named)
		}
		if nameless != tc.nameless {
			t.Errorf("%s: preheader for a reader without a name %q, want %q", tc.name, nameless, tc.nameless)
		}
	}
}
