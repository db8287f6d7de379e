// Package dnstest serves a DNS zone on loopback for tests, with
// miekg/dns, and gives a net.Resolver that asks only that server: the
// deliverability checks run through Go's real resolver without a packet
// leaving the machine.
package dnstest

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// A Server answers from its records: NXDOMAIN for a name it has no record
// of, an empty answer for a name it knows without a record of the type
// asked.
type Server struct {
	mu      sync.Mutex
	records []dns.RR
	silent  bool
	udp     string
	tcp     string
}

// Serve starts a server on 127.0.0.1 with records, in zone-file syntax
// ("example.com. 300 IN TXT \"v=spf1 -all\""), stopped at the end of the
// test.
func Serve(t testing.TB, records ...string) *Server {
	t.Helper()
	s := &Server{}
	s.Set(t, records...)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.udp = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	go udp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown() })
	// Answers too long for UDP are asked again over TCP.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		s.tcp = ln.Addr().String()
		tcp := &dns.Server{Listener: ln, Handler: s}
		go tcp.ActivateAndServe()
		t.Cleanup(func() { tcp.Shutdown() })
	}
	return s
}

// Set replaces the server's records.
func (s *Server) Set(t testing.TB, records ...string) {
	t.Helper()
	rrs := make([]dns.RR, 0, len(records))
	for _, r := range records {
		rr, err := dns.NewRR(r)
		if err != nil {
			t.Fatalf("dnstest: record %q: %v", r, err)
		}
		rrs = append(rrs, rr)
	}
	s.mu.Lock()
	s.records = rrs
	s.mu.Unlock()
}

// Silent makes the server drop every question unanswered while on, as a
// DNS server that is down does.
func (s *Server) Silent(on bool) {
	s.mu.Lock()
	s.silent = on
	s.mu.Unlock()
}

// Resolver returns Go's own resolver, asking this server only.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			addr := s.udp
			if strings.HasPrefix(network, "tcp") && s.tcp != "" {
				addr = s.tcp
			}
			return d.DialContext(ctx, network, addr)
		},
	}
}

// ServeDNS implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.mu.Lock()
	silent := s.silent
	s.mu.Unlock()
	if silent {
		return
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 1 {
		q := req.Question[0]
		known := false
		s.mu.Lock()
		for _, rr := range s.records {
			h := rr.Header()
			if !strings.EqualFold(h.Name, q.Name) {
				continue
			}
			known = true
			if h.Rrtype == q.Qtype {
				m.Answer = append(m.Answer, dns.Copy(rr))
			}
		}
		s.mu.Unlock()
		if !known {
			m.Rcode = dns.RcodeNameError
		}
	}
	w.WriteMsg(m)
}
