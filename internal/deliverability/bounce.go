package deliverability

import (
	"fmt"
	"strings"
)

// bounceMX checks that the bounce domain has an MX, so the mail sent to
// its VERP addresses reaches a server.
func (r *run) bounceMX(domain string) Finding {
	f := Finding{Domain: domain, Check: "MX"}
	host := normalize(r.c.BounceHost)
	if host == "" || !strings.Contains(host, ".") {
		host = "bulletin-host.example"
	}
	publish := &Record{Name: domain, Type: "MX", Value: "10 " + host + "."}
	mxs, err := r.res.MX(r.ctx, domain)
	if err != nil {
		f.Status, f.Detail = Error, fmt.Sprintf("could not look up the MX of %s: %v", domain, err)
		return f
	}
	var hosts []string
	for _, mx := range mxs {
		if h := normalize(mx.Host); h != "" {
			hosts = append(hosts, h)
		}
	}
	switch {
	case len(mxs) == 0:
		f.Status, f.Detail, f.Publish = Missing, fmt.Sprintf("BULLETIN_BOUNCE_DOMAIN %s has no MX: bounces sent to its VERP addresses go nowhere (or to its A record); publish an MX naming the host that receives them", domain), publish
	case len(hosts) == 0:
		f.Status, f.Detail, f.Publish = Error, fmt.Sprintf("%s publishes a null MX (it takes no mail): bounces to it are lost", domain), publish
	default:
		f.Status, f.Detail = OK, fmt.Sprintf("bounces to %s go to %s", domain, strings.Join(hosts, ", "))
	}
	return f
}

// senders reports the pieces of Bulletin's own mail that Gmail and Yahoo
// ask of bulk senders since 2024.
func (r *run) senders(domain string) Finding {
	f := Finding{Domain: domain, Check: "Gmail/Yahoo"}
	if len(r.keys(domain)) == 0 {
		f.Status = Warn
		f.Detail = "campaign and digest mail carries one-click unsubscribe (List-Unsubscribe, List-Unsubscribe-Post) and List-Id, but without a DKIM signature they are not signed and From is not aligned: set up DKIM"
		return f
	}
	f.Status = OK
	f.Detail = "campaign and digest mail carries one-click unsubscribe (List-Unsubscribe, List-Unsubscribe-Post, RFC 8058) and List-Id, covered by the DKIM signature of d=" + domain + ", aligned with From"
	return f
}
