package bounces

import (
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// peerLimiter holds a token bucket per peer: an IPv4 address, or an IPv6
// /64, which one host can easily change within.
type peerLimiter struct {
	rate  rate.Limit
	burst int

	mu    sync.Mutex
	peers map[string]*peerBucket
}

type peerBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxPeers bounds the buckets held; past it, those idle for peerIdle go.
const (
	maxPeers = 10000
	peerIdle = 10 * time.Minute
)

func newPeerLimiter(r rate.Limit, burst int) *peerLimiter {
	return &peerLimiter{rate: r, burst: burst, peers: map[string]*peerBucket{}}
}

// allow takes a token from the bucket of the peer at addr.
func (l *peerLimiter) allow(addr net.Addr, now time.Time) bool {
	if l.rate == rate.Inf {
		return true
	}
	key := peerKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.peers[key]
	if b == nil {
		if len(l.peers) >= maxPeers {
			for k, p := range l.peers {
				if now.Sub(p.seen) > peerIdle {
					delete(l.peers, k)
				}
			}
		}
		b = &peerBucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.peers[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// peerKey is the bucket of addr: its IP, an IPv6 address cut to its /64.
func peerKey(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if ip4 := tcp.IP.To4(); ip4 != nil {
		return ip4.String()
	}
	return tcp.IP.Mask(net.CIDRMask(64, 128)).String()
}
