package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A postfixInstance is a Postfix of the test's own: its configuration,
// queue and data folders in a temporary folder, its smtpd on a free
// loopback port, its log in a file, no DNS. Debian's postfix package gives
// the programs; its /etc/postfix is not read.
type postfixInstance struct {
	t       *testing.T
	bin     string // folder of postfix and postqueue
	conf    string // config_directory
	spool   string // queue_directory
	maillog string
	// Addr is where its smtpd listens, host:port.
	Addr string
}

// postfixBin returns the folder of the Postfix programs (postfix,
// postqueue). Without BULLETIN_INTEGRATION the test is skipped; when Postfix is missing or cannot run here (it must start as
// root), it is skipped too, unless BULLETIN_REQUIRE_POSTFIX=1, which makes
// that a failure (CI installs Postfix and sets it).
func postfixBin(t *testing.T) string {
	t.Helper()
	require := os.Getenv("BULLETIN_REQUIRE_POSTFIX") == "1"
	if os.Getenv("BULLETIN_INTEGRATION") == "" {
		if require {
			t.Fatal("BULLETIN_REQUIRE_POSTFIX=1 needs BULLETIN_INTEGRATION=1 too")
		}
		t.Skip("set BULLETIN_INTEGRATION=1 (and install Debian's postfix) to run the Postfix relay test")
	}
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if require {
			t.Fatalf("%s; BULLETIN_REQUIRE_POSTFIX=1 makes this a failure", msg)
		}
		t.Skipf("%s: skipping the Postfix relay test (BULLETIN_REQUIRE_POSTFIX=1 makes this a failure)", msg)
	}
	var dir string
	for _, name := range []string{"postfix", "postqueue"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if _, serr := os.Stat("/usr/sbin/" + name); serr != nil {
				missing("no %s program (apt-get install postfix)", name)
			}
			p = "/usr/sbin/" + name
		}
		if dir == "" {
			dir = filepath.Dir(p)
		}
	}
	if os.Geteuid() != 0 {
		missing("Postfix's master must be started as root, and this test runs as uid %d", os.Geteuid())
	}
	if _, err := user.Lookup("postfix"); err != nil {
		missing("no postfix user: %v", err)
	}
	return dir
}

// startPostfix writes a Postfix instance into a temporary folder and
// starts it: smtpd on a free port of 127.0.0.1 relaying for 127.0.0.0/8,
// transport (a domain to a next hop such as smtp:[127.0.0.1]:2525) as its
// only routes, and short queue timers: a message the next hop keeps
// refusing with 4xx is retried every second or two and returned to its
// sender after 3 s (and so is a DSN that cannot be delivered). It is
// stopped, and its processes killed if need be, when the test ends; if
// the test failed, its log and queue are printed first.
func startPostfix(t *testing.T, transport map[string]string) *postfixInstance {
	t.Helper()
	bin := postfixBin(t)
	root := t.TempDir()
	// Postfix's daemons drop to the postfix user, which must get through
	// the test's temporary folders (0700 as the testing package makes them).
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := &postfixInstance{t: t, bin: bin, conf: filepath.Join(root, "etc"), spool: filepath.Join(root, "spool"),
		maillog: filepath.Join(root, "maillog"), Addr: freeAddr(t)}
	data := filepath.Join(root, "data")
	for _, d := range []string{p.conf, p.spool, data} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	u, err := user.Lookup("postfix")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(data, uid, gid); err != nil { // master.lock and the like
		t.Fatal(err)
	}

	var routes strings.Builder
	for domain, next := range transport {
		fmt.Fprintf(&routes, "%s %s\n", domain, next)
	}
	files := map[string]string{
		"transport": routes.String(),
		"main.cf": fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s
data_directory = %[2]s
maillog_file = %[3]s
maillog_file_prefixes = %[4]s
myhostname = relay.example.test
mydomain = example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
smtp_dns_support_level = disabled
smtp_host_lookup = native
transport_maps = texthash:%[5]s
default_transport = error:this test relay has no route for that domain
relay_transport = error:this test relay has no route for that domain
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maximal_queue_lifetime = 3s
bounce_queue_lifetime = 3s
`, p.spool, data, p.maillog, root, filepath.Join(p.conf, "transport")),
		// chroot off (column 5), and postlogd for maillog_file: no syslog here.
		"master.cf": p.Addr + ` inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(p.conf, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// check makes the queue's folders with their owners and modes.
	if out, err := p.command("postfix", "-c", p.conf, "check").CombinedOutput(); err != nil {
		t.Fatalf("postfix check: %v\n%s\n%s", err, out, p.log())
	}
	t.Cleanup(p.stop)
	if out, err := p.command("postfix", "-c", p.conf, "start").CombinedOutput(); err != nil {
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, p.log())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Postfix's log:\n%s\nPostfix's queue:\n%s", p.log(), p.queue())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.Dial("tcp", p.Addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postfix's smtpd does not answer on %s: %v\n%s", p.Addr, err, p.log())
		}
	}
	return p
}

func (p *postfixInstance) command(name string, args ...string) *exec.Cmd {
	return exec.Command(filepath.Join(p.bin, name), args...)
}

// log returns Postfix's log so far.
func (p *postfixInstance) log() string {
	b, err := os.ReadFile(p.maillog)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// queue returns what postqueue -p says is queued.
func (p *postfixInstance) queue() string {
	out, err := p.command("postqueue", "-c", p.conf, "-p").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s(postqueue: %v)", out, err)
	}
	return string(out)
}

// flushEvery asks Postfix to try its queued mail again (postqueue -f)
// every d until the returned function is called.
func (p *postfixInstance) flushEvery(d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p.command("postqueue", "-c", p.conf, "-f").Run()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// stop stops Postfix and kills what is left of it: the master and its
// children share a process group, the master's pid.
func (p *postfixInstance) stop() {
	out, err := p.command("postfix", "-c", p.conf, "stop").CombinedOutput()
	if err != nil {
		p.t.Logf("postfix stop: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(p.spool, "pid", "master.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := syscall.Kill(-pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
	}
	p.t.Logf("Postfix (process group %d) still running 5 s after stop: killing it", pid)
	syscall.Kill(-pid, syscall.SIGKILL)
}
