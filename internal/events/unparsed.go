package events

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// KeepUnparsed is how many unparsed mails are kept: the newest.
const KeepUnparsed = 200

// headBytes is how much of an unparsed mail is kept.
const headBytes = 4096

// An Unparsed is mail to a VERP address that was neither a bounce nor a
// complaint (an out-of-office reply, a report Bulletin could not read),
// kept for the admin to look at.
type Unparsed struct {
	ID         int64     `json:"id"`
	Reason     string    `json:"reason"`
	MailFrom   string    `json:"mail_from"`
	Rcpt       string    `json:"rcpt"`
	Subject    string    `json:"subject"`
	Size       int       `json:"size"`
	Head       string    `json:"head"`
	ReceivedAt time.Time `json:"received_at"`
}

// Keep stores u, cutting its head to a few kilobytes, and drops all but
// the newest KeepUnparsed.
func (s *Store) Keep(ctx context.Context, u Unparsed) error {
	head := cut(strings.ToValidUTF8(u.Head, "\uFFFD"), headBytes)
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbound_unparsed (reason, mail_from, rcpt, subject, size, head, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, clip(u.Reason, 200), clip(u.MailFrom, 300), clip(u.Rcpt, 300), clip(u.Subject, 300),
			u.Size, head, now); err != nil {
			return fmt.Errorf("keep unparsed mail: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM inbound_unparsed WHERE id <= (SELECT id FROM inbound_unparsed ORDER BY id DESC LIMIT 1 OFFSET ?)`, KeepUnparsed)
		return err
	})
}

// UnparsedMail returns the kept mails, newest first.
func (s *Store) UnparsedMail(ctx context.Context) ([]Unparsed, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, reason, mail_from, rcpt, subject, size, head, received_at
		FROM inbound_unparsed ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("read unparsed mail: %w", err)
	}
	defer rows.Close()
	var out []Unparsed
	for rows.Next() {
		var u Unparsed
		if err := rows.Scan(&u.ID, &u.Reason, &u.MailFrom, &u.Rcpt, &u.Subject, &u.Size, &u.Head, &u.ReceivedAt); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
