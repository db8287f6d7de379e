package main

import (
	"os"
	"path/filepath"
	"strings"
)

// serveMailFile names, in the data folder, how serve last sent its mail
// ("smtp" or "outbox"). A command that sends in its own process, with
// the embedded Redis (digest run, import's confirmations), reads it: run
// from a shell without serve's BULLETIN_SMTP_URL, it wrote a digest to
// the outbox, printed "sent", marked it sent and used up its articles,
// and serve's readers never got it.
const serveMailFile = "serve-mail"

// noteServeMail records how this serve sends, for checkSendsAsServe. A
// serve that does not send (--no-send: workers do) records nothing. A
// failure only costs the check, so it is logged.
func (m *Main) noteServeMail() {
	if m.Config.NoSend {
		return
	}
	path := filepath.Join(m.Config.Data, serveMailFile)
	if err := os.WriteFile(path, []byte(mailKind(m.Config.SMTPURL)+"\n"), 0o600); err != nil {
		m.Log.Warn("cannot note how serve sends mail; digest run and import will not check that they send the same way", "err", err)
	}
}

// checkSendsAsServe refuses to send what, in this process, to the outbox
// while serve sends over SMTP: before anything is built or stored.
func (m *Main) checkSendsAsServe(what string) error {
	if m.Config.SMTPURL != "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(m.Config.Data, serveMailFile))
	if err != nil || strings.TrimSpace(string(b)) != "smtp" {
		return nil
	}
	return usagef("serve sends its mail over SMTP (it runs with BULLETIN_SMTP_URL set), but BULLETIN_SMTP_URL is not set here: "+
		"%s would be written to the outbox folder and never reach readers. Run this command with serve's BULLETIN_SMTP_URL", what)
}
