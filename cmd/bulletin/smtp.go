package main

import (
	"net/mail"
	"strings"

	"github.com/bulletinhq/bulletin/mailer"
)

// newSMTPTransport opens the SMTP transport of BULLETIN_SMTP_URL, with at
// most BULLETIN_SMTP_CONNS connections and BULLETIN_SMTP_RATE messages a
// second. It connects on the first message.
func newSMTPTransport(c Config) (*mailer.SMTP, error) {
	cfg, err := mailer.ParseSMTPURL(c.SMTPURL)
	if err != nil {
		return nil, usagef("BULLETIN_SMTP_URL: %v", err)
	}
	cfg.Conns = c.SMTPConns
	cfg.Rate = c.SMTPRate
	if a, err := mail.ParseAddress(c.From); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			cfg.HelloName = a.Address[i+1:]
		}
	}
	t, err := mailer.NewSMTP(cfg)
	if err != nil {
		return nil, usagef("BULLETIN_SMTP_URL: %v", err)
	}
	return t, nil
}
