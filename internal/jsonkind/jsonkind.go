// Package jsonkind names the kind of a JSON value in the words Bulletin's
// answers use ("a string", "true or false"), for the API's and the
// webhooks' refusals alike.
package jsonkind

import "bytes"

// Of names the kind of the JSON value raw holds: "nothing", "an object",
// "a list", "a string", "true or false", "null" or "a number".
func Of(raw []byte) string {
	switch b := bytes.TrimSpace(raw); {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "a list"
	case b[0] == '"':
		return "a string"
	case b[0] == 't' || b[0] == 'f':
		return "true or false"
	case b[0] == 'n':
		return "null"
	}
	return "a number"
}
