package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// importKeep is how long a finished import's report stays on its page.
const importKeep = time.Hour

// importJobs are the imports this process runs or ran within importKeep,
// by id. The zero value is ready to use.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

// An importJob is one upload on its way into the database: what the
// progress page shows while it runs, and its report once done.
type importJob struct {
	id        string
	size      int64
	confirmed bool
	// reconfirm says the editor chose "Ask them again" for the rows the
	// file marks confirmed: the report does not advise the consent box.
	reconfirm bool
	read      atomic.Int64 // bytes read of the file
	rows      atomic.Int64 // rows stored so far

	mu       sync.Mutex
	finished time.Time
	report   *subscribers.ImportReport
	failure  string // why the import stopped, for the admin
}

// countingReader counts the bytes read through it into n.
type countingReader struct {
	r *bytes.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// start runs the import of file in the background and returns its job;
// reconfirm is the choice to ask the file's confirmed readers again.
// The import outlives the request: each batch commits on its own, so a
// process stopped halfway keeps the batches done, and the same file
// imported again skips them.
func (j *importJobs) start(s *Server, file []byte, opt subscribers.ImportOptions, reconfirm bool) *importJob {
	id := make([]byte, 16)
	rand.Read(id)
	job := &importJob{id: hex.EncodeToString(id), size: int64(len(file)), confirmed: opt.Confirmed, reconfirm: reconfirm}
	j.mu.Lock()
	if j.jobs == nil {
		j.jobs = map[string]*importJob{}
	}
	for k, old := range j.jobs {
		if done := old.doneAt(); !done.IsZero() && time.Since(done) > importKeep {
			delete(j.jobs, k)
		}
	}
	j.jobs[job.id] = job
	j.mu.Unlock()

	opt.Progress = func(rows int) { job.rows.Store(int64(rows)) }
	go func() {
		rep, err := s.Subscribers.Import(context.Background(), countingReader{bytes.NewReader(file), &job.read}, opt)
		job.mu.Lock()
		defer job.mu.Unlock()
		job.report, job.finished = rep, time.Now()
		if err != nil {
			job.failure = bulletin.ErrorMessage(err)
			if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
				s.Log.Error("import subscribers", "err", err)
				job.failure = "The import stopped on an error on our side; the details are in the server log. The batches before it are stored: import the same file again to finish, lines already there are skipped."
			}
		}
		if rep != nil && rep.QueueErr != nil {
			s.Log.Warn("import subscribers: confirmations left to the reconciler", "err", rep.QueueErr)
		}
	}()
	return job
}

func (j *importJobs) get(id string) *importJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.jobs[id]
}

func (job *importJob) doneAt() time.Time {
	job.mu.Lock()
	defer job.mu.Unlock()
	return job.finished
}

// importJobPage is the progress of an import, then its report.
type importJobPage struct {
	adminPage
	Running   bool
	Read      int64
	Size      int64
	Percent   int64
	Rows      int64
	Confirmed bool
	// Reconfirm is the choice to ask the file's confirmed readers again
	// (importPage.Reconfirm): their confirmation mails are what was meant.
	Reconfirm bool
	Failure   string
	Report    *subscribers.ImportReport
	// MoreInvalid, MoreMerged, MoreSkipped and MoreNoted count the lines
	// the report counts but does not list.
	MoreInvalid, MoreMerged, MoreSkipped, MoreNoted int
	// Outbox: no SMTP server is set, so the confirmation mails are written
	// to the outbox, reaching no one; the report says so, as the pages of
	// a reader added or asked again do, not that they are on their way.
	Outbox bool
	// NoReaders says the file had its line of column names and no row
	// under it (blank lines at most), as an export of an empty list has:
	// the page says so rather than show four zeros.
	NoReaders bool
}

// importJobPage shows a running import's progress, refreshing itself each
// second (no script: a Refresh header and its meta twin), then the report.
func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request) {
	job := s.imports.get(r.URL.Query().Get("job"))
	if job == nil {
		s.adminNotFound(w, r)
		return
	}
	p := &importJobPage{Size: job.size, Read: job.read.Load(), Rows: job.rows.Load(), Confirmed: job.confirmed, Reconfirm: job.reconfirm, Outbox: s.Outbox != nil}
	job.mu.Lock()
	p.Running = job.finished.IsZero()
	p.Report, p.Failure = job.report, job.failure
	job.mu.Unlock()
	if p.Size > 0 {
		p.Percent = p.Read * 100 / p.Size
	}
	if rep := p.Report; rep != nil {
		p.MoreInvalid = rep.Invalid - len(rep.InvalidLines)
		p.MoreMerged = rep.Merged - len(rep.MergedLines)
		p.MoreSkipped = rep.Skipped - len(rep.SkippedLines)
		p.MoreNoted = rep.Noted - len(rep.NotedLines)
		p.NoReaders = p.Failure == "" && rep.NoReaders()
	}
	if p.Running {
		w.Header().Set("Refresh", "1")
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_subscriber_import_job", p)
}
