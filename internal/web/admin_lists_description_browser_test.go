package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// emptyDescriptions is "" when, stacked on a phone, the lists page labels
// only the descriptions there are, else the lists whose empty one is
// labelled.
const emptyDescriptions = `(function () {
	var bad = [];
	Array.prototype.forEach.call(document.querySelectorAll("table.lists td.muted"), function (td) {
		if (td.innerText.trim() !== "" || !td.checkVisibility()) return;
		if (getComputedStyle(td, "::before").content.indexOf("Description") >= 0 || td.getBoundingClientRect().height > 0)
			bad.push(td.parentElement.querySelector("a").innerText);
	});
	return bad.join(", ");
})()`

// A list without a description shows no empty "Description:" label on a
// phone, where the table's cells stack under their labels; one with a
// description keeps its label, on a phone and in the wide table.
func TestAdminListsNoEmptyDescriptionLabel(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	s, a := newAdminServer(t)
	ctx := context.Background()
	for _, l := range []*subscribers.List{{Slug: "daily", Name: "Daily"}, {Slug: "weekly", Name: "Weekly", Description: "The week's best, on Sundays."}} {
		if err := s.Subscribers.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	b := browser33(t)
	login33(t, b, a.base)
	for _, v := range []view33{{390, "light"}, {1280, "light"}} {
		open33(t, b, v, a.base+"/admin/lists")
		lay37Shot(t, b, fmt.Sprintf("lists-%d", v.width))
		if v.width < 600 {
			if bad := eval33[string](t, b, emptyDescriptions); bad != "" {
				t.Errorf("at %s an empty description is shown for %s", v, bad)
			}
			label := eval33[string](t, b, `getComputedStyle(document.querySelector("table.lists td[data-label=Description]"), "::before").content`)
			if label != `"Description: "` {
				t.Errorf("at %s the description there is labelled %s", v, label)
			}
		}
		if text := eval33[string](t, b, `document.querySelector("table.lists").innerText`); !strings.Contains(text, "The week's best, on Sundays.") {
			t.Errorf("at %s the description is not shown:\n%s", v, text)
		}
	}
}
