package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The secret signs every unsubscribe, preferences and confirmation link
// in mail, and keys the hashes that recognise erased addresses. The
// database keeps a fingerprint of it (secret_fingerprint), so that a start
// with another one — a BULLETIN_SECRET that differs from DATA/secret, or a
// DATA/secret made anew once BULLETIN_SECRET was left out — is refused
// instead of breaking every link already sent without a word.

// fingerprintText is what the fingerprint is an HMAC of, keyed by the
// secret: the fingerprint tells secrets apart and gives none away.
const fingerprintText = "bulletin secret fingerprint"

// rotateHint is how to change the secret on purpose, and what it costs.
const rotateHint = `to change the secret on purpose, run "bulletin secret rotate" with serve stopped (the links in mail already sent then stop working)`

func fingerprint(secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(fingerprintText))
	return hex.EncodeToString(mac.Sum(nil))
}

func sameFingerprint(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// openSecret returns the secret of BULLETIN_SECRET or DATA/secret once it
// is the one the database's fingerprint names. The first start that finds
// no fingerprint (a new install, or one from before fingerprints) records
// the secret's, creating DATA/secret when neither is there.
func (m *Main) openSecret(ctx context.Context) ([]byte, error) {
	secret, err := readSecret(m.Config)
	if err != nil {
		return nil, err
	}
	stored, err := recordFingerprint(ctx, m.app.DB, func(tx *sql.Tx) (string, error) {
		if secret == nil {
			// A database from before fingerprints that already holds
			// readers, campaigns or erasures had a secret, which this
			// start was not given: a new one, recorded, would refuse
			// serve's own (BULLETIN_SECRET in its unit file, say) and
			// break every link already sent.
			if used, err := secretUsed(ctx, tx); err != nil || used {
				if err == nil {
					err = usagef("BULLETIN_SECRET is not set and DATA/secret (%s) is not there, but this database already has readers or campaigns, "+
						"whose links were signed with a secret: give this command the BULLETIN_SECRET serve runs with (or put DATA/secret back from a backup); "+
						"a new secret made now would break those links; %s", secretPath(m.Config), rotateHint)
				}
				return "", err
			}
			made, err := createSecret(secretPath(m.Config))
			if err != nil {
				return "", err
			}
			secret = made
		}
		m.warnTwoSecrets(secret)
		return fingerprint(secret), nil
	})
	if err != nil {
		return nil, err
	}
	if secret == nil {
		// Another command started beside this one on a new data folder
		// (serve and an import, say) may have made DATA/secret and recorded
		// its fingerprint after this one looked for the file.
		if secret, err = readSecret(m.Config); err != nil {
			return nil, err
		}
	}
	if secret == nil {
		return nil, usagef("BULLETIN_SECRET is not set and DATA/secret (%s) is not there, but the links in mail already sent were signed with a secret: "+
			"%s a new one; set BULLETIN_SECRET to the value earlier starts had, or put DATA/secret back from a backup; %s", secretPath(m.Config), lost, rotateHint)
	}
	if !sameFingerprint(stored, fingerprint(secret)) {
		return nil, m.otherSecret(stored)
	}
	return secret, nil
}

// warnTwoSecrets warns, when the first fingerprint is recorded, that
// BULLETIN_SECRET and DATA/secret differ: nothing says which signed the
// links already sent, and from now on only secret, BULLETIN_SECRET's, is
// accepted.
func (m *Main) warnTwoSecrets(secret []byte) {
	if m.Config.Secret == "" {
		return
	}
	file, err := readSecretFile(secretPath(m.Config))
	if err != nil || file == nil || sameFingerprint(fingerprint(file), fingerprint(secret)) {
		return
	}
	m.Log.Warn("BULLETIN_SECRET differs from DATA/secret: links are signed with BULLETIN_SECRET, and from now on a start with another secret is refused; "+
		"if the links in mail already sent were signed with DATA/secret, they stop working: stop serve, unset BULLETIN_SECRET and run \"bulletin secret rotate\"",
		"file", secretPath(m.Config))
}

// lost is what a start with another secret would cost.
const lost = "their unsubscribe, preferences and confirmation links would stop working under"

// otherSecret says that the secret in use is not the one the links in
// mail already sent were signed with, which stored is the fingerprint of,
// and what to do about it.
func (m *Main) otherSecret(stored string) error {
	path := secretPath(m.Config)
	if m.Config.Secret == "" {
		return usagef("DATA/secret (%s) is not the secret the links in mail already sent were signed with (an earlier BULLETIN_SECRET or DATA/secret was): "+
			"%s it; set BULLETIN_SECRET to that old value, or put the old DATA/secret back from a backup; %s", path, lost, rotateHint)
	}
	file, err := readSecretFile(path)
	if err == nil && file != nil && sameFingerprint(stored, fingerprint(file)) {
		return usagef("BULLETIN_SECRET differs from DATA/secret (%s), the secret the links in mail already sent were signed with: "+
			"%s BULLETIN_SECRET; unset BULLETIN_SECRET, or set it to the content of %s; %s", path, lost, path, rotateHint)
	}
	nor := "nor is DATA/secret, " + path
	if err == nil && file == nil {
		nor = "and there is no DATA/secret, " + path
	}
	return usagef("BULLETIN_SECRET is not the secret the links in mail already sent were signed with (%s): "+
		"%s it; set BULLETIN_SECRET to the value earlier starts had; %s", nor, lost, rotateHint)
}

// secretUsed says whether the database holds anything a secret signed
// or keyed: readers (their links), campaigns, erasures (their hashes).
func secretUsed(ctx context.Context, tx *sql.Tx) (bool, error) {
	var used bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers) OR EXISTS (SELECT 1 FROM campaigns)
		OR EXISTS (SELECT 1 FROM erasures)`).Scan(&used)
	return used, err
}

// recordFingerprint returns the fingerprint the database keeps; when it
// keeps none, it records the one fresh returns first, in the same
// transaction.
func recordFingerprint(ctx context.Context, db *sqlite.DB, fresh func(tx *sql.Tx) (string, error)) (string, error) {
	var stored string
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM secret_fingerprint WHERE id = 1`).Scan(&stored)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if stored, err = fresh(tx); err != nil {
			return err
		}
		return setFingerprint(ctx, tx, stored)
	})
	if errors.As(err, new(usageError)) {
		return "", err // what to do, said already
	} else if err != nil {
		return "", fmt.Errorf("secret fingerprint: %w", err)
	}
	return stored, nil
}

func setFingerprint(ctx context.Context, tx *sql.Tx, fp string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO secret_fingerprint (id, fingerprint, recorded_at) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, recorded_at = excluded.recorded_at`, fp, sqlite.Now())
	return err
}

// secretCmd runs "secret rotate": the secret now set (BULLETIN_SECRET, or
// DATA/secret, made anew when neither is there) becomes the one starts
// accept. It holds the data folder's lock, so serve is stopped.
func (m *Main) secretCmd(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("secret", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "rotate" {
		return usagef("use: bulletin secret rotate")
	}
	lock, err := lockData(m.Config.Data, "stop it before rotating the secret")
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := m.openDB(ctx); err != nil {
		return err
	}
	secret, err := readSecret(m.Config)
	if err != nil {
		return err
	}
	source := "BULLETIN_SECRET"
	if m.Config.Secret == "" {
		source = "DATA/secret (" + secretPath(m.Config) + ")"
	}
	if secret == nil {
		if secret, err = createSecret(secretPath(m.Config)); err != nil {
			return err
		}
		source = "a new DATA/secret (" + secretPath(m.Config) + ")"
	}
	return m.rotateTo(ctx, secret, source)
}

// rotateTo records secret's fingerprint, source naming where it is. It
// says that the links in mail already sent stop working only when there
// can be such mail: a new install's first secret, or one that signed
// nothing yet, costs nothing to replace.
func (m *Main) rotateTo(ctx context.Context, secret []byte, source string) error {
	fp := fingerprint(secret)
	var changed, had, used bool
	err := m.app.DB.Tx(ctx, func(tx *sql.Tx) error {
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM secret_fingerprint WHERE id = 1`).Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		had = err == nil
		if changed = !sameFingerprint(stored, fp); !changed {
			return nil
		}
		if used, err = secretUsed(ctx, tx); err != nil {
			return err
		}
		return setFingerprint(ctx, tx, fp)
	})
	if err != nil {
		return fmt.Errorf("secret fingerprint: %w", err)
	}
	switch {
	case !changed:
		fmt.Fprintf(m.Stdout, "the links are signed with %s already: nothing changed\n", source)
	case used:
		// A database from before fingerprints that holds readers had a
		// secret too, recorded or not.
		fmt.Fprintf(m.Stdout, "the links in mail are signed with %s from the next start: the unsubscribe, preferences and confirmation links "+
			"in mail already sent no longer work, and addresses erased before now are no longer recognised when imported again\n", source)
	case had:
		fmt.Fprintf(m.Stdout, "the links in mail are signed with %s from the next start: links signed with the secret before would no longer work, "+
			"but this database has no readers, campaigns or erased addresses, so no mail was sent with one\n", source)
	default:
		fmt.Fprintf(m.Stdout, "the links in mail are signed with %s from the next start\n", source)
	}
	return nil
}

func secretPath(c Config) string { return filepath.Join(c.Data, "secret") }

// readSecret returns BULLETIN_SECRET, or the key in DATA/secret, or nil
// when neither is there.
func readSecret(c Config) ([]byte, error) {
	if c.Secret != "" {
		return []byte(c.Secret), nil
	}
	return readSecretFile(secretPath(c))
}

// notRandom says how secret is plainly not random, or "" when nothing
// shows: 40 spaces, or 40 "a", passed the length check, and anyone could
// sign links with them. The bounds are far below what any random secret
// meets: the 64 hex digits createSecret writes hold 16 different ones
// with near certainty, and never fewer than 8 in practice.
func notRandom(secret string) string {
	if strings.TrimSpace(secret) == "" {
		return "it is only white space"
	}
	count := map[rune]int{}
	n := 0
	for _, r := range secret {
		count[r]++
		n++
	}
	if len(count) < 8 {
		return fmt.Sprintf("it has only %d different characters", len(count))
	}
	for _, k := range count {
		if 2*k > n {
			return "one character makes up more than half of it"
		}
	}
	return ""
}

// readSecretFile returns the key in the file at path, nil when there is
// no such file.
func readSecretFile(path string) ([]byte, error) {
	buf, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	s := strings.TrimSpace(string(buf))
	if len(s) < 32 {
		// It signs every link in mail already sent and keys the
		// erasures: a new one would break them all, so the way out
		// is the old one, not a deletion.
		return nil, fmt.Errorf("%s is damaged (%d characters, at least 32 needed): restore it from a backup, or set BULLETIN_SECRET to its old value; "+
			"deleting it and running \"bulletin secret rotate\" makes a new secret, under which the unsubscribe, preferences and confirmation links in mail already sent stop working "+
			"and erased addresses are no longer recognised", path, len(s))
	}
	return []byte(s), nil
}

// createSecret writes 32 random bytes, hex-encoded, to a new file at path
// and returns them. The file appears whole or not at all: it is written
// and synced under another name and linked into place, so a command
// reading path beside this one, or a start after a crash, never finds it
// empty (which reads as damaged, and asks for a backup). When path is
// there already, made by a command beside this one, its secret is
// returned instead.
func createSecret(path string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(b)
	f, err := os.CreateTemp(filepath.Dir(path), ".secret-*")
	if err != nil {
		return nil, fmt.Errorf("create secret: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("create secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	err = linkFile(f.Name(), path)
	if err != nil && !errors.Is(err, os.ErrExist) {
		// A file system without hard links (SMB, some FUSE mounts):
		// the file is made in place, as before, O_EXCL keeping one.
		err = writeNewSecret(path, s)
	}
	if errors.Is(err, os.ErrExist) {
		if made, err := readSecretFile(path); err != nil || made != nil {
			return made, err
		}
		return nil, fmt.Errorf("create secret: %s was there and is gone", path)
	} else if err != nil {
		return nil, fmt.Errorf("create secret: %w", err)
	}
	// The folder's entry for the file goes to disk before the
	// fingerprint is recorded: a crash between them would otherwise leave
	// a database that names a secret nowhere to be found.
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return []byte(s), nil
}

// linkFile is os.Link; a test stands in a file system without links.
var linkFile = os.Link

// writeNewSecret creates path, which must not exist, with secret s.
func writeNewSecret(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
