package web

import (
	"net/url"
	"strings"
	"testing"
)

// The subscribers page finds a reader by their address as it shows it,
// its domain in Unicode: frank@exämple.com, stored as
// frank@xn--exmple-cua.com, was found by "xn--" only.
func TestAdminSubscribersSearchUnicodeDomain(t *testing.T) {
	e := newAdminSubEnv(t)
	e.addReader("frank@exämple.com", "daily-news")
	e.addReader("ann@example.com", "daily-news")
	for _, q := range []string{"exämple", "frank@exämple.com", "EXÄMPLE.com"} {
		_, body := e.a.get("/admin/subscribers?q=" + url.QueryEscape(q))
		if !strings.Contains(body, ">frank@exämple.com</a>") || strings.Contains(body, "ann@example.com") {
			t.Errorf("?q=%s does not find frank@exämple.com alone:\n%s", q, body)
		}
	}
}
