package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// DataLinkTTL is how long the link of a data link mail works.
const DataLinkTTL = time.Hour

// DataLinkInterval is the least time between two data link mails to a
// reader for the same purpose: whoever holds a reader's preferences link
// cannot fill their inbox.
const DataLinkInterval = 10 * time.Minute

// DataLinkMail is the data of the mail/data_link templates: the link a
// reader asked for on their preferences page, to download their data
// or to erase it.
type DataLinkMail struct {
	// Name is the reader's own name, as their other mail greets them;
	// empty when they have none.
	Name  string
	Email string
	// Erase is whether the link opens the page that erases the reader;
	// else it downloads their data.
	Erase     bool
	URL       string
	Publisher string
	BaseURL   string
	Brand     templates.Brand
}

// DataLinks mails readers, at their request, the link that downloads
// their data (TokenDataDownload) or the one that erases it
// (TokenDataErase): proof that whoever follows it holds the mailbox,
// which a preferences link, forwarded with a mail, is not. The mail is
// sent as the confirmation is (Confirmer: its publication, templates,
// From, Reply-To and transport). At most one goes to a reader for a
// purpose each DataLinkInterval. The times are kept in memory: serve
// alone takes the requests, and a restart lets one more mail through.
type DataLinks struct {
	c   *Confirmer
	now func() time.Time

	mu   sync.Mutex
	last map[dataLinkKey]time.Time // when each reader's latest mail of a purpose went
}

type dataLinkKey struct {
	id      int64
	purpose string
}

// NewDataLinks returns the DataLinks that sends through c.
func NewDataLinks(c *Confirmer) *DataLinks {
	return &DataLinks{c: c, now: time.Now, last: map[dataLinkKey]time.Time{}}
}

// Send mails reader id the link for purpose, unless one went to them
// within DataLinkInterval or their address is suppressed: then nothing
// goes, and the error is nil, as for a mail sent. An erased reader is
// ENOTFOUND. A mail that could not be sent leaves the reader free to ask
// again at once.
func (d *DataLinks) Send(ctx context.Context, id int64, purpose string) error {
	if purpose != TokenDataDownload && purpose != TokenDataErase {
		return fmt.Errorf("data link: no such purpose %q", purpose)
	}
	key, now := dataLinkKey{id, purpose}, d.now()
	if !d.reserve(key, now) {
		return nil
	}
	err := d.send(ctx, id, purpose, now)
	if err != nil {
		d.release(key, now)
	}
	return err
}

// reserve takes the reader's turn for a mail of key's purpose at now, and
// reports whether it was theirs to take. Turns older than the interval
// are dropped as it goes: a map of the last ten minutes' asks.
func (d *DataLinks) reserve(key dataLinkKey, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, at := range d.last {
		if now.Sub(at) >= DataLinkInterval {
			delete(d.last, k)
		}
	}
	if _, taken := d.last[key]; taken {
		return false
	}
	d.last[key] = now
	return true
}

// release gives back the turn reserve took at now, unless another took
// it since.
func (d *DataLinks) release(key dataLinkKey, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last[key].Equal(now) {
		delete(d.last, key)
	}
}

// send composes and sends the mail of purpose to reader id, with a link
// that works from now until DataLinkTTL later.
func (d *DataLinks) send(ctx context.Context, id int64, purpose string, now time.Time) error {
	c := d.c
	email, name, suppressed, err := c.Store.dataLinkReader(ctx, id)
	if err != nil || suppressed {
		return err
	}
	pub, err := c.publication(ctx)
	if err != nil {
		return fmt.Errorf("data link: %w", err)
	}
	m := DataLinkMail{Name: oneLineName(name), Email: email, Erase: purpose == TokenDataErase,
		Publisher: pub.Name, BaseURL: pub.PublicURL, Brand: pub.Brand()}
	token := c.Signer.SignUntil(purpose, id, now.Add(DataLinkTTL))
	subject := "Your data at " + pub.Name
	m.URL = pub.PublicURL + "/data/" + token
	if m.Erase {
		subject, m.URL = "Delete your data from "+pub.Name, pub.PublicURL+"/erase/"+token
	}
	text, html, err := c.Templates.Mail("data_link", m)
	if err != nil {
		return fmt.Errorf("data link: %w", err)
	}
	r := newConfirmRenderer(c, pub)
	msg := &mailer.Message{From: r.from(), To: &mail.Address{Address: email},
		Subject: subject, Text: text, HTML: html, Date: now, Headers: r.headers()}
	raw, err := msg.Compose()
	if err != nil {
		return fmt.Errorf("data link: %w", err)
	}
	// The envelope's sender is the From address, not a VERP one: a
	// bounce of this mail is no confirmation's, nor a campaign's.
	if err := c.Transport.Send(ctx, pub.FromAddress, []string{email}, raw); err != nil {
		// Never the address in a log: a relay's answer that echoes it
		// gets it blanked, as a confirmation's does.
		return fmt.Errorf("send data link to subscriber %d: %s", id, blank(err.Error(), email))
	}
	return nil
}

// dataLinkReader returns the address and name of subscriber id, and
// whether the address, or its domain, is suppressed: such an address is
// mailed nothing, as its confirmation is not.
func (s *Store) dataLinkReader(ctx context.Context, id int64) (email, name string, suppressed bool, err error) {
	err = s.db.Read.QueryRowContext(ctx, `SELECT email, name, `+events.SuppressedSQL+` FROM subscribers WHERE id = ?`, id).
		Scan(&email, &name, &suppressed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, errNoSubscriber
	} else if err != nil {
		return "", "", false, fmt.Errorf("data link reader: %w", err)
	}
	return email, name, suppressed, nil
}
