package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/bulletinhq/bulletin/subscribers"
)

// Every label on the admin forms names its field, by for= or by holding
// it, and a group of boxes is a fieldset named by its legend. The
// campaign form and a reader's page headed their list boxes with a bare
// <label>Lists</label>, tied to no field: a screen reader read each box
// by its list's name alone, never that it was one of the lists the
// campaign goes to or the reader is on.
func TestAdminLabelsNameTheirFields(t *testing.T) {
	s, a, _, token := campaignServer(t)
	sub, err := s.Subscribers.Create(context.Background(), &subscribers.NewSubscriber{Email: "bo@example.com", Status: "confirmed", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	campaign, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"Hello","lists":["news"]}`)
	_, form := a.get("/admin/campaigns/new")
	// No list ticked: the boxes are marked invalid.
	_, refused := a.postBody("/admin/campaigns", url.Values{"csrf": {a.csrfOf("/admin/campaigns/new")}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}})
	if !strings.Contains(refused, `id="lists-error"`) {
		t.Fatalf("a campaign with no list was not refused for it:\n%s", refused)
	}
	pages := map[string]string{"/admin/campaigns/new": form, "a refused campaign": refused}
	for _, path := range []string{campaign + "/edit", "/admin/subscribers/" + strconv.FormatInt(sub.ID, 10), "/admin/subscribers/new",
		"/admin/lists", "/admin/lists/news", "/admin/articles/new", "/admin/settings", "/admin/webhooks", "/admin/team", "/admin/tokens", "/admin/feeds"} {
		_, pages[path] = a.get(path)
	}
	for what, body := range pages {
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for n := range doc.Descendants() {
			if n.Type == html.ElementNode && labelTestAttr(n, "id") != "" {
				ids[labelTestAttr(n, "id")] = true
			}
		}
		boxes := 0
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			switch n.Data {
			case "label":
				if f := labelTestAttr(n, "for"); f != "" && ids[f] || labelHoldsField(n) {
					continue
				}
				t.Errorf("%s: a label names no field: %s", what, labelTestText(n))
			case "input":
				if name := labelTestAttr(n, "name"); labelTestAttr(n, "type") == "checkbox" && (name == "lists" || name == "list") {
					boxes++
					if legend := fieldsetLegendOf(n); !strings.HasPrefix(legend, "Lists") {
						t.Errorf("%s: the list box %q is in no fieldset whose legend names the lists (legend %q)", what, labelTestAttr(n, "value"), legend)
					}
				}
			}
		}
		if strings.Contains(what, "campaign") || strings.Contains(what, "subscribers/") {
			if boxes == 0 {
				t.Errorf("%s: no list boxes to check:\n%s", what, body)
			}
		}
	}
}

func labelTestAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// labelHoldsField is true when label n holds a form field, which it names.
func labelHoldsField(n *html.Node) bool {
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && (d.Data == "input" || d.Data == "select" || d.Data == "textarea") {
			return true
		}
	}
	return false
}

// fieldsetLegendOf is the text of the legend of the fieldset around n, or "".
func fieldsetLegendOf(n *html.Node) string {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "fieldset" {
			for c := p.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "legend" {
					return strings.TrimSpace(labelTestText(c))
				}
			}
			return ""
		}
	}
	return ""
}

func labelTestText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
