package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/web"
	"github.com/bulletinhq/bulletin/mailer"
)

// wireDigests connects digests, feeds and the archive: task handlers and
// periodic entries (m.app.periodic), reconcilers, and srv's dependencies.
// Digests are campaigns, so the campaigns reconciler and sender serve them.
func (m *Main) wireDigests(ctx context.Context, mux *asynq.ServeMux, srv *web.Server) error {
	a := m.app
	svc := srv.Campaigns
	if svc == nil {
		return errors.New("wire digests: campaigns are not wired")
	}
	feeds := articles.NewFeeds(a.DB, a.Articles, m.Config.AllowPrivateFeeds)
	feeds.Log = m.Log // a failed poll's warning is a line of serve's log, not the standard log's
	// A warning for each feed migration 098 left polled twice, at start.
	feeds.WarnDuplicates(ctx)
	mux.HandleFunc(queue.TypeDigestTick, svc.HandleDigestTick)
	mux.HandleFunc(queue.TypeDigestBuild, svc.HandleDigestBuild)
	mux.HandleFunc(queue.TypeFeedPoll, feeds.HandlePoll)
	a.periodic = append(a.periodic,
		periodic{"@every 1m", queue.NewDigestTickTask(), []asynq.Option{asynq.Unique(50 * time.Second), asynq.MaxRetry(0)}},
		periodic{"@every 5m", queue.NewFeedPollTask(), []asynq.Option{asynq.Unique(14 * time.Minute), asynq.MaxRetry(0), asynq.Timeout(10 * time.Minute)}},
	)
	srv.DigestDeps = web.DigestDeps{Digests: svc, Feeds: feeds, Archive: svc.Store}
	return nil
}

// digest runs "digest run --list SLUG": it builds the list's digest now
// and sends it. The digest's mail:send tasks are queued as serve queues
// them. With the embedded Redis no other process can see them, so this
// process sends every batch itself before it exits, under the same SQLite
// ledger serve's sender uses. With BULLETIN_REDIS_URL set, serve and the
// workers on that Redis send them, and this only queues.
func (m *Main) digest(ctx context.Context, args []string) error {
	var slug string
	rest, err := m.ParseFlags("digest", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "list", "", "slug of the list whose digest to build")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "run" || slug == "" {
		return usagef("use: bulletin digest run --list SLUG")
	}
	if err := m.openAll(ctx); err != nil {
		return err
	}
	a := m.app
	if a.Queue.Embedded() { // sent by this process, as serve would
		if err := m.checkSendsAsServe("the digest"); err != nil {
			return err
		}
	}
	svc := m.newCampaignService()
	d, err := svc.RunDigest(ctx, slug)
	if code := bulletin.ErrorCode(err); code == bulletin.ENOTFOUND {
		return m.noSuchList(ctx, bulletin.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	slug = d.List // as stored: "DAILY-NEWS" names daily-news
	switch {
	case d.ID == 0 && d.Articles == 0:
		fmt.Fprintf(m.Stdout, "no new articles in %s since %s: no digest\n", slug, d.WindowStart.Format(time.RFC3339))
		return nil
	case d.ID == 0:
		fmt.Fprintf(m.Stdout, "no readers for the %s digest of %s: %s, no digest\n", d.Cadence, slug, plural(d.Articles, "article"))
		return nil
	}
	if err := m.warnLinksFromAddr(ctx); err != nil {
		return err
	}
	// The first digest of a list that left daily is two: the weekly
	// readers' from their last round-up comes with it (d.Other).
	digests := []*campaigns.Digest{d}
	if d.Other != nil {
		digests = append(digests, d.Other)
	}
	if !a.Queue.Embedded() {
		for _, d := range digests {
			fmt.Fprintf(m.Stdout, "digest %d for %s: %s, %s\n", d.ID, slug, plural(d.Articles, "article"), plural(d.Recipients, "recipient"))
		}
		fmt.Fprintln(m.Stdout, "queued on Redis: serve or the workers send it")
		return nil
	}
	sender := &mailer.Sender{Batch: mailer.Batch(a.Transport, m.Config.SMTPConns), Ledger: svc.Ledger(), Log: m.Log, Signer: a.DKIM}
	for _, d := range digests {
		fmt.Fprintf(m.Stdout, "digest %d for %s: %s, %s\n", d.ID, slug, plural(d.Articles, "article"), plural(d.Recipients, "recipient"))
		// A few readers refused for now (a 4xx) stay queued for their
		// retry and the other batches go on: only an error that keeps the
		// whole digest from going (the server refusing every message, the
		// database) stops the run. It gave up on the whole digest at the
		// first batch with one reader refused, 2,492 of 2,982 readers left
		// waiting for serve (tester).
		retrying, err := svc.SendQueued(ctx, d.ID, sender.Send)
		if err != nil {
			msg := fmt.Sprintf("send digest %d: %v", d.ID, err)
			if st, serr := svc.DigestStats(ctx, d.ID); serr == nil && st.Queued > 0 {
				msg += fmt.Sprintf("; %s still queued: %s", deliveries(st.Queued), m.retriedBy(st.Queued))
			}
			return errors.New(msg)
		}
		st, err := svc.DigestStats(ctx, d.ID)
		if err != nil {
			return err
		}
		if retrying > 0 && st.Sent == 0 {
			// Every reader refused for now, and not one taken: the server
			// refuses the digest (too few for its refusal gate to close),
			// not a few of its readers.
			return fmt.Errorf("send digest %d: the mail server took none of its %s (refused for now or not reached: the log has its answer); %s still queued: %s",
				d.ID, plural(retrying, "message"), deliveries(st.Queued), m.retriedBy(st.Queued))
		}
		fmt.Fprintf(m.Stdout, "sent %d, failed %d, bounced %d, skipped %d, still queued %d\n", st.Sent, st.Failed, st.Bounced, st.Skipped, st.Queued)
		switch {
		case st.Queued == 0:
		case retrying > 0:
			n := min(retrying, st.Queued)
			fmt.Fprintf(m.Stdout, "%s refused for now by the mail server %s for a retry: %s\n", deliveries(n), waitWaits(n), m.retriedBy(n))
			if rest := st.Queued - n; rest > 0 {
				fmt.Fprintf(m.Stdout, "the other %s still queued: %s\n", deliveries(rest), m.retriedBy(rest))
			}
		default:
			fmt.Fprintf(m.Stdout, "the %s still queued: %s\n", deliveries(st.Queued), m.retriedBy(st.Queued))
		}
	}
	return nil
}

// retriedBy says who sends what a digest run left queued: the serve that
// runs on the data folder, whose stall watcher rebuilds the digest's tasks
// once it has sent nothing for two minutes, and whose reconciler does
// every five minutes; or, with serve stopped, the next serve at its start.
// (The run's own process has the embedded Redis, which no other sees.)
func (m *Main) retriedBy(n int) string {
	them := "them"
	if n == 1 {
		them = "it"
	}
	if pid := servePID(m.Config.Data); pid != "" {
		return "serve (pid " + pid + ") sends " + them + " within about 5 minutes (its stall watcher or reconciler)"
	}
	return "serve sends " + them + " when it next starts"
}

// servePID returns the pid of the serve running on the data folder dir,
// as its lock file names it, or "" when none runs there (the process it
// names is gone) or it cannot tell. It only reads: taking the lock to
// test it, even for a moment, could make a serve starting then exit.
func servePID(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "serve.lock"))
	if err != nil {
		return ""
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return ""
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return ""
	}
	if err := p.Signal(syscall.Signal(0)); err != nil && !errors.Is(err, syscall.EPERM) {
		return ""
	}
	return strconv.Itoa(pid)
}

func waitWaits(n int) string {
	if n == 1 {
		return "waits"
	}
	return "wait"
}

// deliveries is "1 delivery", "6 deliveries".
func deliveries(n int) string { return prose.CountDigits(n, "delivery", "deliveries") }
