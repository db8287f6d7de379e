package mailer

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// benchConns is the pool size of every benchmark, the default.
const benchConns = DefaultSMTPConns

// benchMsg composes a newsletter of about 6 KB.
func benchMsg(b *testing.B) []byte {
	b.Helper()
	para := "The harbour ferry runs on its winter timetable from Monday; the last boat leaves at 21:40. "
	m := Message{
		From:    &mail.Address{Name: "Harbour Gazette", Address: "news@gazette.test"},
		To:      &mail.Address{Address: smtptest.BlastTo},
		Subject: "Harbour Gazette — 5 new stories",
		Text:    strings.Repeat(para+"\n", 24),
		HTML:    "<p>" + strings.Repeat(para+"</p>\n<p>", 24) + "</p>",
		Headers: [][2]string{{"List-Unsubscribe", "<https://gazette.test/unsubscribe/abc>"}},
	}
	raw, err := m.Compose()
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func reportRate(b *testing.B, srv *smtptest.Server, before int) {
	b.StopTimer()
	if got := srv.Count(smtptest.BlastTo) - before; got != b.N {
		b.Fatalf("server accepted %d messages, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkBareLoop is the yardstick: the least a client can do to put
// b.N messages through benchConns pipelined connections, with DATA and,
// as the server offers CHUNKING, with BDAT and 4 messages in flight.
func BenchmarkBareLoop(b *testing.B) {
	for _, how := range []string{"DATA", "BDAT"} {
		b.Run(how, func(b *testing.B) {
			srv := smtptest.Start(b, smtptest.WithDiscard())
			msg := benchMsg(b)
			before := srv.Count(smtptest.BlastTo)
			b.SetBytes(int64(len(msg)))
			b.ResetTimer()
			var err error
			if how == "DATA" {
				err = smtptest.BlastPipelined(srv.Addr(), benchConns, msg, b.N)
			} else {
				err = smtptest.BlastChunked(srv.Addr(), benchConns, 4, msg, b.N)
			}
			if err != nil {
				b.Fatal(err)
			}
			reportRate(b, srv, before)
		})
	}
}

// BenchmarkSMTPSendBatch is the transport's fast path, in batches of 1000
// as send tasks carry them: as one BDAT chunk a message to a server that
// offers CHUNKING, with DATA to one that does not.
func BenchmarkSMTPSendBatch(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []smtptest.Option
	}{{"BDAT", nil}, {"DATA", []smtptest.Option{smtptest.WithoutChunking()}}} {
		b.Run(mode.name, func(b *testing.B) {
			srv := smtptest.Start(b, append(mode.opts, smtptest.WithDiscard())...)
			s := benchSMTP(b, srv)
			msg := benchMsg(b)
			msgs := make([]Outgoing, min(b.N, 1000))
			for i := range msgs {
				msgs[i] = Outgoing{From: "news@gazette.test", To: smtptest.BlastTo, Data: msg}
			}
			before := srv.Count(smtptest.BlastTo)
			b.SetBytes(int64(len(msg)))
			b.ResetTimer()
			for off := 0; off < b.N; off += len(msgs) {
				for _, err := range s.SendBatch(context.Background(), msgs[:min(len(msgs), b.N-off)]) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			reportRate(b, srv, before)
		})
	}
}

// BenchmarkSMTPSend is the Transport interface from benchConns goroutines,
// one message a call.
func BenchmarkSMTPSend(b *testing.B) {
	srv := smtptest.Start(b, smtptest.WithDiscard())
	s := benchSMTP(b, srv)
	msg := benchMsg(b)
	before := srv.Count(smtptest.BlastTo)
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := range benchConns {
		wg.Go(func() {
			for i := g; i < b.N; i += benchConns {
				if err := s.Send(context.Background(), "news@gazette.test", []string{smtptest.BlastTo}, msg); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	reportRate(b, srv, before)
}

func benchSMTP(b *testing.B, srv *smtptest.Server) *SMTP {
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	cfg.Conns = benchConns
	s, err := NewSMTP(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}
