package webhooks

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Names are the providers, as they appear in /webhooks/{name}.
var Names = []string{"ses", "postmark", "sendgrid", "mailgun"}

// Secrets holds the webhook secrets saved in the admin, each overriding
// its BULLETIN_WEBHOOK_* variable. Reads come from a cache that a save
// through the store empties.
type Secrets struct {
	db *sqlite.DB

	mu     sync.Mutex
	cached map[string]string // nil when not read since the last save
	gen    int
}

// NewSecrets returns the secrets stored in db.
func NewSecrets(db *sqlite.DB) *Secrets { return &Secrets{db: db} }

// All returns the saved secrets by provider name; a provider not in it
// takes its environment variable. The map is the caller's.
func (s *Secrets) All(ctx context.Context) (map[string]string, error) {
	s.mu.Lock()
	if s.cached != nil {
		m := make(map[string]string, len(s.cached))
		for k, v := range s.cached {
			m[k] = v
		}
		s.mu.Unlock()
		return m, nil
	}
	gen := s.gen
	s.mu.Unlock()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT provider, secret FROM webhook_secrets`)
	if err != nil {
		return nil, fmt.Errorf("read webhook secrets: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var p, v string
		if err := rows.Scan(&p, &v); err != nil {
			return nil, fmt.Errorf("read webhook secrets: %w", err)
		}
		m[p] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read webhook secrets: %w", err)
	}
	s.mu.Lock()
	if s.gen == gen {
		s.cached = make(map[string]string, len(m))
		for k, v := range m {
			s.cached[k] = v
		}
	}
	s.mu.Unlock()
	return m, nil
}

// A SecretsUpdate is a save of the webhook secrets: a provider with a
// value gets it, one in Clear goes back to its environment variable, and
// the others keep what they have.
type SecretsUpdate struct {
	Set   map[string]string
	Clear map[string]bool
}

// Save checks every value of u and stores them all, or nothing: a bad
// value is a validation error on the field webhook_<provider>.
func (s *Secrets) Save(ctx context.Context, u SecretsUpdate) error {
	if err := u.Validate(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := sqlite.Now()
		for _, p := range Names {
			var err error
			if v, ok := u.Set[p]; ok {
				_, err = tx.ExecContext(ctx, `INSERT INTO webhook_secrets (provider, secret, updated_at) VALUES (?, ?, ?)
					ON CONFLICT (provider) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at`, p, v, now)
			} else if u.Clear[p] {
				_, err = tx.ExecContext(ctx, `DELETE FROM webhook_secrets WHERE provider = ?`, p)
			}
			if err != nil {
				return fmt.Errorf("save webhook secrets: %w", err)
			}
		}
		return nil
	})
	s.mu.Lock()
	s.gen++
	s.cached = nil
	s.mu.Unlock()
	return err
}

// Validate trims u's values, drops the empty ones (kept as they are) and
// checks the others as each provider reads them.
func (u *SecretsUpdate) Validate() error {
	errs := map[string]string{}
	for p, v := range u.Set {
		v = strings.TrimSpace(v)
		if v == "" {
			delete(u.Set, p)
			continue
		}
		u.Set[p] = v
		if msg := checkSecret(p, v); msg != "" {
			errs["webhook_"+p] = msg
		}
	}
	if len(errs) > 0 {
		return bulletin.Invalid(errs)
	}
	return nil
}

// checkSecret says what is wrong with v as provider p's secret, or "".
func checkSecret(p, v string) string {
	var err error
	switch p {
	case "ses":
		_, err = NewSES(v, nil, nil, nil)
		if err != nil {
			return "not an SNS topic ARN: give one like arn:aws:sns:us-east-1:123456789012:bounces (several separated by commas)"
		}
	case "postmark":
		_, err = NewPostmark(v, nil)
		if err != nil {
			return "give the user and password of the webhook URL, both"
		}
		if WeakPostmarkPassword(v) {
			return fmt.Sprintf("use a password of at least %d characters (for example the output of head -c 18 /dev/urandom | base64): the webhook URL's basic auth is all that keeps others from posting bounces", MinPostmarkPassword)
		}
	case "sendgrid":
		_, err = NewSendGrid(v, nil)
		if err != nil {
			return "not a valid ECDSA public key in base64 DER: paste the verification key SendGrid shows for the signed event webhook"
		}
	case "mailgun":
		if len(v) < 8 {
			return "too short for a Mailgun webhook signing key: paste it from Mailgun's Webhooks page"
		}
	default:
		return "no such provider"
	}
	return ""
}
