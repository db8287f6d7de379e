package web

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// After "Ask them again", the report says the pending readers were asked
// as chosen: it does not advise the consent box the editor passed over.
// The plain import of pending rows still does.
func TestAdminImportReportAfterAskThemAgain(t *testing.T) {
	e := newAdminSubEnv(t)
	const tick = "tick \"I have these readers' consent\""
	file := "email,name,lists,status\nada@example.com,Ada,daily-news,confirmed\nbo@example.com,Bo,daily-news,pending\n"
	report := html.UnescapeString(e.importReport(file, url.Values{"reconfirm": {"on"}}))
	if !strings.Contains(report, "2 new readers are pending, each asked by mail to confirm, as you chose with “Ask them again”.") {
		t.Errorf("the report after Ask them again does not say the readers were asked as chosen:\n%s", report)
	}
	if strings.Contains(report, tick) {
		t.Errorf("the report after Ask them again advises the consent box:\n%s", report)
	}

	report = html.UnescapeString(e.importReport("email,lists\ncy@example.com,daily-news\n", nil))
	if !strings.Contains(report, "1 new reader is pending ("+tick+" to import them as confirmed).") {
		t.Errorf("the report of a plain import no longer advises the consent box:\n%s", report)
	}
}

// The import page lists a repeated address with what became of its line:
// its lists joined to the first line's, its other name not used.
func TestAdminImportReportSaysWhatARepeatAdded(t *testing.T) {
	e := newAdminSubEnv(t)
	file := "email,name,lists\nann@example.com,Ann,daily-news\nbo@example.com,Bo,daily-news\nann@example.com,Ann again,weekend-culture\n"
	report := html.UnescapeString(e.importReport(file, url.Values{"confirmed": {"on"}}))
	want := "<td>repeats line 2, which takes its list “Weekend Culture” too; its name “Ann again” was not used (line 2's is kept)</td>"
	if !strings.Contains(report, want) {
		t.Errorf("the report does not say what the repeat on line 4 added, want %s:\n%s", want, report)
	}
	// Its line is merged, not skipped: counted and listed apart.
	for _, want := range []string{`<div class="stat">1</div>Merged into an earlier line`, `<div class="stat">0</div>Skipped`, "Lines merged into an earlier line</h2>"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %s:\n%s", want, report)
		}
	}
	if strings.Contains(report, "Skipped lines</h2>") {
		t.Errorf("the report lists the merged line as skipped:\n%s", report)
	}
	if sub := e.byEmail("ann@example.com"); sub == nil || sub.Name != "Ann" || len(sub.Lists) != 2 {
		t.Errorf("ann = %+v, want Ann on daily-news and weekend-culture", sub)
	}
}
