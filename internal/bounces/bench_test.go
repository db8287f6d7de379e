package bounces_test

import (
	"io"
	"net"
	"net/smtp"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// benchConns is how many relays send at once, each on its own connection.
const benchConns = 8

// BenchmarkIntake sends b.N hard-bounce DSNs, each for its own delivery,
// over benchConns connections: through the intake (parsed, recorded in
// batches, each reader bounced and suppressed) and, for comparison,
// through a bare SMTP server that only receives the same bytes.
//
//	go test -run XXX -bench Intake -benchtime 20000x ./internal/bounces/
func BenchmarkIntake(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		addr := bareServer(b)
		msgs := make([][]byte, b.N)
		rcpts := make([]string, b.N)
		for i := range msgs {
			rcpts[i] = "bounce+x@" + bounceDomain
			msgs[i] = fixture(b, "dsn-hard.eml", rcpts[i], "robin@tidewater.test")
		}
		blast(b, addr, rcpts, msgs)
	})
	b.Run("intake", func(b *testing.B) {
		e := newIntake(b, nil)
		cid := e.campaign(b)
		now := sqlite.Now()
		e.exec(b, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
			SELECT 'r' || i || '@tidewater.test', 'r' || i || '@tidewater.test', 'confirmed', ?, ? FROM n`, b.N, now, now)
		e.exec(b, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at)
			SELECT ?, id, 'sent', ?, ? FROM subscribers`, cid, now, now)
		rows, err := e.db.Read.Query(`SELECT id, email FROM subscribers ORDER BY id`)
		if err != nil {
			b.Fatal(err)
		}
		var rcpts []string
		var msgs [][]byte
		for rows.Next() {
			var sid int64
			var email string
			if err := rows.Scan(&sid, &email); err != nil {
				b.Fatal(err)
			}
			rcpt := e.verp.Address(cid, sid)
			rcpts = append(rcpts, rcpt)
			msgs = append(msgs, fixture(b, "dsn-hard.eml", rcpt, email))
		}
		rows.Close()
		blast(b, e.addr, rcpts, msgs)
		b.StopTimer()
		if n := e.count(b, "events"); n != b.N {
			b.Fatalf("%d events recorded, want %d", n, b.N)
		}
	})
}

// blast sends msgs[i] to rcpts[i] over benchConns connections and
// reports messages a second.
func blast(b *testing.B, addr string, rcpts []string, msgs [][]byte) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, benchConns)
	b.ResetTimer()
	start := time.Now()
	for c := range benchConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := smtp.Dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer cl.Close()
			for i := c; i < len(msgs); i += benchConns {
				if err := sendOn(cl, rcpts[i], msgs[i]); err != nil {
					errs <- err
					return
				}
			}
			cl.Quit()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(msgs))/elapsed.Seconds(), "msgs/s")
}

func sendOn(c *smtp.Client, rcpt string, msg []byte) error {
	if err := c.Mail(""); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

// bareServer is an SMTP server on loopback that takes any mail and keeps
// nothing: the cost of receiving alone.
func bareServer(b *testing.B) string {
	b.Helper()
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return bareSession{}, nil }))
	s.Domain = bounceDomain
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go s.Serve(ln)
	b.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

type bareSession struct{}

func (bareSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (bareSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (bareSession) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (bareSession) Reset()                                 {}
func (bareSession) Logout() error                          { return nil }
