package hooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An Endpoint is a URL that gets the events it asks for.
type Endpoint struct {
	ID          int64    `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
	// Secret is shown once: when the endpoint is created and when its
	// secret is rotated. Reads leave it empty.
	Secret    string    `json:"secret,omitempty"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	// FailingSince is when the current run of failures began.
	FailingSince *time.Time `json:"failing_since"`
	// DisabledAt and DisabledReason are set when Bulletin switched the
	// endpoint off after failing for DisableAfter.
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
}

// An Input creates or changes an endpoint; a nil field is left as it is
// (on create: URL and Events are required, Active defaults to true).
type Input struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	Events      *[]string `json:"events"`
	Active      *bool     `json:"active"`
}

// A Store keeps the endpoints.
type Store struct {
	db *sqlite.DB
	// Guard refuses private targets; Resolver looks hosts up for it.
	Guard    Guard
	Resolver Resolver
	// Kick, when set, wakes the dispatcher (after a test event).
	Kick func()
}

// NewStore returns a Store on db with guard.
func NewStore(db *sqlite.DB, guard Guard) *Store {
	return &Store{db: db, Guard: guard, Resolver: net.DefaultResolver}
}

// check validates in, returning the problems by field; create requires
// url and events.
func (s *Store) check(ctx context.Context, in *Input, create bool) error {
	bad := map[string]string{}
	if in.URL != nil {
		// The scheme and host are stored in lower case, as an article's
		// URL is: HTTP://Example.com/in is the endpoint at
		// http://example.com/in, and urlFree must see it as one.
		u := articles.NormalizeURL(strings.TrimSpace(*in.URL))
		in.URL = &u
		if msg := s.Guard.CheckURL(ctx, s.Resolver, u); msg != "" {
			bad["url"] = msg
		}
	} else if create {
		bad["url"] = "is required: the https:// URL that receives the events"
	}
	if in.Events != nil {
		evs, msg := cleanEvents(*in.Events)
		in.Events = &evs
		if msg != "" {
			bad["events"] = msg
		}
	} else if create {
		bad["events"] = "is required: pick at least one of " + strings.Join(Types, ", ")
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		in.Description = &d
		if len(d) > 500 {
			bad["description"] = "keep the description to at most 500 characters"
		}
	}
	if len(bad) > 0 {
		return bulletin.Invalid(bad)
	}
	return nil
}

// cleanEvents drops duplicates and keeps Types' order; it names an
// unknown type.
func cleanEvents(in []string) ([]string, string) {
	want := map[string]bool{}
	for _, e := range in {
		e = strings.TrimSpace(e)
		if !knownType(e) {
			return nil, fmt.Sprintf("%q is not an event type; use %s", e, strings.Join(Types, ", "))
		}
		want[e] = true
	}
	out := []string{}
	for _, t := range Types {
		if want[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return out, "pick at least one event type"
	}
	return out, ""
}

// urlFree refuses url when an endpoint other than except has it already.
// Two endpoints at one URL get every event twice, each signed with its
// own secret, so one of them always fails the receiver's check: that is
// a form sent twice (a double click) or a second try after a slow
// answer, not something meant. It runs in the write transaction that
// stores the URL, which no other write can enter, so two requests at
// once cannot both pass it. url is normalised (check); the stored URLs
// are normalised here, as those of before check did it kept their case.
func urlFree(ctx context.Context, tx *sql.Tx, url string, except int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, url FROM webhook_endpoints WHERE id != ? ORDER BY id`, except)
	if err != nil {
		return fmt.Errorf("look up webhook endpoint URL: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var stored string
		if err := rows.Scan(&id, &stored); err != nil {
			return fmt.Errorf("look up webhook endpoint URL: %w", err)
		}
		if articles.NormalizeURL(stored) == url {
			return bulletin.Invalid(map[string]string{"url": fmt.Sprintf(
				"endpoint %d has this URL already: change that endpoint's events instead, or delete it first", id)})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up webhook endpoint URL: %w", err)
	}
	return nil
}

// Create adds an endpoint with a new secret, which the result carries.
func (s *Store) Create(ctx context.Context, in Input) (*Endpoint, error) {
	if err := s.check(ctx, &in, true); err != nil {
		return nil, err
	}
	desc, active := "", true
	if in.Description != nil {
		desc = *in.Description
	}
	if in.Active != nil {
		active = *in.Active
	}
	evs, _ := json.Marshal(*in.Events)
	secret, now := NewSecret(), sqlite.Now()
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := urlFree(ctx, tx, *in.URL, 0); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (url, description, events, secret, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, *in.URL, desc, string(evs), secret, active, now, now)
		if err != nil {
			return fmt.Errorf("create webhook endpoint: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	e, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	e.Secret = secret
	return e, nil
}

const endpointColumns = `id, url, description, events, active, created_at, failing_since, disabled_at, disabled_reason`

func scanEndpoint(sc interface{ Scan(...any) error }) (*Endpoint, error) {
	var e Endpoint
	var evs string
	var failing, disabled sql.NullTime
	if err := sc.Scan(&e.ID, &e.URL, &e.Description, &evs, &e.Active, &e.CreatedAt, &failing, &disabled, &e.DisabledReason); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(evs), &e.Events); err != nil {
		return nil, fmt.Errorf("webhook endpoint %d events: %w", e.ID, err)
	}
	if failing.Valid {
		e.FailingSince = &failing.Time
	}
	if disabled.Valid {
		e.DisabledAt = &disabled.Time
	}
	return &e, nil
}

// errNotFound is the answer about an endpoint that does not exist.
func errNotFound(id int64) error {
	return bulletin.Errorf(bulletin.ENOTFOUND, "There is no webhook endpoint %d.", id)
}

// Get returns endpoint id, without its secret.
func (s *Store) Get(ctx context.Context, id int64) (*Endpoint, error) {
	e, err := scanEndpoint(s.db.Read.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("get webhook endpoint: %w", err)
	}
	return e, nil
}

// List returns every endpoint, oldest first, without secrets.
func (s *Store) List(ctx context.Context) ([]Endpoint, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	out := []Endpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// Update changes the fields in set. Enabling an endpoint clears its
// failure record and the notice of its disabling; disabling it keeps the
// record.
func (s *Store) Update(ctx context.Context, id int64, in Input) (*Endpoint, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	if err := s.check(ctx, &in, false); err != nil {
		return nil, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := sqlite.Now()
		if in.URL != nil {
			// An endpoint that shares its URL with one made before the
			// check existed can still be changed, as long as it keeps
			// that URL: the URL it has is read here, in the transaction,
			// so that no change made since the request came is missed.
			var current string
			err := tx.QueryRowContext(ctx, `SELECT url FROM webhook_endpoints WHERE id = ?`, id).Scan(&current)
			if errors.Is(err, sql.ErrNoRows) {
				return errNotFound(id) // deleted since
			} else if err != nil {
				return err
			}
			if *in.URL != articles.NormalizeURL(current) {
				if err := urlFree(ctx, tx, *in.URL, id); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET url = ?, updated_at = ? WHERE id = ?`, *in.URL, now, id); err != nil {
				return err
			}
		}
		if in.Description != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET description = ?, updated_at = ? WHERE id = ?`, *in.Description, now, id); err != nil {
				return err
			}
		}
		if in.Events != nil {
			evs, _ := json.Marshal(*in.Events)
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET events = ?, updated_at = ? WHERE id = ?`, string(evs), now, id); err != nil {
				return err
			}
		}
		if in.Active != nil && *in.Active {
			_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET active = 1, updated_at = ?,
				failing_since = NULL, disabled_at = NULL, disabled_reason = '' WHERE id = ? AND active = 0`, now, id)
			return err
		}
		if in.Active != nil {
			// A disable keeps the failure record: only enabling clears it,
			// so that the endpoint's page still says since when it failed.
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET active = 0, updated_at = ? WHERE id = ? AND active = 1`, now, id); err != nil {
				return err
			}
			return dropPendingTx(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update webhook endpoint: %w", err)
	}
	return s.Get(ctx, id)
}

// dropPendingTx gives up the events still to go to endpoint id, which was
// just disabled: it gets nothing from its time off. The log says why they
// stopped, after the last attempt's error if there was one, so that it
// does not read as retries given up early.
func dropPendingTx(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE webhook_attempts SET state = 'failed', claim = 0,
		error = CASE WHEN error = '' THEN 'endpoint disabled before delivery'
			ELSE 'endpoint disabled before delivery; the last attempt: ' || error END
		WHERE endpoint_id = ? AND state = 'pending'`, id)
	return err
}

// Delete removes endpoint id and its delivery log.
func (s *Store) Delete(ctx context.Context, id int64) error {
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound(id)
	}
	return nil
}

// RotateSecret gives endpoint id a new secret, which the result carries;
// requests from then on are signed with it.
func (s *Store) RotateSecret(ctx context.Context, id int64) (*Endpoint, error) {
	secret := NewSecret()
	res, err := s.db.Write.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = ?, updated_at = ? WHERE id = ?`, secret, sqlite.Now(), id)
	if err != nil {
		return nil, fmt.Errorf("rotate webhook secret: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errNotFound(id)
	}
	e, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	e.Secret = secret
	return e, nil
}

// SendTest queues a webhook.test event to endpoint id alone and returns
// its webhook-id. A disabled endpoint must be enabled first.
func (s *Store) SendTest(ctx context.Context, id int64) (string, error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if !e.Active {
		return "", bulletin.Errorf(bulletin.ECONFLICT, "Webhook endpoint %d is disabled: enable it to send it a test event.", id)
	}
	var msgID string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		msgID, err = emitTo(ctx, tx, []int64{id}, TestEvent, map[string]any{
			"endpoint_id": id, "message": "A test event from Bulletin: this endpoint receives and verifies webhooks.",
		})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("send test webhook: %w", err)
	}
	if s.Kick != nil {
		s.Kick()
	}
	return msgID, nil
}

// Disabled returns the endpoints Bulletin switched off after failing,
// for the admin's notice.
func (s *Store) Disabled(ctx context.Context) ([]Endpoint, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Endpoint
	for _, e := range all {
		if !e.Active && e.DisabledAt != nil {
			out = append(out, e)
		}
	}
	return out, nil
}
