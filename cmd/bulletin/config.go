package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/mailer"
)

// Config holds every setting of SPEC §1. Each comes from an environment
// variable and can be overridden by the flag of the same name.
type Config struct {
	Addr              string
	Data              string
	BaseURL           string
	BaseURLSet        bool // BULLETIN_BASE_URL was given, not derived from ADDR
	RedisURL          string
	SMTPURL           string
	SMTPConns         int
	SMTPRate          float64
	SignupRate        int
	AllowPrivateFeeds bool
	From              string
	Secret            string
	AdminEmail        string
	AdminPassword     string
	NoSend            bool
	Templates         string
	MetricsToken      string
	// TrustedProxies are the reverse proxies, besides this host's
	// loopback, whose X-Forwarded-For names the client; nil for none.
	TrustedProxies []netip.Prefix
	// DKIM and VERP settings (SPEC §5); see dkim.go.
	DKIMSelector        string
	DKIMEd25519Selector string
	DKIMDir             string
	BounceDomain        string
	// BounceAddr is where the SMTP intake for bounces listens (SPEC §6);
	// see bounce.go.
	BounceAddr string
	// BounceMailbox is the IMAP folder polled for bounces (SPEC §6), nil
	// when unset; see bounce.go.
	BounceMailbox *bounces.MailboxURL
	// The providers' webhook secrets (SPEC §6); see webhook.go.
	WebhookSES, WebhookPostmark, WebhookSendGrid, WebhookMailgun string
	// DeliveryRetention is how long per-reader delivery rows stay before
	// they are folded into their campaign's totals; 0 keeps them for good.
	DeliveryRetention time.Duration
	// Flags are the settings given as flags, each variable's name to its
	// flag's ("BULLETIN_SMTP_CONNS": "smtp-conns"), nil when none was: a
	// refusal names the setting as the operator gave it (see asGiven).
	Flags map[string]string
}

// setting describes one variable and its flag.
type setting struct {
	env, flag, def, usage string
}

var settings = []setting{
	{"BULLETIN_ADDR", "addr", "127.0.0.1:8080", "HTTP listen address"},
	{"BULLETIN_DATA", "data", "./data", "folder for bulletin.db, the outbox and the generated secret"},
	{"BULLETIN_BASE_URL", "base-url", "", "public URL used in links (default http:// + addr)"},
	{"BULLETIN_REDIS_URL", "redis-url", "", "redis://[:pass@]host:port/db; empty runs an embedded Redis"},
	{"BULLETIN_SMTP_URL", "smtp-url", "", "smtp://[user:pass@]host:port?tls=auto|none|starttls|tls&chunking=off (smtps:// for tls); empty writes mail to the outbox"},
	{"BULLETIN_SMTP_CONNS", "smtp-conns", "8", "most open SMTP connections per worker process"},
	{"BULLETIN_SMTP_RATE", "smtp-rate", "0", "most messages per second per worker process, 0 = unlimited"},
	{"BULLETIN_SIGNUP_RATE", "signup-rate", "20", "signups a minute per client IP, 0 = no limit"},
	{"BULLETIN_ALLOW_PRIVATE_FEEDS", "allow-private-feeds", "", "1 allows feed URLs on loopback or private addresses"},
	{"BULLETIN_FROM", "from", "Bulletin <newsletter@localhost>", "From of every message"},
	{"BULLETIN_SECRET", "secret", "", "key for signed links and sessions (default: generated into DATA/secret)"},
	{"BULLETIN_ADMIN_EMAIL", "admin-email", "", "with BULLETIN_ADMIN_PASSWORD: this admin exists after start-up"},
	{"BULLETIN_ADMIN_PASSWORD", "admin-password", "", "the password of BULLETIN_ADMIN_EMAIL"},
	{"BULLETIN_NO_SEND", "no-send", "", "1 leaves campaign and digest sending to bulletin worker processes; serve still sends confirmations, welcome mails and test sends itself"},
	{"BULLETIN_TEMPLATES", "templates", "", "folder whose files override the embedded templates"},
	{"BULLETIN_METRICS_TOKEN", "metrics-token", "", "bearer token that opens /metrics to peers other than loopback"},
	{"BULLETIN_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client, besides loopback (always trusted), like 172.29.80.1"},
	{"BULLETIN_DKIM_SELECTOR", "dkim-selector", "", "selector of the RSA DKIM key DKIM_DIR/SELECTOR.rsa.pem; signing is on when set"},
	{"BULLETIN_DKIM_ED25519_SELECTOR", "dkim-ed25519-selector", "", "selector of an Ed25519 DKIM key DKIM_DIR/SELECTOR.ed25519.pem"},
	{"BULLETIN_DKIM_DIR", "dkim-dir", "", "folder of the DKIM keys (default DATA/dkim)"},
	{"BULLETIN_BOUNCE_DOMAIN", "bounce-domain", "", "when set, MAIL FROM is bounce+TOKEN@ this domain (VERP)"},
	{"BULLETIN_BOUNCE_ADDR", "bounce-addr", "", "host:port of the SMTP server that takes DSNs and ARF complaints to the VERP addresses of BULLETIN_BOUNCE_DOMAIN, like :2525; empty: none"},
	{"BULLETIN_BOUNCE_MAILBOX", "bounce-mailbox", "", "imaps://user:password@host[:port]/FOLDER polled every minute for DSNs and ARF complaints to the VERP addresses of BULLETIN_BOUNCE_DOMAIN (imap:// uses STARTTLS); empty: none"},
	{"BULLETIN_WEBHOOK_SES_TOPIC", "webhook-ses-topic", "", "ARN of the SNS topic of SES bounces and complaints (comma-separated for several); POST /webhooks/ses is off without it"},
	{"BULLETIN_WEBHOOK_POSTMARK_SECRET", "webhook-postmark-secret", "", "user:pass, the basic auth of the Postmark bounce and spam complaint webhook URL"},
	{"BULLETIN_WEBHOOK_SENDGRID_SECRET", "webhook-sendgrid-secret", "", "verification key (base64) of the SendGrid signed event webhook"},
	{"BULLETIN_WEBHOOK_MAILGUN_SECRET", "webhook-mailgun-secret", "", "Mailgun HTTP webhook signing key"},
	{"BULLETIN_DELIVERY_RETENTION", "delivery-retention", "90d", "how long each reader's delivery rows are kept (90d, 2160h) before they are folded into their campaign's totals; 0 or forever keeps them"},
}

// secretSettings hold passwords or keys, or URLs that may: --help does
// not show their values.
var secretSettings = map[string]bool{
	"BULLETIN_SECRET": true, "BULLETIN_ADMIN_PASSWORD": true, "BULLETIN_METRICS_TOKEN": true,
	"BULLETIN_SMTP_URL": true, "BULLETIN_REDIS_URL": true, "BULLETIN_BOUNCE_MAILBOX": true,
	"BULLETIN_WEBHOOK_POSTMARK_SECRET": true, "BULLETIN_WEBHOOK_SENDGRID_SECRET": true, "BULLETIN_WEBHOOK_MAILGUN_SECRET": true,
}

// onOffSettings are the settings whose flag may be given bare
// (--no-send); a value goes after an '=' (--no-send=1).
var onOffSettings = map[string]bool{"BULLETIN_NO_SEND": true, "BULLETIN_ALLOW_PRIVATE_FEEDS": true}

// settingValues are the settings of one command: each variable's value,
// read once its flags are parsed, and the flag set, which knows which of
// them were given as flags.
type settingValues struct {
	vals map[string]*string
	fs   *flag.FlagSet
}

// registerFlags adds one string flag per setting to fs, defaulting to the
// environment variable, then to the built-in default.
func registerFlags(fs *flag.FlagSet, getenv func(string) string) settingValues {
	vals := make(map[string]*string, len(settings))
	for _, s := range settings {
		def := s.def
		if v, ok := lookup(getenv, s.env); ok {
			def = v
		}
		v := new(string)
		*v = def
		if onOffSettings[s.env] {
			fs.Var((*boolString)(v), s.flag, s.usage+" ("+s.env+")")
		} else {
			fs.StringVar(v, s.flag, def, s.usage+" ("+s.env+")")
		}
		if secretSettings[s.env] { // --help shows no secret from the environment
			fs.Lookup(s.flag).DefValue = ""
		}
		vals[s.env] = v
	}
	return settingValues{vals: vals, fs: fs}
}

// boolString is a string flag that may be given bare (--no-send), as the
// on/off settings are.
type boolString string

func (b *boolString) String() string     { return string(*b) }
func (b *boolString) Set(v string) error { *b = boolString(v); return nil }
func (b *boolString) IsBoolFlag() bool   { return true }

func lookup(getenv func(string) string, key string) (string, bool) {
	if getenv == nil {
		return os.LookupEnv(key)
	}
	v := getenv(key)
	return v, v != ""
}

// configFrom checks the parsed values and builds a Config. Each error names
// the setting as it was given, its flag or its variable, and says what to
// fix. uses lists the settings the command uses, nil for every one: a
// setting refused that is none of those does not stop the command but
// comes back among the warnings, for it to say and go on (see
// settingsUsed).
func configFrom(sv settingValues, uses []string) (c Config, warnings []string, err error) {
	flags := map[string]string{}
	sv.fs.Visit(func(f *flag.Flag) {
		for _, s := range settings {
			if s.flag == f.Name {
				flags[s.env] = s.flag
			}
		}
	})
	c, errs := checkSettings(sv.vals)
	if len(flags) > 0 {
		c.Flags = flags
	}
	for _, e := range errs {
		// An error that names no setting (each names one today) stops
		// every command, as all errors did.
		msg := e.Error()
		if s := settingOf(msg); uses == nil || s == "" || slices.Contains(uses, s) {
			return c, nil, errors.New(c.namedAsGiven(msg))
		}
		warnings = append(warnings, c.namedAsGiven(msg))
	}
	return c, warnings, nil
}

// settingOf returns the setting an error of checkSettings is about: the
// first it names, by its variable. Each names it first, as in
// "BULLETIN_BOUNCE_ADDR needs BULLETIN_BOUNCE_DOMAIN"; "" when none is
// named.
func settingOf(msg string) string {
	first, at := "", len(msg)
	for _, s := range settings {
		if i := indexSettingName(msg, s.env); i >= 0 && i < at {
			first, at = s.env, i
		}
	}
	return first
}

// asGiven returns a usage error whose message names each setting given
// as a flag by that flag (see namedAsGiven); any other error as it is.
// The checks after configFrom's, such as serve's of its DKIM keys and
// templates, go through it.
func (c Config) asGiven(err error) error {
	if ue, ok := err.(usageError); ok && len(c.Flags) > 0 {
		return usageError{c.namedAsGiven(ue.msg)}
	}
	return err
}

// namedAsGiven returns msg, which names the settings by their variables,
// with each setting given as a flag named as it was typed: an operator
// who ran "serve --smtp-conns 0" looks for --smtp-conns in the line, and
// finds no BULLETIN_SMTP_CONNS anywhere in what they wrote. A value
// quoted right after the name follows the flag bare when a shell needs no
// quotes for it (--smtp-conns 0), and after an '=' for an on/off flag,
// which takes no value of its own (--no-send=maybe).
func (c Config) namedAsGiven(msg string) string {
	for env, name := range c.Flags {
		var b strings.Builder
		for {
			i := indexSettingName(msg, env)
			if i < 0 {
				break
			}
			b.WriteString(msg[:i] + "--" + name)
			msg = msg[i+len(env):]
			if !strings.HasPrefix(msg, ` "`) {
				continue
			}
			quoted, err := strconv.QuotedPrefix(msg[1:])
			if err != nil {
				continue
			}
			v, _ := strconv.Unquote(quoted)
			if !plainArg(v) {
				v = quoted
			}
			if onOffSettings[env] {
				b.WriteString("=" + v)
			} else {
				b.WriteString(" " + v)
			}
			msg = msg[1+len(quoted):]
		}
		msg = b.String() + msg
	}
	return msg
}

// indexSettingName returns where msg names the setting env as a whole
// word (BULLETIN_ADDR, not the end of BULLETIN_BOUNCE_ADDR), or -1.
func indexSettingName(msg, env string) int {
	inName := func(b byte) bool { return b == '_' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
	for from := 0; ; {
		i := strings.Index(msg[from:], env)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(env)
		if (i == 0 || !inName(msg[i-1])) && (end == len(msg) || !inName(msg[end])) {
			return i
		}
		from = end
	}
}

// plainArg says whether a shell takes v as one argument without quotes.
func plainArg(v string) bool {
	return v != "" && !strings.ContainsFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/@%+=", r))
	})
}

// checkSettings checks the values and builds a Config. It goes on past a
// setting it refuses and returns every refusal, in the order of the
// checks: the first is what a command that uses every setting is refused
// with, and a command that uses few warns of the others (see configFrom).
// Its errors name the settings by their variables, each first.
func checkSettings(vals map[string]*string) (Config, []error) {
	c := Config{
		Addr:          strings.TrimSpace(*vals["BULLETIN_ADDR"]),
		Data:          *vals["BULLETIN_DATA"],
		BaseURL:       strings.TrimRight(strings.TrimSpace(*vals["BULLETIN_BASE_URL"]), "/"),
		RedisURL:      strings.TrimSpace(*vals["BULLETIN_REDIS_URL"]),
		SMTPURL:       strings.TrimSpace(*vals["BULLETIN_SMTP_URL"]),
		From:          *vals["BULLETIN_FROM"],
		Secret:        *vals["BULLETIN_SECRET"],
		AdminEmail:    strings.TrimSpace(*vals["BULLETIN_ADMIN_EMAIL"]),
		AdminPassword: *vals["BULLETIN_ADMIN_PASSWORD"],
		Templates:     *vals["BULLETIN_TEMPLATES"],
		MetricsToken:  strings.TrimSpace(*vals["BULLETIN_METRICS_TOKEN"]),
	}
	var errs []error
	refuse := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	refuse(checkAddr(c.Addr))
	if c.Data == "" {
		refuse(fmt.Errorf("BULLETIN_DATA is empty: give a folder, like ./data"))
	}
	if c.Templates != "" {
		if st, err := os.Stat(c.Templates); err != nil || !st.IsDir() {
			refuse(fmt.Errorf("BULLETIN_TEMPLATES %q is not a folder: give a folder with the layout of templates/, or leave it empty", c.Templates))
		}
	}
	c.BaseURLSet = c.BaseURL != ""
	// An error quotes the value as it was given, "http://" and not the
	// "http:" left once its slashes are trimmed, but never its password.
	shownBaseURL := withoutUserinfo(strings.TrimSpace(*vals["BULLETIN_BASE_URL"]))
	if c.BaseURL == "" {
		c.BaseURL = defaultBaseURL(c.Addr)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		refuse(fmt.Errorf("BULLETIN_BASE_URL %q: use an absolute http(s) URL, like https://news.example.com", shownBaseURL))
	} else {
		// BASE_URL starts every link as the public URL of the settings
		// does, and is held to the same rules: a host name in another
		// script is used in its xn-- form.
		var why string
		if c.BaseURL, why = pubsettings.TidyPublicURL(c.BaseURL, "https://news.example.com"); why != "" {
			refuse(fmt.Errorf("BULLETIN_BASE_URL %q: %s", shownBaseURL, why))
		}
	}
	refuse(checkRedisURL(c.RedisURL))
	// Checked with the other settings, before serve makes a database and
	// a secret in a new data folder, or a command opens anything.
	if c.SMTPURL != "" {
		if _, err := mailer.ParseSMTPURL(c.SMTPURL); err != nil {
			refuse(fmt.Errorf("BULLETIN_SMTP_URL: %s", strings.TrimPrefix(err.Error(), "smtp url: ")))
		}
	}
	c.SMTPConns, err = intSetting(vals, "BULLETIN_SMTP_CONNS", 1, 1000)
	refuse(err)
	c.SignupRate, err = intSetting(vals, "BULLETIN_SIGNUP_RATE", 0, 1_000_000)
	refuse(err)
	rate := *vals["BULLETIN_SMTP_RATE"]
	// NaN and Inf parse as numbers, and would mean no limit at all.
	if c.SMTPRate, err = strconv.ParseFloat(strings.TrimSpace(rate), 64); err != nil || c.SMTPRate < 0 || math.IsNaN(c.SMTPRate) || math.IsInf(c.SMTPRate, 0) {
		refuse(fmt.Errorf("BULLETIN_SMTP_RATE %q: use a number of messages per second, 0 for no limit", rate))
	}
	c.AllowPrivateFeeds, err = boolSetting(vals, "BULLETIN_ALLOW_PRIVATE_FEEDS")
	refuse(err)
	c.NoSend, err = boolSetting(vals, "BULLETIN_NO_SEND")
	refuse(err)
	refuse(checkFrom(c.From))
	if c.Secret != "" && len(c.Secret) < 32 {
		refuse(fmt.Errorf("BULLETIN_SECRET is too short: use at least 32 random characters, or leave it empty to generate one"))
	} else if why := notRandom(c.Secret); c.Secret != "" && why != "" {
		refuse(fmt.Errorf("BULLETIN_SECRET is not random (%s): use at least 32 random characters, such as head -c 32 /dev/urandom | base64 prints, or leave it empty to generate one", why))
	}
	if c.NoSend && c.RedisURL == "" {
		refuse(fmt.Errorf("BULLETIN_NO_SEND leaves campaign and digest sending to bulletin worker processes, which cannot reach the embedded Redis: set BULLETIN_REDIS_URL too"))
	}
	refuse(checkMetricsToken(c.MetricsToken))
	c.TrustedProxies, err = trustedProxies(*vals["BULLETIN_TRUSTED_PROXIES"])
	refuse(err)
	errs = append(errs, dkimConfig(&c, vals)...)
	errs = append(errs, bounceConfig(&c, vals)...)
	errs = append(errs, webhookConfig(&c, vals)...)
	c.DeliveryRetention, err = retentionSetting(*vals["BULLETIN_DELIVERY_RETENTION"])
	refuse(err)
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		refuse(fmt.Errorf("set both BULLETIN_ADMIN_EMAIL and BULLETIN_ADMIN_PASSWORD, or neither"))
	}
	return c, errs
}

// checkFrom refuses a BULLETIN_FROM that is not one address with a
// domain.
func checkFrom(from string) error {
	if a, err := mail.ParseAddress(from); err != nil || strings.ContainsAny(from, "\r\n") {
		if name, _, ok := strings.Cut(from, "<"); ok && strings.ContainsAny(name, `,;:@()[].\`) && !strings.Contains(name, `"`) {
			// A name with a comma or a full stop must be quoted in an
			// address: Acme, Inc <news@…> is two addresses to a mail
			// reader, the first with no domain.
			return fmt.Errorf("BULLETIN_FROM %q: a name with punctuation goes in double quotes, like '\"%s\" <%s'", from, strings.TrimSpace(name), strings.TrimPrefix(from, name+"<"))
		}
		return fmt.Errorf("BULLETIN_FROM %q: use an address, like \"Harbour Gazette <news@example.com>\"", from)
	} else if !strings.Contains(a.Address, "@") {
		return fmt.Errorf("BULLETIN_FROM %q: the address needs a domain", from)
	}
	return nil
}

// checkRedisURL refuses a Redis URL that asynq would refuse, or read
// otherwise than it is written, once serve or a worker had started: the
// database must be a number, the path's only segment.
func checkRedisURL(raw string) error {
	if raw == "" {
		return nil
	}
	const use = "use redis://[:password@]host:port/db (or rediss:// for TLS), db a number like 0 and a password's @ : / ? # % written %40 %3A %2F %3F %23 %25, or leave it empty for the embedded Redis"
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("BULLETIN_REDIS_URL: %s", use)
	}
	// An '@' past the host part, as url.Parse reads it, ends a password
	// that holds an unescaped '/', '?' or '#': the host, port or database
	// quoted below would be a piece of it.
	if at := strings.LastIndexByte(raw, '@'); at >= 0 && (u.User == nil || !strings.HasPrefix(raw[at+1:], u.Host)) {
		return fmt.Errorf("BULLETIN_REDIS_URL: the password holds a character to escape: %s", use)
	}
	if host, port, err := net.SplitHostPort(u.Host); err != nil || host == "" {
		return fmt.Errorf("BULLETIN_REDIS_URL: host:port %q: %s", u.Host, use)
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("BULLETIN_REDIS_URL: port %q: %s", port, use)
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 || strings.ContainsAny(db, "+-") {
			return fmt.Errorf("BULLETIN_REDIS_URL: database %q: %s", db, use)
		}
	}
	return nil
}

// checkCPUProfile refuses, as bad usage before serve opens anything, a
// CPU profile (serve's own --cpuprofile, BULLETIN_CPUPROFILE) that could
// not be written: a folder, a file in a folder that is not there, or one
// that cannot be created.
func checkCPUProfile(path string) error {
	if path == "" {
		return nil
	}
	const setting = "BULLETIN_CPUPROFILE (--cpuprofile)"
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("%s %s is a folder: give a file in it, like %s", setting, path, filepath.Join(path, "serve.pprof"))
	}
	if dir := filepath.Dir(path); !isDir(dir) {
		return usagef("%s %s: the folder %s does not exist; create it, or give a file in a folder that does", setting, path, dir)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return usagef("%s %s cannot be written (%v): give a file in a folder this user can write, or leave it empty", setting, path, errors.Unwrap(err))
	}
	return f.Close()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// retentionSetting reads BULLETIN_DELIVERY_RETENTION. Empty is refused, as
// every other setting with a default refuses it: the variable set to
// nothing is more likely a slip than a wish for the default.
func retentionSetting(v string) (time.Duration, error) {
	const use = "use a number of days like 90d, a duration like 2160h, or forever; unset it for the default, 90d"
	if strings.TrimSpace(v) == "" {
		return 0, fmt.Errorf("BULLETIN_DELIVERY_RETENTION %q: %s", v, use)
	}
	d, err := campaigns.ParseRetention(v)
	if err != nil {
		return 0, fmt.Errorf("BULLETIN_DELIVERY_RETENTION %q: %w", v, err)
	}
	return d, nil
}

// checkAddr refuses a listen address that net.Listen would refuse for its
// form: no port, a port that is not a number from 0 to 65535, or a host
// that is neither an IP address nor a host name.
func checkAddr(addr string) error {
	bad := fmt.Errorf("BULLETIN_ADDR %q: use host:port, like 127.0.0.1:8080 (or 0.0.0.0:8080 for every interface)", addr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bad
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return bad
	}
	if host == "" || net.ParseIP(host) != nil {
		return nil
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") ||
			strings.ContainsFunc(label, func(r rune) bool {
				return !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}) {
			return bad
		}
	}
	return nil
}

// defaultBaseURL is the public URL when BULLETIN_BASE_URL is unset: the
// listen address, with localhost for a wildcard host (":8080", 0.0.0.0,
// [::]), which no browser or mail reader can follow. Every command derives
// it here, so links in mail built outside serve match serve's.
func defaultBaseURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// withoutUserinfo returns the URL raw with everything between its scheme
// and its last '@' written as "…", for an error to quote: the line goes to
// a terminal or a log, where a password must not. The last '@' of the
// whole value, not of its host part: a password may hold an unescaped
// '/', '?' or '#', which would end the host part early (as
// mailer.redactedError reads an SMTP URL).
func withoutUserinfo(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	if at < 0 {
		return raw
	}
	// With no scheme, as in "ed:pw@news.example.com", all before the '@'
	// may be the password.
	scheme, _, ok := strings.Cut(raw[:at], "://")
	if !ok {
		return "…@" + raw[at+1:]
	}
	return scheme + "://…@" + raw[at+1:]
}

// checkMetricsToken refuses a token short enough to guess or one that
// cannot be sent in an Authorization header.
func checkMetricsToken(token string) error {
	if token == "" {
		return nil
	}
	if len(token) < 16 || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return fmt.Errorf("BULLETIN_METRICS_TOKEN: use at least 16 random printable ASCII characters without spaces, like the output of: head -c 24 /dev/urandom | base64")
	}
	return nil
}

// trustedProxies reads BULLETIN_TRUSTED_PROXIES: addresses and CIDR
// ranges separated by commas. A proxy on the Docker host reaches a
// container from the bridge's gateway, not from loopback, and without
// this every client behind it would count as that one address. A range
// of every address is refused: any client could then name itself.
func trustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, entry := range strings.Split(v, ",") {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		p, why := proxyPrefix(entry)
		if why != "" {
			return nil, fmt.Errorf("BULLETIN_TRUSTED_PROXIES: %q %s; give your reverse proxy's addresses or CIDR ranges separated by commas, like 172.29.80.1 or 10.0.0.0/24", entry, why)
		}
		out = append(out, p)
	}
	return out, nil
}

// proxyPrefix parses one entry of BULLETIN_TRUSTED_PROXIES, an address or
// a CIDR range, as a range, and says what is wrong with it, or "".
func proxyPrefix(entry string) (netip.Prefix, string) {
	var p netip.Prefix
	if strings.Contains(entry, "/") {
		var err error
		if p, err = netip.ParsePrefix(entry); err != nil {
			return p, "is not a CIDR range"
		}
	} else {
		a, err := netip.ParseAddr(entry)
		if err != nil || a.Zone() != "" {
			return p, "is not an IP address"
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 { // clientIP compares unmapped addresses
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	if p.Bits() == 0 {
		return p, "takes in every address, so any client could choose its own"
	}
	return p.Masked(), ""
}

func intSetting(vals map[string]*string, key string, lo, hi int) (int, error) {
	v := *vals[key]
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s %q: use a whole number from %d to %d", key, v, lo, hi)
	}
	return n, nil
}

func boolSetting(vals map[string]*string, key string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(*vals[key])); v {
	case "", "0", "false", "off", "no":
		return false, nil
	case "1", "true", "on", "yes":
		return true, nil
	default:
		return false, fmt.Errorf("%s %q: use 1 (or true, on, yes) or 0 (or false, off, no)", key, v)
	}
}
