package web

// SuggestedParts and TypedParts are the question's addresses cut where
// a line may wrap them (addressParts).
func (q *typoQuestion) SuggestedParts() []string { return addressParts(q.Suggested) }
func (q *typoQuestion) TypedParts() []string     { return addressParts(q.Typed) }

// addressParts cuts addr where a line may wrap it and still read as an
// address: before its @ and after each of its dots. "Jane.Doe@gmail.com"
// is "Jane.", "Doe", "@gmail.", "com", which the page joins with <wbr>.
// An address in a button on a phone wrapped wherever it ran out of room
// (overflow-wrap:anywhere), "Jane.Doe@gmail.co" then "m"; that is left
// for a part wider than the line. The @ and the dots are ASCII, never
// inside a character of several bytes.
func addressParts(addr string) []string {
	var parts []string
	from := 0
	for i := 0; i < len(addr); i++ {
		switch {
		case addr[i] == '@' && i > from:
			parts, from = append(parts, addr[from:i]), i
		case addr[i] == '.':
			parts, from = append(parts, addr[from:i+1]), i+1
		}
	}
	if from < len(addr) {
		parts = append(parts, addr[from:])
	}
	return parts
}
