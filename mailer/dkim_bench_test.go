package mailer

import (
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// BenchmarkDKIM composes the same ~15 KB campaign message for one
// recipient after another on all cores, unsigned and signed with each key
// type, against "sign only": a bare loop that signs the composed message
// with the same key and does nothing else, the limit signing sets.
//
//	go test -run '^$' -bench BenchmarkDKIM -benchtime 3s ./mailer/
func BenchmarkDKIM(b *testing.B) {
	rsa, ed := dkimtest.Keys(b)
	para := "The harbour ferry runs on its winter timetable from Monday; the last boat leaves at 21:40. "
	mk := Markers("")
	c := tasks.Content{
		From: "Harbour Gazette <news@gazette.test>", Subject: "Harbour Gazette — 5 new stories",
		Text:   "Hello " + mk.Of(Name) + "\n" + strings.Repeat(para+"\n", 70),
		HTML:   "<p>Hello " + mk.Of(Name) + "</p>\n<p>" + strings.Repeat(para+"</p>\n<p>", 70) + "</p>",
		ListID: "News <news.gazette.test>", BaseURL: "https://gazette.test",
	}
	p := Personal{Email: "reader@example.com", Name: "Ann Reader", Unsubscribe: "AAAAAAAAAAoAAAAAAtIZiSc98AkLR25Qr6karw", Preferences: "x"}
	for _, k := range []struct {
		name string
		keys []dkim.Key
	}{{"unsigned", nil}, {"rsa", []dkim.Key{rsa}}, {"ed25519", []dkim.Key{ed}}, {"rsa+ed25519", []dkim.Key{rsa, ed}}} {
		var signer Signer
		if s := dkim.NewSigner(k.keys, nil); s != nil {
			signer = s
		}
		cm, err := newCampaignMessage(c)
		if err != nil {
			b.Fatal(err)
		}
		if err := cm.setSigner(signer); err != nil {
			b.Fatal(err)
		}
		b.Run(k.name+"/compose+sign", func(b *testing.B) {
			b.SetBytes(int64(len(cm.compose(nil, p))))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var buf []byte
				m := cm.For(p)
				for pb.Next() {
					buf = m.AppendTo(buf[:0])
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
		if signer == nil {
			continue
		}
		msg := cm.compose(nil, p)
		b.Run(k.name+"/sign-only", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var buf []byte
				for pb.Next() {
					var err error
					if buf, err = signer.Sign(buf[:0], msg); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
