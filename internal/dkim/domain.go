package dkim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DomainPath returns the file of the key of type typ for selector that
// signs the mail of domain: DIR/DOMAIN/SELECTOR.TYPE.pem. The keys of
// BULLETIN_FROM's domain are in dir itself (Path); a list with a From at
// another domain has its keys in that domain's folder.
func DomainPath(dir, domain, selector, typ string) string {
	return Path(filepath.Join(dir, normalDomain(domain)), selector, typ)
}

// LoadDomains reads the keys of every domain folder in dir: each
// SELECTOR.rsa.pem and SELECTOR.ed25519.pem of DIR/DOMAIN/, by domain
// (lower case). A folder whose name is not a domain (no dot) and a file
// not named like a key are left alone; a key that does not load is an
// error that names its file. A dir that does not exist holds none.
func LoadDomains(dir string) (map[string][]Key, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read DKIM folder: %w", err)
	}
	out := map[string][]Key{}
	for _, e := range entries {
		domain := normalDomain(e.Name())
		if !e.IsDir() || !strings.Contains(domain, ".") {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read DKIM folder: %w", err)
		}
		for _, f := range files {
			for _, typ := range []string{RSA, Ed25519} {
				sel, ok := strings.CutSuffix(f.Name(), "."+typ+".pem")
				if !ok || f.IsDir() {
					continue
				}
				k, err := Load(filepath.Join(dir, e.Name()), sel, typ)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", filepath.Join(dir, e.Name(), f.Name()), err)
				}
				out[domain] = append(out[domain], k)
			}
		}
	}
	return out, nil
}

// normalDomain is d in lower case without a final dot.
func normalDomain(d string) string { return strings.ToLower(strings.TrimSuffix(d, ".")) }
