package mailer

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A TLSMode says how an SMTP connection is encrypted.
type TLSMode string

// The TLS modes of an smtp:// URL's tls parameter.
const (
	// TLSAuto upgrades with STARTTLS when the server offers it and goes on
	// in plain text when it does not (what net/smtp.SendMail does). It is
	// the mode when the URL has no tls parameter and a port other than 465.
	TLSAuto TLSMode = "auto"
	// TLSNone never encrypts. Default port 25.
	TLSNone TLSMode = "none"
	// TLSStartTLS requires STARTTLS. Default port 587.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte. Default port 465.
	TLSImplicit TLSMode = "tls"
)

var defaultPorts = map[TLSMode]int{TLSAuto: 25, TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}

// Defaults of an SMTPConfig's zero fields.
const (
	DefaultSMTPConns     = 8
	DefaultSMTPTimeout   = 30 * time.Second
	DefaultSMTPIdleCheck = 30 * time.Second
)

// An SMTPConfig says where and how the SMTP transport sends. The URL gives
// the server; Conns and Rate come from BULLETIN_SMTP_CONNS and
// BULLETIN_SMTP_RATE.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no AUTH
	Password string
	TLS      TLSMode
	// TLSConfig, when set, is used instead of the system's roots (tests,
	// private CAs). Its ServerName defaults to Host.
	TLSConfig *tls.Config

	Conns     int           // most open connections, default 8
	Rate      float64       // most messages a second, 0 = unlimited
	Timeout   time.Duration // for the dial and each command, default 30 s
	IdleCheck time.Duration // a connection idle longer gets a NOOP first, default 30 s
	HelloName string        // the EHLO argument, default "localhost"
	// Hello, when set, gives the EHLO argument of each new connection,
	// HelloName when it returns "": serve's From can change in the
	// settings while connections come and go.
	Hello func() string
	// NoChunking sends with DATA even to a server that offers CHUNKING.
	NoChunking bool
}

// ParseSMTPURL reads
// smtp://[user:pass@]host[:port][?tls=none|starttls|tls|auto][&chunking=off].
// smtps://host means tls=tls. Without a port it uses 25 for none and
// auto, 587 for starttls and 465 for tls; without a tls parameter it uses
// tls on port 465 and auto elsewhere. chunking=off sends with DATA even
// when the server offers CHUNKING: a way round a relay that handles BDAT
// badly.
//
// An error never shows any part of the user name or password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	cfg, err := parseSMTPURL(raw)
	if err == nil {
		return cfg, nil
	}
	if !strings.Contains(raw, "@") {
		return SMTPConfig{}, err // no userinfo to give away
	}
	return SMTPConfig{}, redactedError(raw)
}

// redactedError explains why raw, which may hold a user name and password
// before its last '@', does not parse, without quoting any of them. An
// unescaped '/', '?' or '#' in a password moves where url.Parse thinks the
// host begins, so any fragment it quotes may be the password: the error is
// found again on a copy with everything up to the last '@' replaced.
func redactedError(raw string) error {
	scheme, _, _ := strings.Cut(raw, ":")
	scheme = strings.ToLower(scheme)
	if scheme != "smtp" && scheme != "smtps" {
		return errors.New("smtp url: use smtp:// or smtps://, like smtp://user:pass@host:587?tls=starttls")
	}
	rest := raw[strings.LastIndexByte(raw, '@')+1:]
	_, err := parseSMTPURL(scheme + "://user:password@" + rest)
	if err != nil && !strings.Contains(err.Error(), "password") {
		return err
	}
	return errors.New("smtp url: the user name or password is not valid in a URL: " +
		"write smtp://user:pass@host:port and percent-encode these characters in them: " +
		"% as %25, / as %2F, ? as %3F, # as %23, @ as %40, : as %3A, space as %20")
}

func parseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if raw != "" && !strings.Contains(raw, "://") && (err != nil || u.Scheme != "smtp" && u.Scheme != "smtps") {
		// host:port, the form a relay's settings page shows, parses as
		// an odd scheme or not at all ("first path segment in URL
		// cannot contain colon"): neither says what to write.
		return SMTPConfig{}, noScheme(raw, u)
	}
	if err != nil {
		// url.Error quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if strings.HasPrefix(err.Error(), "invalid port ") {
			// Go's words, "invalid port ":abc" after host", say
			// nothing of what to write.
			return SMTPConfig{}, fmt.Errorf("smtp url: %w: the port is a number, like smtp://host:587 (STARTTLS) or smtps://host:465", err)
		}
		return SMTPConfig{}, fmt.Errorf("smtp url: %w: write smtp://host:port or smtps://host:port, like smtp://relay.example.com:587", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return SMTPConfig{}, fmt.Errorf("smtp url: scheme %q, want smtp://host:port or smtps://host:port", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return SMTPConfig{}, errors.New("smtp url: missing host: write smtp://host:port, like smtp://relay.example.com:587")
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, fmt.Errorf("smtp url: unexpected path %q: give only the server, like %s", u.Path, serverOnly(u))
	}
	cfg := SMTPConfig{Host: u.Hostname()}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if cfg.TLS, err = parseTLSMode(u); err != nil {
		return SMTPConfig{}, err
	}
	switch v := u.Query().Get("chunking"); v {
	case "", "on":
	case "off":
		cfg.NoChunking = true
	default:
		return SMTPConfig{}, fmt.Errorf("smtp url: chunking=%q, want on or off", v)
	}
	if cfg.Port, err = parsePort(u.Port(), cfg.TLS); err != nil {
		return SMTPConfig{}, err
	}
	return cfg, nil
}

// serverOnly is u without its path, as an error shows it: its scheme,
// host and port, "user:pass@" in place of any user name and password, and
// only the parameters Bulletin knows (tls, chunking): an unknown one may
// be a password put in the wrong place (?password=…), which an error
// never shows.
func serverOnly(u *url.URL) string {
	s := u.Scheme + "://"
	if u.User != nil {
		s += "user:pass@"
	}
	s += u.Host
	q := u.Query()
	known := url.Values{}
	for _, k := range []string{"tls", "chunking"} {
		if v, ok := q[k]; ok {
			known[k] = v
		}
	}
	if len(known) > 0 {
		s += "?" + known.Encode()
	}
	return s
}

// noScheme explains a URL written without smtp:// or smtps://; u is what
// url.Parse made of it, nil when it could not.
func noScheme(raw string, u *url.URL) error {
	reads := ""
	if u != nil && u.Scheme != "" {
		reads = fmt.Sprintf(" (it reads as scheme %q)", u.Scheme)
	}
	return fmt.Errorf("smtp url: %q has no scheme%s: write smtp://host:port (STARTTLS when the server offers it; add ?tls=starttls to require it) "+
		"or smtps://host:port (TLS from the first byte), like smtp://%s", raw, reads, raw)
}

func parseTLSMode(u *url.URL) (TLSMode, error) {
	q := u.Query()
	for k := range q {
		if k != "tls" && k != "chunking" {
			return "", fmt.Errorf("smtp url: unknown parameter %q, want tls or chunking", k)
		}
	}
	mode := TLSMode(q.Get("tls"))
	switch {
	case mode == "" && u.Scheme == "smtps", mode == "" && u.Port() == "465":
		return TLSImplicit, nil
	case mode == "":
		return TLSAuto, nil
	case u.Scheme == "smtps" && mode != TLSImplicit:
		return "", fmt.Errorf("smtp url: smtps:// with tls=%s, use smtp:// for that", mode)
	}
	if _, ok := defaultPorts[mode]; !ok {
		return "", fmt.Errorf("smtp url: tls=%q, want none, starttls, tls or auto", string(mode))
	}
	return mode, nil
}

func parsePort(s string, mode TLSMode) (int, error) {
	if s == "" {
		return defaultPorts[mode], nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("smtp url: port %q, want a number from 1 to 65535", s)
	}
	return n, nil
}

// Addr returns host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

func (c SMTPConfig) withDefaults() SMTPConfig {
	if c.Conns <= 0 {
		c.Conns = DefaultSMTPConns
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultSMTPTimeout
	}
	if c.IdleCheck <= 0 {
		c.IdleCheck = DefaultSMTPIdleCheck
	}
	if c.HelloName == "" {
		c.HelloName = "localhost"
	}
	if c.TLS == "" {
		c.TLS = TLSAuto
	}
	return c
}

// helloName is the EHLO argument of a new connection.
func (c *SMTPConfig) helloName() string {
	if c.Hello != nil {
		if name := c.Hello(); name != "" {
			return name
		}
	}
	return c.HelloName
}

// tlsConfig returns the configuration for a TLS client to Host.
func (c SMTPConfig) tlsConfig() *tls.Config {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		t = c.TLSConfig.Clone()
	}
	if t.ServerName == "" {
		t.ServerName = c.Host
	}
	return t
}
