package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// m23BreaksWords reports whether a style lets text break inside a word.
func m23BreaksWords(style string) bool {
	s := strings.ReplaceAll(strings.ToLower(style), " ", "")
	return strings.Contains(s, "overflow-wrap:anywhere") || strings.Contains(s, "word-break:break-all") ||
		strings.Contains(s, "word-wrap:anywhere")
}

// TestReportHeadersBreakOnlyAtSpaces: no column header of the report
// tables sits in an element whose style lets text break mid-word (which
// made "Click / s" and "Reader / s" of a narrow column), while the cells
// of long URLs and titles still may, so that the column stays narrow.
func TestReportHeadersBreakOnlyAtSpaces(t *testing.T) {
	a, _, id := reportServer(t)
	a.login("correct horse battery")
	for _, page := range []string{"/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report", "/admin/lists/news/report"} {
		t.Run(page, func(t *testing.T) {
			resp, body := a.get(page)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d", page, resp.StatusCode)
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var headers, wrapping int
			var walk func(n *html.Node, breaking string)
			walk = func(n *html.Node, breaking string) {
				if n.Type == html.ElementNode {
					for _, at := range n.Attr {
						if at.Key == "style" && m23BreaksWords(at.Val) {
							breaking = "<" + n.Data + ` style="` + at.Val + `">`
						}
					}
					switch n.Data {
					case "th":
						headers++
						if breaking != "" {
							t.Errorf("header %q is inside %s: it may break mid-word", m23NodeText(n), breaking)
						}
					case "td":
						for _, at := range n.Attr {
							if at.Key == "data-label" && (at.Val == "Link" || at.Val == "Article") {
								wrapping++
								if breaking == "" {
									t.Errorf("a %s cell (%q) may not wrap its long text anywhere", at.Val, m23NodeText(n))
								}
							}
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, breaking)
				}
			}
			walk(doc, "")
			for _, want := range []string{"<th>Clicks</th>", "<th>Readers</th>"} {
				if !strings.Contains(body, want) {
					t.Errorf("no header %s", want)
				}
			}
			if headers == 0 || wrapping == 0 {
				t.Errorf("%d headers and %d link or article cells: the page is not the one tested", headers, wrapping)
			}
		})
	}
}

// m23NodeText is the text inside n.
func m23NodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(m23NodeText(c))
	}
	return b.String()
}
