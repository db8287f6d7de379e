package subscribers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// secretWords are the words of names that hold a MAC, a signature, a token
// or a hash: values that must be compared with hmac.Equal (or
// subtle.ConstantTimeCompare), never with == or a function that stops at
// the first differing byte. "digest" is not among them: in Bulletin it is
// the newsletter of a list's new articles, and a hash is a sum or a hash.
var secretWords = map[string]bool{
	"mac": true, "hmac": true, "sig": true, "signature": true, "token": true, "tok": true,
	"hash": true, "csrf": true, "secret": true, "password": true, "passwd": true,
}

// leakyEquals are the comparison functions that return early.
var leakyEquals = map[string]bool{
	"bytes.Equal": true, "bytes.Compare": true, "strings.Compare": true, "strings.EqualFold": true,
	"slices.Equal": true, "reflect.DeepEqual": true,
}

// A secretCmp is one comparison of a secret that is not constant-time.
type secretCmp struct {
	Pos  string // file:line
	Expr string
}

// secretChecker finds secretCmps in parsed files, by name: it has no
// types. Constants are not secrets (TokenConfirm names a purpose), a
// comparison with a literal, nil or a constant is not a match of a secret
// against input, and lengths leak nothing worth having.
type secretChecker struct {
	fset   *token.FileSet
	consts map[string]bool
}

func (c *secretChecker) check(files []*ast.File) []secretCmp {
	c.consts = map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						c.consts[n.Name] = true
					}
				}
			}
		}
	}
	var out []secretCmp
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			var operands []ast.Expr
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && !c.fixed(n.X) && !c.fixed(n.Y) {
					operands = []ast.Expr{n.X, n.Y}
				}
			case *ast.CallExpr:
				if leakyEquals[callName(n)] {
					operands = n.Args
				}
			}
			for _, op := range operands {
				if c.secret(op) {
					p := c.fset.Position(n.Pos())
					out = append(out, secretCmp{Pos: p.Filename + ":" + strconv.Itoa(p.Line), Expr: c.source(n)})
					break
				}
			}
			return true
		})
	}
	return out
}

// fixed reports whether e is a literal, nil or a constant: a value
// compared with one is a kind or a state (l.Digest == "daily"), or an
// emptiness check (token == ""), not a secret matched against input.
func (c *secretChecker) fixed(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return e.Name == "nil" || e.Name == "true" || e.Name == "false" || c.consts[e.Name]
	case *ast.SelectorExpr:
		return c.consts[e.Sel.Name]
	case *ast.ParenExpr:
		return c.fixed(e.X)
	}
	return false
}

// secret reports whether e holds, or is made from, a value with a secret
// name.
func (c *secretChecker) secret(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return !c.consts[e.Name] && secretName(e.Name)
	case *ast.SelectorExpr:
		return !c.consts[e.Sel.Name] && secretName(e.Sel.Name)
	case *ast.ParenExpr:
		return c.secret(e.X)
	case *ast.StarExpr:
		return c.secret(e.X)
	case *ast.UnaryExpr:
		return c.secret(e.X)
	case *ast.IndexExpr:
		return c.secret(e.X)
	case *ast.SliceExpr:
		return c.secret(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.SHL, token.SHR, token.AND_NOT:
			return c.secret(e.X) || c.secret(e.Y)
		}
		return false // a comparison or a logical operator gives a bool
	case *ast.CallExpr:
		name := callName(e)
		if name == "len" || name == "cap" {
			return false
		}
		if i := strings.LastIndexByte(name, '.'); secretName(name[i+1:]) {
			return true
		}
		for _, a := range e.Args {
			if c.secret(a) {
				return true
			}
		}
	}
	return false
}

// callName is "pkg.Func", "Method" or "func" for a call.
func callName(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
		return f.Sel.Name
	}
	return ""
}

// secretName reports whether a word of name (split at case changes,
// digits and underscores) is a secret word.
func secretName(name string) bool {
	var words []string
	start := 0
	rs := []rune(name)
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || rs[i] == '_' || (unicode.IsUpper(rs[i]) && !unicode.IsUpper(rs[i-1])) ||
			(unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])) {
			words = append(words, strings.ToLower(strings.Trim(string(rs[start:i]), "_0123456789")))
			start = i
		}
	}
	for _, w := range words {
		if secretWords[w] || secretWords[strings.TrimSuffix(w, "s")] || secretWords[strings.TrimSuffix(w, "es")] {
			return true
		}
	}
	return false
}

func (c *secretChecker) source(n ast.Node) string {
	p, q := c.fset.Position(n.Pos()), c.fset.Position(n.End())
	buf, err := os.ReadFile(p.Filename)
	if err != nil || q.Offset > len(buf) {
		return ""
	}
	return string(buf[p.Offset:q.Offset])
}

// parseGoFiles parses the non-test Go files under root, skipping testdata,
// vendor and hidden folders.
func parseGoFiles(t *testing.T, fset *token.FileSet, root string) []*ast.File {
	t.Helper()
	var files []*ast.File
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// moduleRoot is the folder holding go.mod, above the test's folder.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// TestSecretsAreComparedInConstantTime is a vet check over the whole
// repository: no MAC, signature, token or hash is compared with ==, != or
// an early-returning function such as bytes.Equal.
func TestSecretsAreComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	root := moduleRoot(t)
	files := parseGoFiles(t, fset, root)
	if len(files) < 50 {
		t.Fatalf("parsed only %d files under %s", len(files), root)
	}
	c := &secretChecker{fset: fset}
	for _, f := range c.check(files) {
		rel, _ := filepath.Rel(root, f.Pos)
		t.Errorf("%s: %s compares a secret in variable time; use hmac.Equal", rel, f.Expr)
	}
}

// wantMarker marks the lines of testdata/secretcmp/planted.go the checker
// must report.
var wantMarker = regexp.MustCompile(`// want$`)

// TestSecretCheckerCatchesPlanted feeds the same checker a file with
// planted comparisons (lines ending in "// want") and safe ones.
func TestSecretCheckerCatchesPlanted(t *testing.T) {
	fset := token.NewFileSet()
	path := filepath.Join("testdata", "secretcmp", "planted.go")
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, line := range strings.Split(string(src), "\n") {
		if wantMarker.MatchString(line) {
			want = append(want, path+":"+strconv.Itoa(i+1))
		}
	}
	if len(want) < 5 {
		t.Fatalf("only %d planted comparisons in %s", len(want), path)
	}
	c := &secretChecker{fset: fset}
	var got []string
	for _, f := range c.check([]*ast.File{f}) {
		got = append(got, f.Pos)
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
