package bounces

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// A MailboxURL is where the bounce mailbox is (SPEC §6):
// imaps://user:password@host[:port]/FOLDER, or imap:// for STARTTLS
// (plain text only to a loopback host, for tests).
type MailboxURL struct {
	// TLS is TLS from the start (imaps, port 993 by default); otherwise
	// the connection is upgraded with STARTTLS (imap, port 143).
	TLS bool
	// Addr is host:port.
	Addr           string
	User, Password string
	// Folder is the folder polled; INBOX when the URL names none.
	Folder string
}

// errMailboxForm says what a mailbox URL looks like.
const errMailboxForm = "use imaps://user:password@host[:port]/FOLDER (or imap:// for STARTTLS), " +
	"with characters like @ / : in the user name or password written as %40 %2F %3A"

// ParseMailboxURL reads a mailbox URL. Its errors never repeat the URL,
// which holds a password.
func ParseMailboxURL(s string) (MailboxURL, error) {
	var m MailboxURL
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return m, errors.New("not a URL: " + errMailboxForm)
	}
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		m.TLS = true
	case "imap":
	default:
		return m, errors.New(errMailboxForm)
	}
	if u.Opaque != "" {
		return m, errors.New(errMailboxForm)
	}
	pass, ok := u.User.Password()
	if u.User == nil || u.User.Username() == "" || !ok || pass == "" {
		return m, errors.New("the URL needs a user name and password: " + errMailboxForm)
	}
	m.User, m.Password = u.User.Username(), pass
	host := u.Hostname()
	if host == "" || strings.ContainsAny(host, " /") {
		return m, errors.New("the URL needs a host: " + errMailboxForm)
	}
	port := u.Port()
	if port == "" {
		port = "143"
		if m.TLS {
			port = "993"
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return m, errors.New("port " + strconv.Quote(port) + ": use a number from 1 to 65535")
	}
	m.Addr = net.JoinHostPort(host, port)
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return m, errors.New("the URL takes no query or fragment: " + errMailboxForm)
	}
	m.Folder = strings.Trim(u.Path, "/")
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if strings.ContainsAny(m.Folder, "\r\n\x00") {
		return m, errors.New("the folder name has a control character: " + errMailboxForm)
	}
	return m, nil
}

// String is the URL without its user name and password, for logs.
func (m MailboxURL) String() string {
	scheme := "imap"
	if m.TLS {
		scheme = "imaps"
	}
	return scheme + "://" + m.Addr + "/" + m.Folder
}

// loopback reports whether the host is this machine, where plain text
// is allowed.
func (m MailboxURL) loopback() bool {
	host, _, _ := net.SplitHostPort(m.Addr)
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
