package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A second serve on a data folder exits 2 naming the first one's pid; the
// lock dies with the first when it is killed with SIGKILL, so a new serve
// starts without anyone cleaning up.
func TestServeLockSurvivesKill9(t *testing.T) {
	c := newCluster(t, 0, 0)
	first, _ := c.start("serve1", "serve")
	second := c.command("serve")
	second.Env = append(second.Env, "BULLETIN_ADDR="+freeAddr(t))
	out, code := runFor(t, second, 20*time.Second)
	want := fmt.Sprintf("bulletin serve: another bulletin serve (pid %d) runs on the data folder %s", first.Process.Pid, c.data)
	if code != 2 || !strings.Contains(out, want) {
		t.Errorf("second serve: exit %d, output %q; want 2 and %q", code, out, want)
	}
	kill9(t, first)
	c.start("serve2", "serve") // fails the test unless it comes up
}

// runFor runs cmd, killing it after d, and returns its output and status.
func runFor(t *testing.T, cmd *exec.Cmd, d time.Duration) (string, int) {
	t.Helper()
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Kill() })
	defer timer.Stop()
	cmd.Wait()
	return buf.String(), cmd.ProcessState.ExitCode()
}

// A backup taken mid-campaign while serve sends is restored into a fresh
// data folder, where it passes PRAGMA integrity_check and the campaign
// finishes: every reader gets the message, and the only second copies are
// of messages the first serve sent after the backup was taken.
func TestBackupMidCampaignRestoresAndFinishes(t *testing.T) {
	const n, rejected = 2000, 20
	smtp := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 0.05, RejectDomain: "rejected.example"}))
	// 400 messages a second: the campaign takes some 5 s, so the backup
	// falls in the middle of it and little is sent while it runs.
	c := newCluster(t, n, rejected, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_SMTP_RATE=400")
	serve, addr := c.start("serve1", "serve")
	id := c.startCampaign(addr)
	waitTotal(t, smtp, n/3)

	// restore refuses while serve holds the data folder.
	file := filepath.Join(t.TempDir(), "backup.db")
	out, code := runFor(t, c.command("restore", file), 20*time.Second)
	if code != 2 || !strings.Contains(out, fmt.Sprintf("(pid %d)", serve.Process.Pid)) {
		t.Errorf("restore while serve runs: exit %d, %q", code, out)
	}
	atBackup := smtp.Total()
	if out, err := c.command("backup", file).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	kill9(t, serve) // the machine is lost; the backup is what is left
	time.Sleep(200 * time.Millisecond)
	atKill := smtp.Total()
	if atKill >= n-rejected {
		t.Fatalf("the campaign finished (%d sent) before the kill: nothing left to test", atKill)
	}

	fresh := &cluster{t: t, bin: c.bin, data: t.TempDir(), token: c.token}
	fresh.env = append(append([]string(nil), c.env...), "BULLETIN_DATA="+fresh.data)
	if out, err := fresh.command("restore", file).CombinedOutput(); err != nil {
		t.Fatalf("restore into a fresh folder: %v\n%s", err, out)
	}
	recorded := checkRestored(t, filepath.Join(fresh.data, "bulletin.db"), id)
	// The backup is current: it records what was sent up to the moment it
	// was taken, all but what serve had not yet written down (it writes
	// results every 10 ms; 30 is some 75 ms at 400 messages a second).
	if recorded < atBackup-30 {
		t.Errorf("the backup records %d sent, but %d had been accepted when it began", recorded, atBackup)
	}

	_, addr = fresh.start("serve2", "serve")
	cj := fresh.waitSent(addr, id, 3*time.Minute)
	// The bound: SPEC §4 allows a second copy only of a message the SMTP
	// server accepted that the database does not record as sent. From the
	// backup, that is every message the first serve had accepted by the
	// kill less those the backup records: what was in flight when it was
	// taken and what was sent after.
	checkCounts(t, smtp, n, rejected, atKill-recorded)
	t.Logf("accepted at the backup %d, recorded in it %d, at the kill %d", atBackup, recorded, atKill)
	if cj.Stats["sent"] != n-rejected || cj.Stats["bounced"] != rejected || cj.Stats["queued"] != 0 {
		t.Errorf("stats %v", cj.Stats)
	}
}

// checkRestored opens a restored database, checks its integrity and
// returns how many of the campaign's deliveries it records as sent.
func checkRestored(t *testing.T, path string, campaign int64) int {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open the restored database: %v", err)
	}
	defer db.Close()
	var ok string
	if err := db.Read.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check of the restored database: %q, %v", ok, err)
	}
	var sent int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE campaign_id = ? AND status = 'sent'`, campaign).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	return sent
}
