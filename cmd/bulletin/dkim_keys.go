package main

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/dkim"
)

// A dkimNote is a line that start-up logs about the DKIM keys it read.
type dkimNote struct {
	level slog.Level
	msg   string
}

// A placedKey is a DKIM key and the file it was read from.
type placedKey struct {
	dkim.Key
	path string
}

// dkimKeysByDomain reads every DKIM key, by the From domain it signs, as
// dkimKeySet does, without its notes: doctor checks the keys that serve
// and the workers sign with.
func (c Config) dkimKeysByDomain() (map[string][]dkim.Key, error) {
	byDomain, _, err := c.dkimKeySet()
	return byDomain, err
}

// dkimKeySet reads every DKIM key, by the From domain it signs: the keys
// in DKIM_DIR/DOMAIN/ sign that domain's mail (the From saved in the
// settings, a list's own), the configured selectors' keys in DKIM_DIR
// sign BULLETIN_FROM's domain. A domain signs with one key per selector,
// since SELECTOR._domainkey.DOMAIN holds one record and a second
// signature under it could only fail: of two, an RSA key goes before an
// Ed25519 one (every receiver checks RSA), then the key in the domain's
// own folder before the selector setting's, and a note names both.
func (c Config) dkimKeySet() (map[string][]dkim.Key, []dkimNote, error) {
	dir := c.dkimDir()
	folders, err := dkim.LoadDomains(dir)
	if err != nil {
		return nil, nil, err
	}
	placed := map[string][]placedKey{}
	for d, keys := range folders {
		for _, k := range keys {
			placed[d] = append(placed[d], placedKey{k, dkim.DomainPath(dir, d, k.Selector, k.Type)})
		}
	}
	keys, notes, err := c.dkimKeys(folders)
	if err != nil {
		return nil, nil, err
	}
	if len(keys) > 0 {
		d := c.fromDomain()
		placed[d] = append(placed[d], keys...)
	}
	var byDomain map[string][]dkim.Key
	for _, d := range slices.Sorted(maps.Keys(placed)) {
		kept, more := oneKeyPerSelector(d, placed[d])
		if byDomain == nil {
			byDomain = map[string][]dkim.Key{}
		}
		byDomain[d] = kept
		notes = append(notes, more...)
	}
	return byDomain, notes, nil
}

// dkimKeys reads the keys of the configured DKIM selectors, from DKIM_DIR
// itself. A selector whose key file is missing there is a usage error
// that says how to make it, unless a domain's folder has a key of that
// selector, as keygen makes it for the From saved in the settings, and
// BULLETIN_FROM is at that domain or at none on the internet (its
// default, at localhost, whose mail no key could sign): that key signs
// its domain's mail without the setting, as a note says, and start-up
// goes on. A BULLETIN_FROM at another domain of its own is still an
// error, which names that key too.
func (c Config) dkimKeys(folders map[string][]dkim.Key) ([]placedKey, []dkimNote, error) {
	var keys []placedKey
	var notes []dkimNote
	for _, k := range []struct{ env, sel, typ string }{
		{"BULLETIN_DKIM_SELECTOR", c.DKIMSelector, dkim.RSA},
		{"BULLETIN_DKIM_ED25519_SELECTOR", c.DKIMEd25519Selector, dkim.Ed25519},
	} {
		if k.sel == "" {
			continue
		}
		key, err := dkim.Load(c.dkimDir(), k.sel, k.typ)
		var missing *dkim.MissingKeyError
		if errors.As(err, &missing) {
			d := c.fromDomain()
			files, domains := c.folderKeys(folders, k.sel)
			switch {
			case len(files) > 0 && (!isDomain(d) || slices.Contains(domains, d)):
				notes = append(notes, dkimNote{slog.LevelWarn, fmt.Sprintf(
					"%s=%s is not needed: it names %s, which does not exist, while %s signs the mail From %s without any setting; remove %s",
					k.env, k.sel, missing.Path, strings.Join(files, " and "), strings.Join(domains, " and "), k.env)})
				continue
			case len(files) > 0:
				// BULLETIN_FROM is at a domain of its own, which the
				// setting means to sign.
				return nil, nil, usagef("no DKIM key %s for the mail of BULLETIN_FROM, at %s; %s signs the mail From %s without any setting: "+
					"remove %s if that is your From, or make the key of %s with \"bulletin dkim keygen --selector %s --type %s --domain %s\"",
					missing.Path, d, strings.Join(files, " and "), strings.Join(domains, " and "), k.env, d, k.sel, k.typ, d)
			case !isDomain(d):
				// keygen, which the error says to run, refuses such a
				// domain: the From comes first.
				return nil, nil, usagef("no DKIM key %s: a selector's key signs the mail of BULLETIN_FROM, which is at %s, not a domain on the internet; "+
					"set BULLETIN_FROM to an address at your own domain first, then make the key with \"bulletin dkim keygen --selector %s --type %s\", or unset the selector",
					missing.Path, d, k.sel, k.typ)
			default:
				return nil, nil, usageError{err.Error()}
			}
		} else if err != nil {
			return nil, nil, err
		}
		keys = append(keys, placedKey{key, dkim.Path(c.dkimDir(), k.sel, k.typ)})
	}
	return keys, notes, nil
}

// folderKeys returns the files of the keys of selector in the domains'
// folders, and those domains, in order.
func (c Config) folderKeys(folders map[string][]dkim.Key, selector string) (files, domains []string) {
	for _, d := range slices.Sorted(maps.Keys(folders)) {
		for _, k := range folders[d] {
			if k.Selector == selector {
				files = append(files, dkim.DomainPath(c.dkimDir(), d, k.Selector, k.Type))
				if !slices.Contains(domains, d) {
					domains = append(domains, d)
				}
			}
		}
	}
	return files, domains
}

// oneKeyPerSelector returns keys, in their order, less those whose
// selector a better key of domain has (see dkimKeySet), with a note for
// each key left out.
func oneKeyPerSelector(domain string, keys []placedKey) ([]dkim.Key, []dkimNote) {
	best := map[string]int{} // selector → index of the key kept
	for i, k := range keys {
		if j, ok := best[k.Selector]; !ok || k.Type == dkim.RSA && keys[j].Type != dkim.RSA {
			best[k.Selector] = i
		}
	}
	var kept []dkim.Key
	var notes []dkimNote
	for i, k := range keys {
		win := keys[best[k.Selector]]
		if best[k.Selector] == i {
			kept = append(kept, k.Key)
		} else if k.RecordValue() == win.RecordValue() {
			notes = append(notes, dkimNote{slog.LevelInfo, fmt.Sprintf(
				"DKIM: %s is a copy of %s; the mail From %s is signed once with selector %s", k.path, win.path, domain, k.Selector)})
		} else {
			notes = append(notes, dkimNote{slog.LevelWarn, fmt.Sprintf(
				"DKIM: two different keys for %s, which holds one record: the mail From %s is signed with %s, not %s; "+
					"run \"bulletin doctor\" to see whether the record holds the key signed with, then delete the file of the key it does not hold",
				k.RecordName(domain), domain, win.path, k.path)})
		}
	}
	return kept, notes
}

// selectorTaken returns the file of a key that signs domain's mail with
// selector already, other than the file path keygen is about to write,
// or "": a key in domain's folder, or in DKIM_DIR itself for
// BULLETIN_FROM's domain. A second key of that selector would need a
// second record where the DNS holds one.
func (c Config) selectorTaken(domain, selector, path string) string {
	dirs := []string{filepath.Join(c.dkimDir(), domain)}
	if domain == c.fromDomain() {
		dirs = append(dirs, c.dkimDir())
	}
	for _, dir := range dirs {
		for _, typ := range []string{dkim.RSA, dkim.Ed25519} {
			if f := dkim.Path(dir, selector, typ); f != path {
				if _, err := os.Stat(f); err == nil {
					return f
				}
			}
		}
	}
	return ""
}
