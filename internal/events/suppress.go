package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Why an address is suppressed.
const (
	ReasonComplaint = "complaint"
	ReasonBounce    = "bounce"
	ReasonErased    = "erased"
	ReasonManual    = "manual"
)

// SuppressedSQL is the SQL condition, on a row with an email_key column,
// that its address or its whole domain is suppressed.
//
// It is two IN probes of the suppressions' primary key rather than one
// correlated EXISTS over both targets: the same answer, and a campaign's
// audience count over 20,000 readers takes 22-26 ms with it against 40 ms
// (11 ms without the condition; sqlite3 on the same file).
const SuppressedSQL = `(email_key IN (SELECT target FROM suppressions)
	OR substr(email_key, instr(email_key, '@') + 1) IN (SELECT target FROM suppressions))`

// Suppress adds target, an address or a whole domain, to the suppression
// list for reason; a target suppressed already keeps its first reason.
func (s *Store) Suppress(ctx context.Context, target, reason, source string) error {
	if err := checkSuppression(target, reason); err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return suppressTx(ctx, tx, target, reason, source, now)
	})
}

// checkSuppression checks the reason and that there is a target.
func checkSuppression(target, reason string) error {
	switch reason {
	case ReasonComplaint, ReasonBounce, ReasonErased, ReasonManual:
	default:
		return bulletin.Errorf(bulletin.EINVALID, "A suppression's reason is complaint, bounce, erased or manual, not %q.", reason)
	}
	if strings.TrimSpace(target) == "" {
		return bulletin.Errorf(bulletin.EINVALID, "Give an address or a domain to suppress.")
	}
	return nil
}

// Suppressed reports whether addr, or its domain, is suppressed.
func (s *Store) Suppressed(ctx context.Context, addr string) (bool, error) {
	key := emailKey(addr)
	domain := key[strings.LastIndexByte(key, '@')+1:]
	var ok bool
	err := s.db.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM suppressions WHERE target IN (?, ?))`, key, domain).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check suppression: %w", err)
	}
	return ok, nil
}

// SuppressSendBounceTx puts email on the suppression list inside tx as
// the relay's refusals at send time made its reader bounced (the
// HardBounces-th hard refusal), as a bounce reported by DSN or webhook
// does: the list says it holds every hard-bounced address.
func SuppressSendBounceTx(ctx context.Context, tx *sql.Tx, email string, now time.Time) error {
	return suppressTx(ctx, tx, email, ReasonBounce, string(SourceSMTP), now)
}

// suppressTx adds target to the suppression list inside tx; an empty
// target (an event about no known address) adds nothing.
func suppressTx(ctx context.Context, tx *sql.Tx, target, reason, source string, now time.Time) error {
	key := emailKey(target)
	if key == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO suppressions (target, reason, source, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (target) DO NOTHING`, key, reason, source, now); err != nil {
		return fmt.Errorf("suppress: %w", err)
	}
	return nil
}

// emailKey is an address (or domain) as a subscriber's is stored
// (subscribers.NormalizeEmail, then EmailKey): trimmed, ASCII letters
// lower-cased, a domain that is not ASCII in its IDNA (xn--) form, as a
// provider or a DSN may report it in Unicode. A domain that is not a
// valid name is left as it is.
func emailKey(s string) string {
	b := []byte(strings.TrimSpace(s))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	key := string(b)
	at := strings.LastIndexByte(key, '@')
	if domain := key[at+1:]; !isASCII(domain) {
		if a, err := idnaProfile.ToASCII(domain); err == nil && a != "" {
			key = key[:at+1] + a
		}
	}
	return key
}

// idnaProfile is subscribers.NormalizeEmail's: a domain mapped as a
// resolver would, checked for DNS.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true),
	idna.CheckHyphens(true), idna.CheckJoiners(true), idna.Transitional(false))

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// SuppressionOf returns the entry that keeps mail from addr: its own, or
// else its domain's; nil when neither is on the list.
func (s *Store) SuppressionOf(ctx context.Context, addr string) (*Suppression, error) {
	key := emailKey(addr)
	domain := key[strings.LastIndexByte(key, '@')+1:]
	// An address sorts before its domain: it is the more particular entry.
	sp, err := scanSuppression(s.db.Read.QueryRowContext(ctx, `SELECT target, reason, source, note, created_at FROM suppressions
		WHERE target IN (?, ?) ORDER BY instr(target, '@') = 0 LIMIT 1`, key, domain))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read suppression: %w", err)
	}
	return &sp, nil
}

// SuppressedAmong returns which of addrs are suppressed, by themselves or
// by their domain, keyed as given: one probe of the list's primary key
// for a whole page of readers.
func (s *Store) SuppressedAmong(ctx context.Context, addrs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(addrs) == 0 {
		return out, nil
	}
	args := make([]any, 0, 2*len(addrs))
	for _, a := range addrs {
		key := emailKey(a)
		args = append(args, key, key[strings.LastIndexByte(key, '@')+1:])
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT target FROM suppressions WHERE target IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read suppressions: %w", err)
	}
	defer rows.Close()
	on := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("read suppressions: %w", err)
		}
		on[t] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read suppressions: %w", err)
	}
	for i, a := range addrs {
		if on[args[2*i].(string)] || on[args[2*i+1].(string)] {
			out[a] = true
		}
	}
	return out, nil
}
