package web

import (
	"encoding/json"
	"fmt"
	"strings"
)

// misnamedLists names the members of a signup body that hold its lists
// under another name than "lists": "list", as the form's field is named,
// "list[]", a misspelling one slip away. The signup's body is lenient, so
// they are ignored, and a body with no lists is refused for want of one:
// the answer then says, of each, where the slugs go instead, with its
// own slugs as the example. nil when there is none.
func misnamedLists(body []byte) map[string]string {
	members, _, ok := objectMembers(body)
	if !ok {
		return nil
	}
	var fields map[string]string
	for name, raw := range members {
		if strings.EqualFold(name, "lists") || nearest(strings.TrimSuffix(name, "[]"), []string{"lists"}) == "" {
			continue // "Lists" is lists: encoding/json matches names in any case
		}
		if fields == nil {
			fields = map[string]string{}
		}
		fields[name] = fmt.Sprintf(`is not a field of a signup; did you mean "lists"? It takes an array of list slugs: "lists": %s`, listsExample(raw))
	}
	return fields
}

// listsExample is the value of "lists" that raw, the value of a misnamed
// member, stands for: its slug in an array, or its array of slugs, or
// ["news"] when it is neither.
func listsExample(raw json.RawMessage) string {
	var one string
	var many []string
	switch {
	case json.Unmarshal(raw, &one) == nil && one != "":
		many = []string{one}
	case json.Unmarshal(raw, &many) == nil && len(many) > 0 && len(many) <= 5:
	default:
		many = []string{"news"}
	}
	for i := range many {
		many[i] = cut(many[i], 64)
	}
	buf, err := json.Marshal(many)
	if err != nil {
		return `["news"]`
	}
	return string(buf)
}
