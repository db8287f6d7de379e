package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// showJob puts job among the server's imports and returns its page.
func (e *adminSubEnv) showJob(job *importJob) string {
	e.t.Helper()
	e.srv.imports.mu.Lock()
	if e.srv.imports.jobs == nil {
		e.srv.imports.jobs = map[string]*importJob{}
	}
	e.srv.imports.jobs[job.id] = job
	e.srv.imports.mu.Unlock()
	resp, body := e.a.get("/admin/subscribers/import?job=" + job.id)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET the job's page = %d", resp.StatusCode)
	}
	return body
}

// The counts of an import's pages are grouped, as its progress was
// ("21,000 rows stored"): a finished import of forty thousand readers
// said "40000 Added".
func TestAdminSubscriberImportCountsAreGrouped(t *testing.T) {
	e := newAdminSubEnv(t)
	running := &importJob{id: "running", size: 4 << 20}
	running.read.Store(2 << 20)
	running.rows.Store(21000)
	body := e.showJob(running)
	if !strings.Contains(body, "21,000 rows stored") {
		t.Errorf("the progress does not say 21,000 rows stored:\n%s", body)
	}
	rep := &subscribers.ImportReport{Added: 40000, Updated: 12345, Skipped: 1500, Invalid: 2001, Lines: 55847, Header: true,
		Pending: 40000, Asked: 12345, Queued: 52345, Suppressed: 1200,
		SkippedLines: []subscribers.LineNote{{Line: 2, Email: "ann@example.com", Reason: "repeats line 1"}},
		InvalidLines: []subscribers.LineNote{{Line: 3, Reason: "email: the cell is empty"}},
		Noted:        3000, NotedLines: []subscribers.LineNote{{Line: 4, Email: "bo@example.com", Reason: "a note"}}}
	body = e.showJob(&importJob{id: "done", finished: time.Now(), report: rep})
	for _, want := range []string{
		`<div class="stat">40,000</div>Added`, `<div class="stat">12,345</div>Updated`,
		`<div class="stat">1,500</div>Skipped`, `<div class="stat">2,001</div>Invalid`,
		"40,000 new readers are pending", "12,345 readers already stored", "52,345 confirmation mails",
		"1,200 readers on the suppression list",
		"…and 2,000 more invalid lines", "…and 1,499 more skipped lines", "…and 2,999 more notes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q:\n%s", want, body)
		}
	}
}
