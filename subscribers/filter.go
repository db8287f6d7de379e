package subscribers

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// conditions are f's search and filters (Q, Status, List) as SQL
// conditions on subscribers, to be joined with AND, and their arguments
// in order. List and Newest share them, so that the admin's count, its
// page and the API select the same readers.
func (f Filter) conditions() ([]string, []any) {
	var where []string
	args := []any{}
	if q := strings.TrimSpace(f.Q); q != "" {
		// SQLite's lower() folds ASCII only, so a needle with other
		// letters is matched by a GLOB whose classes hold each letter's
		// case forms: one pass over the rows like instr, without a Go
		// function called per row. An ASCII needle keeps the cheaper
		// instr, and so does one longer than any name (which matches
		// none, and would make too long a pattern). Addresses are ASCII
		// (their domain in its xn-- form).
		//
		// Names are stored composed (NormalizeName), so the needle is
		// composed too, whichever form it was typed in; names stored
		// before that may be decomposed, and a second GLOB with the
		// needle decomposed finds them without rewriting old rows.
		q = norm.NFC.String(q)
		name, nameArgs := `instr(lower(name), ?) > 0`, []any{strings.ToLower(q)}
		if !isASCII(q) && utf8.RuneCountInString(q) <= MaxNameLen {
			name, nameArgs = `name GLOB ?`, []any{"*" + foldGlob(q) + "*"}
			if d := norm.NFD.String(q); d != q && utf8.RuneCountInString(d) <= MaxNameLen {
				name += ` OR name GLOB ?`
				nameArgs = append(nameArgs, "*"+foldGlob(d)+"*")
			}
		}
		where = append(where, `(instr(email_key, ?) > 0 OR `+name+`)`)
		args = append(append(args, strings.ToLower(q)), nameArgs...)
	}
	if f.Status != "" {
		where = append(where, `status = ?`)
		args = append(args, f.Status)
	}
	if f.List != "" {
		where = append(where, `id IN (SELECT s.subscriber_id FROM subscriptions s JOIN lists l ON l.id = s.list_id
			WHERE l.slug = ? AND s.status != 'unsubscribed')`)
		args = append(args, f.List)
	}
	return where, args
}
