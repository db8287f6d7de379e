package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// declaredCodes returns the error codes internal/bulletin/error.go
// declares, by constant name: the string constants of that file, which
// holds nothing else. They are read from the source, so a code added
// there is checked here without a copy of the list to keep up.
func declaredCodes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "bulletin", "error.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, d := range f.Decls {
		gen, ok := d.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if v, ok := stringLit(vs.Values[i]); ok {
						codes[name.Name] = v
					}
				}
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("only %d error codes found in internal/bulletin/error.go: %v", len(codes), codes)
	}
	return codes
}

// stringLit is the value of e when it is a string literal.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// literalCodes returns the codes the module's Go source (tests and
// testdata aside) writes as a string literal rather than a constant of
// internal/bulletin, with where: the code of bulletin.Errorf(CODE, …),
// of a bulletin.Error{Code: CODE} and of the API's errorBody{Error: CODE}.
func literalCodes(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module root is not %s: %v", root, err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "testdata" || n == "vendor" || n == "node_modules" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if isName(n.Fun, "Errorf", f.Name.Name) && len(n.Args) > 0 {
					if code, ok := stringLit(n.Args[0]); ok {
						found[code] = fset.Position(n.Pos()).String()
					}
				}
			case *ast.CompositeLit:
				key := ""
				switch {
				case isName(n.Type, "Error", f.Name.Name):
					key = "Code"
				case isIdent(n.Type, "errorBody"):
					key = "Error"
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && key != "" && isIdent(kv.Key, key) {
						if code, ok := stringLit(kv.Value); ok {
							found[code] = fset.Position(kv.Pos()).String()
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// isName reports whether e is bulletin.NAME, or NAME inside package
// bulletin itself.
func isName(e ast.Expr, name, pkg string) bool {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		return sel.Sel.Name == name && isIdent(sel.X, "bulletin")
	}
	return pkg == "bulletin" && isIdent(e, name)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// TestOpenAPIListsEveryErrorCode: every error code the server can answer,
// each constant of internal/bulletin/error.go and any code written out as
// a literal, is in the enum of the document's Error schema, and its
// description gives each with the HTTP status it comes with (statusOf, the
// one table of them, which maps every declared code); the enum holds no
// code the server cannot answer.
func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	declared := declaredCodes(t)
	emitted := map[string]string{}
	for name, code := range declared {
		emitted[code] = "internal/bulletin/error.go: " + name
	}
	for code, where := range literalCodes(t) {
		if _, ok := emitted[code]; !ok {
			t.Errorf("%s: the error code %q is written out: declare it in internal/bulletin/error.go and use the constant", where, code)
			emitted[code] = where
		}
	}
	for code, where := range emitted {
		if _, ok := statusOf[code]; !ok {
			t.Errorf("%s: the error code %q has no HTTP status in statusOf (internal/web/json.go), so it would answer 500", where, code)
		}
	}
	for code := range statusOf {
		if _, ok := emitted[code]; !ok {
			t.Errorf("statusOf maps %q, which internal/bulletin/error.go does not declare", code)
		}
	}

	doc := loadOpenAPI(t)
	schema := doc.Components.Schemas["Error"]
	if schema == nil || schema.Value.Properties["error"] == nil {
		t.Fatal("internal/web/openapi.json has no components.schemas.Error.properties.error")
	}
	prop := schema.Value.Properties["error"].Value
	var enum []string
	for _, v := range prop.Enum {
		s, _ := v.(string)
		enum = append(enum, s)
	}
	for _, code := range slices.Sorted(maps.Keys(emitted)) {
		if !slices.Contains(enum, code) {
			t.Errorf("the server can answer the error code %q (%s), but the enum of components.schemas.Error.properties.error in internal/web/openapi.json lacks it", code, emitted[code])
		}
		if want := "`" + code + "` (" + strconv.Itoa(statusOf[code]) + ")"; !strings.Contains(prop.Description, want) {
			t.Errorf("the description of components.schemas.Error.properties.error does not give %s:\n%s", want, prop.Description)
		}
	}
	for _, code := range enum {
		if _, ok := emitted[code]; !ok {
			t.Errorf("internal/web/openapi.json lists the error code %q, which the server never answers", code)
		}
	}
}
