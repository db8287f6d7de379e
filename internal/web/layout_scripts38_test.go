package web

import "strings"

// layoutMenuScript opens the admin layout's own script for the phone
// menu (Escape and a tap beside it close it), which every admin page
// with the menu carries, allowed by its hash in adminCSP; the menu opens
// and closes on its button without it.
const layoutMenuScript = `var menu = document.querySelector("header details.menu");`

// layoutScriptFree is an admin page without the layout's menu script,
// for the tests that a page runs no script of its own.
func layoutScriptFree(body string) string {
	at := strings.Index(body, layoutMenuScript)
	if at < 0 {
		return body
	}
	start := strings.LastIndex(body[:at], "<script>")
	end := strings.Index(body[at:], "</script>")
	if start < 0 || end < 0 {
		return body
	}
	return body[:start] + body[at+end+len("</script>"):]
}
