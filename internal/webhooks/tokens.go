package webhooks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

var errReplay = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The webhook's signature token was used before with another body: a replay.")

// Tokens remembers the signature tokens of the webhooks taken, for a
// provider whose signature does not cover the event: Mailgun signs only a
// timestamp and a token, so whoever saw one signed request (a harmless
// delivery, in a log or a proxy) could send its signature again within
// MailgunMaxAge with a complaint about any reader. They are kept in the
// database (webhook_tokens), so that a restart forgets none still fresh,
// each until its timestamp is past MailgunMaxAge and no longer: the table
// holds the tokens of the last MailgunMaxAge of requests, about 130 bytes
// each.
type Tokens struct {
	db  *sqlite.DB
	now func() time.Time
}

// NewTokens returns the ledger stored in db.
func NewTokens(db *sqlite.DB) *Tokens { return &Tokens{db: db, now: time.Now} }

// Take records token, seen with body, until until, and forgets those past
// their time, in one transaction. It reports false when the token was
// taken before with another body. A request sent again as it was, a
// retry whose answer was lost, is taken again: its events are stored
// once, by their ids, anyway.
func (t *Tokens) Take(ctx context.Context, provider, token string, body []byte, until time.Time) (bool, error) {
	key, sum := tokenKey(provider, token), sha256.Sum256(body)
	ok := false
	err := t.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_tokens WHERE expires_at < ?`, t.now().Unix()); err != nil {
			return err
		}
		var first []byte
		err := tx.QueryRowContext(ctx, `SELECT body FROM webhook_tokens WHERE token = ?`, key[:]).Scan(&first)
		if err == nil {
			ok = bytes.Equal(first, sum[:])
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ok = true
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_tokens (token, body, expires_at) VALUES (?, ?, ?)`, key[:], sum[:], until.Unix())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("webhook tokens: %w", err)
	}
	return ok, nil
}

func tokenKey(provider, token string) [sha256.Size]byte {
	return sha256.Sum256([]byte(provider + "\x00" + token))
}
