package subscribers

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/mailer"
)

// Limits on what a reader may send.
const (
	MaxEmailLen      = 254
	MaxNameLen       = 100
	MaxLists         = 50
	MaxAttributesLen = 4096
)

// A Signup is what a reader sends to join lists: from the form or as JSON.
type Signup struct {
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Lists      []string       `json:"lists"`
	Attributes map[string]any `json:"attributes"`
}

// validate is safe for concurrent use and caches struct metadata.
var validate = validator.New(validator.WithRequiredStructEnabled())

// NormalizeEmail trims email and lower-cases its domain, then checks it:
// syntax (go-playground/validator), length, and none of the tricks that
// smuggle a display name, a second address or a header into mail. The
// part before the @ must be ASCII (see splitAddress); a domain that is not
// is stored in its IDNA form, so an address is always ASCII, and its
// EmailKey is the address lower-cased.
func NormalizeEmail(email string) (string, string) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", "enter your email address"
	}
	// Counted in characters, as the reader counts them: the count helps
	// one who pasted something longer than they meant. The address as it
	// is mailed, its domain in its xn-- form, is held to 254 octets below;
	// counted here in bytes, a domain in another script, three bytes a
	// letter, was refused at a length its xn-- form keeps well within.
	if n := utf8.RuneCountInString(email); n > MaxEmailLen {
		return "", fmt.Sprintf("use an address of at most %d characters (this one has %d)", MaxEmailLen, n)
	}
	if !utf8.ValidString(email) || strings.ContainsFunc(email, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`"<>,;:()[]\`, r)
	}) {
		return "", "enter just the address, like name@example.com"
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "", malformed
	}
	if at == 0 || at == len(email)-1 {
		return "", addressFault(email[:at], email[at+1:])
	}
	local, domain, msg := splitAddress(email[:at], email[at+1:])
	if msg != "" {
		return "", msg
	}
	// The validator takes a part of an ASCII domain of any length, but
	// DNS holds none over 63 octets: such an address could never be
	// mailed.
	for label := range strings.SplitSeq(domain, ".") {
		if len(label) > 63 {
			return "", "check the domain after the @: keep each part between its dots to at most 63 characters"
		}
	}
	email = local + "@" + domain
	if err := validate.Var(email, "required,email,max=254"); err != nil {
		return "", addressFault(local, domain)
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Name != "" || a.Address != email {
		return "", addressFault(local, domain)
	}
	if strings.HasSuffix(email, ".") || strings.Count(email, "@") != 1 {
		return "", addressFault(local, domain)
	}
	return email, ""
}

// malformed is what NormalizeEmail says of text that is no address at all,
// the fault most often met, and of one whose fault addressFault cannot
// name.
const malformed = "enter an address like name@example.com"

// MaxLocalLen is the most octets before the @ (RFC 5321 section 4.5.3.1.1).
const MaxLocalLen = 64

// idnaProfile maps a domain as a resolver would (case, width and
// compatibility forms folded) and checks it for DNS: the form the mail
// goes to.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true),
	idna.CheckHyphens(true), idna.CheckJoiners(true), idna.Transitional(false))

// splitAddress checks the two parts of an address. Bulletin does not send
// with SMTPUTF8, so a local part must be ASCII: a non-ASCII one is refused
// rather than folded (U+212A KELVIN SIGN would otherwise pass for a k and
// take another reader's address). A non-ASCII domain is IDNA-encoded; an
// ASCII one is lower-cased.
func splitAddress(local, domain string) (string, string, string) {
	if !isASCII(local) {
		return "", "", nonASCIILocal(local)
	}
	if len(local) > MaxLocalLen {
		return "", "", "use an address with at most 64 characters before the @"
	}
	if isASCII(domain) {
		return local, strings.ToLower(domain), ""
	}
	a, err := idnaProfile.ToASCII(domain)
	if err != nil || a == "" {
		return "", "", "check the domain after the @: it is not a valid domain name"
	}
	return local, a, ""
}

// nonASCIILocal says what to fix in local, a part before the @ that is
// not ASCII, naming its first character that is not: "“ö” cannot be
// used before the @: …". It said "use only ASCII characters before the @
// (a-z, 0-9 and . _ + -)", and o'brien@ and a&b@ were taken. The
// character is named with its accents, composed (a decomposed ö is shown
// as one); one that only looks like an ASCII letter (fullwidth ｋ, the
// Kelvin sign) is said to, and one that does not show is named by its
// code point.
func nonASCIILocal(local string) string {
	const rule = "using only ASCII letters, digits and symbols there"
	i := strings.IndexFunc(local, func(r rune) bool { return r >= utf8.RuneSelf })
	r, n := utf8.DecodeRuneInString(local[i:])
	start, end := i, i+n
	if unicode.Is(unicode.M, r) && i > 0 {
		// An accent typed apart from its letter (o + ¨) is the letter's.
		_, size := utf8.DecodeLastRuneInString(local[:i])
		start -= size
	}
	for end < len(local) {
		m, size := utf8.DecodeRuneInString(local[end:])
		if !unicode.Is(unicode.M, m) {
			break
		}
		end += size
	}
	ch := local[start:end]
	switch looks := norm.NFKC.String(ch); {
	case !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r):
		return fmt.Sprintf("an invisible character (U+%04X) is before the @: delete it, %s", r, rule)
	case isASCII(looks):
		return fmt.Sprintf("“%s” before the @ only looks like the ASCII “%s”: type it again, %s", ch, looks, rule)
	}
	return fmt.Sprintf("“%s” cannot be used before the @: use only ASCII letters, digits and symbols there", norm.NFC.String(ch))
}

// addressFault says what to fix in local@domain, an address NormalizeEmail
// refuses for its form: "enter an address like name@example.com" said of
// every such fault read wrong where the address looked like that already
// (its domain with no ending, a part with two dots in a row, one made too
// long by its domain's xn-- form), and left the reader at the form, or the
// editor of an import report, looking for what to change.
func addressFault(local, domain string) string {
	switch {
	case strings.Contains(local, "@"):
		return "write one @ only, between the name and the domain, like name@example.com"
	case local == "":
		return "write the part before the @, like name@example.com"
	case domain == "":
		return "write the domain after the @, like name@example.com"
	case len(local)+1+len(domain) > MaxEmailLen:
		return "use an address of at most 254 characters (a domain in another script counts in its xn-- form)"
	case badDots(local):
		return "check the part before the @: a dot may not start or end it, nor follow another dot"
	}
	if why := domainFault(domain); why != "" {
		return "check the domain after the @: " + why
	}
	return malformed
}

// badDots reports whether s starts or ends with a dot or holds two in a
// row, which neither part of an address may.
func badDots(s string) bool {
	return strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..")
}

// domainFault says what is wrong with an address's domain, in its ASCII
// form, or "" when addressFault should look elsewhere.
func domainFault(domain string) string {
	if badDots(domain) {
		return "a dot may not start or end it, nor follow another dot"
	}
	labels := strings.Split(domain, ".")
	if len(labels) == 1 {
		return "write it whole, with its ending, like example.com"
	}
	for _, l := range labels {
		switch {
		case strings.ContainsFunc(l, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }):
			return "use only letters, digits, hyphens and dots in it"
		case strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-"):
			return "a hyphen may not start or end a part between its dots"
		case len(l) > 63:
			return "keep each part between its dots to at most 63 characters"
		}
	}
	if !strings.ContainsFunc(labels[len(labels)-1], func(r rune) bool { return r < '0' || r > '9' }) {
		return "end it with a name, like .com, not a number"
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NormalizeName trims name, composes it (NFC), makes each run of white
// space in it one space (mailer.CollapseSpaces) and checks its length and
// characters: no control characters, line breaks or direction overrides.
// An accented letter arrives composed from most keyboards but decomposed
// from some (macOS, copied text): stored one way, a name is found by a
// search typed either way (see List), and an accent does not count
// against MaxNameLen as a character of its own. Runs of spaces, pasted
// or typed, greeted the reader "Hello Padded   Name," in every mail.
func NormalizeName(name string) (string, string) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) {
		return "", "use plain text"
	}
	name = norm.NFC.String(name)
	if !strings.ContainsFunc(name, badNameRune) {
		// A name with a tab or a line break is refused below as typed,
		// not made acceptable by collapsing them.
		name = mailer.CollapseSpaces(name)
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLen {
		return "", fmt.Sprintf("use at most %d characters (this one has %d)", MaxNameLen, n)
	}
	if i := strings.IndexFunc(name, badNameRune); i >= 0 {
		return "", "use plain text without control characters: " + whereBadRune(name, i)
	}
	if strings.ContainsRune(name, utf8.RuneError) {
		return "", garbled
	}
	return name, ""
}

// garbled is the reason given for text holding U+FFFD, the character
// that stands for bytes that were not UTF-8, or for a JSON escape of half
// a surrogate pair: what was meant is lost, and storing the stand-in
// would show "�" in every mail.
const garbled = "type it again: “\uFFFD” stands for characters that arrived garbled"

// whereBadRune says which character at byte i of name badNameRune
// refuses and where it is, for the reader to find: most are invisible, and
// "without control characters" alone left a name holding, say, a
// direction override pasted with it, that no one could see to remove.
func whereBadRune(name string, i int) string {
	r, _ := utf8.DecodeRuneInString(name[i:])
	var what string
	switch {
	case r == '\t':
		what = "the tab"
	case r == '\n' || r == '\r':
		what = "the line break"
	case r == '\u2028':
		what = "the line separator (U+2028)"
	case r == '\u2029':
		what = "the paragraph separator (U+2029)"
	case r == '\ufeff':
		what = "the invisible byte order mark (U+FEFF)"
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		what = fmt.Sprintf("the invisible direction mark (U+%04X)", r)
	default:
		what = fmt.Sprintf("the control character U+%04X", r)
	}
	before := []rune(name[:i])
	if len(before) == 0 {
		return "remove " + what + " at its start"
	}
	if len(before) > 20 {
		before = append([]rune("…"), before[len(before)-20:]...)
	}
	// The text before it, cleaned of what the reader cannot see either.
	shown := strings.Map(func(r rune) rune {
		if badNameRune(r) {
			return -1
		}
		return r
	}, string(before))
	return "remove " + what + " after “" + shown + "”"
}

func badNameRune(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\ufeff':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true // bidirectional overrides disguise text
	}
	return false
}

// Normalize cleans s in place and checks it, returning a validation error
// naming each bad field. Lists are checked against the store later.
func (s *Signup) Normalize() error {
	fields := map[string]string{}
	var msg string
	if s.Email, msg = NormalizeEmail(s.Email); msg != "" {
		fields["email"] = msg
	}
	if s.Name, msg = NormalizeName(s.Name); msg != "" {
		fields["name"] = msg
	}
	s.Lists = uniqueSlugs(s.Lists)
	if len(s.Lists) == 0 {
		fields["lists"] = "choose at least one list"
	} else if len(s.Lists) > MaxLists {
		fields["lists"] = "choose at most 50 lists"
	}
	if len(s.Attributes) > 0 {
		buf, err := json.Marshal(s.Attributes)
		if err != nil || len(buf) > MaxAttributesLen {
			fields["attributes"] = "keep attributes to at most 4 KiB of JSON"
		}
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// checkSignup normalises in and resolves its lists, public ones only,
// and reports every field at fault in one error: a bad address does not
// hide an unknown list. It reads the lists and no subscriber, so its
// answer is the same whether the address is known or not. Lists are
// looked up only when Normalize found nothing wrong with them (none, or
// over MaxLists, is reason enough).
func (s *Store) checkSignup(ctx context.Context, in *Signup) ([]int64, error) {
	err := in.Normalize()
	fields := bulletin.ErrorFields(err)
	if err != nil && fields == nil {
		return nil, err
	}
	if _, bad := fields["lists"]; bad {
		return nil, err
	}
	ids, lerr := s.resolveLists(ctx, in.Lists, true)
	if lerr != nil && bulletin.ErrorFields(lerr) == nil {
		return nil, lerr // the lists could not be read
	}
	if len(fields) == 0 && lerr == nil {
		return ids, nil
	}
	all := map[string]string{}
	maps.Copy(all, fields)
	maps.Copy(all, bulletin.ErrorFields(lerr))
	return nil, bulletin.Invalid(all)
}

// uniqueSlugs trims slugs, dropping empty ones and repeats, keeping order.
// A repeat is the same slug in any case, as a list is looked up ("News"
// and "news" are one list, and count once toward MaxLists); the first
// spelling stays, to be quoted as typed.
func uniqueSlugs(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[SlugKey(s)] {
			continue
		}
		seen[SlugKey(s)] = true
		out = append(out, s)
	}
	return out
}

// attributesJSON encodes attributes for the attributes column.
func attributesJSON(a map[string]any) string {
	if len(a) == 0 {
		return "{}"
	}
	buf, err := json.Marshal(a)
	if err != nil {
		return "{}"
	}
	return string(buf)
}
