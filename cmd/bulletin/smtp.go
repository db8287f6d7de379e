package main

import (
	"net/mail"
	"strings"

	"golang.org/x/net/idna"

	"github.com/bulletinhq/bulletin/mailer"
)

// smtpTransport opens the SMTP transport of BULLETIN_SMTP_URL, with at
// most BULLETIN_SMTP_CONNS connections and BULLETIN_SMTP_RATE messages a
// second; it connects on the first message. Its EHLO names the domain of
// the address from returns at each new connection: the From in force,
// which the settings (serve) or the last batch (a worker) give when
// BULLETIN_FROM does not. A relay saw "EHLO localhost" from a publication
// whose From was set only in the settings. The domain of BULLETIN_FROM,
// else "localhost", stands in when from is nil or gives none.
func smtpTransport(c Config, from func() string) (*mailer.SMTP, error) {
	cfg, err := mailer.ParseSMTPURL(c.SMTPURL)
	if err != nil {
		return nil, usagef("BULLETIN_SMTP_URL: %v", err)
	}
	cfg.Conns = c.SMTPConns
	cfg.Rate = c.SMTPRate
	cfg.HelloName = helloDomain(c.From)
	if from != nil {
		cfg.Hello = func() string { return helloDomain(from()) }
	}
	t, err := mailer.NewSMTP(cfg)
	if err != nil {
		return nil, usagef("BULLETIN_SMTP_URL: %v", err)
	}
	return t, nil
}

// helloDomain returns the domain of the address in from ("Name <a@b>" or
// "a@b"), in ASCII as EHLO takes it, or "" when from has none.
func helloDomain(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return ""
	}
	i := strings.LastIndexByte(a.Address, '@')
	if i < 0 {
		return ""
	}
	domain, err := idna.Lookup.ToASCII(a.Address[i+1:])
	if err != nil || domain == "" {
		return ""
	}
	return domain
}
