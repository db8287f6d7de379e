// Command bulletin runs Bulletin, a self-hosted newsletter system: the HTTP
// server with its queue worker and scheduler, send workers, and the
// commands that manage its data. main only wires; the work is in packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/deliverability"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	os.Exit(m.Main(ctx, os.Args[1:]))
}

// A usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// badInput makes err a usage error (exit status 2) when what the user
// gave is wrong: a value the command refuses (a password too short, an
// address that is none) or a name that names nothing. Anything else, the
// database's or the network's, stays an operational error (exit 1).
func badInput(err error) error {
	switch bulletin.ErrorCode(err) {
	case bulletin.EINVALID, bulletin.ENOTFOUND:
		return usageError{bulletin.ErrorMessage(err)}
	}
	return err
}

// Main is the program: its settings, its streams and what it opened.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; nil means the process environment.
	Getenv func(string) string
	Config Config
	Log    *slog.Logger
	// Listening, when set, receives the HTTP address once serve listens.
	Listening chan<- string
	// Resolver answers the DNS questions of doctor and
	// /admin/deliverability; nil means net.DefaultResolver.
	Resolver deliverability.Resolver

	// flagSaid is the mistake in a command's flags that ParseFlags wrote
	// out with the command's usage already, not to be said twice.
	flagSaid string
	// files are the DKIM keys and templates checkFiles read, for openAll.
	files *startFiles
	// unusedRefused counts the settings serve would refuse that ParseFlags
	// let the command run with, since it does not use them (see
	// settingsUsed), and said as warnings.
	unusedRefused int
	// migrating is set by the migrate command, which prints the
	// migrations it applied: openDB logs them for the other commands.
	migrating bool
	// command is the name ParseFlags was given: openDB makes a new
	// database only for the commands that start an install (newDatabase).
	command string
	// newInFolder lets openDB make a new database in a data folder that
	// exists (admin create, token create); see newDatabase.
	newInFolder bool

	app *app // what serve and the data commands opened
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// commands maps each command to its runner; "serve" is also the default.
var commands = map[string]func(m *Main, ctx context.Context, args []string) error{
	"serve":   (*Main).serve,
	"worker":  (*Main).worker,
	"migrate": (*Main).migrate,
	"seed":    (*Main).seed,
	"import":  (*Main).importCSV,
	"export":  (*Main).exportCSV,
	"admin":   (*Main).admin,
	"token":   (*Main).token,
	"digest":  (*Main).digest,
	"backup":  (*Main).backup,
	"restore": (*Main).restore,
	"version": (*Main).printVersion,
	"dkim":    (*Main).dkimCmd,
	"doctor":  (*Main).doctor,
	"secret":  (*Main).secretCmd,
}

// settingsUsed lists the settings of the commands known to use only some
// of them, keyed by the name each gives ParseFlags (a group's, such as
// "admin", for all its subcommands); every other command refuses any
// malformed setting, as serve does. A malformed setting that a listed
// command does not use is said as a warning, and the command runs: a
// typo in, say, BULLETIN_SMTP_URL must not stop an operator mending an
// install or managing its data.
//
// backup, restore and migrate read and write the data folder. restore
// uses BULLETIN_SECRET too: it warns when the restored folder has no
// secret file and none is set, and a malformed secret, taken for one set,
// would silence that warning. admin opens the database alone (openDB,
// whose publication settings it never reads) and keys nothing with the
// secret: passwords are bcrypt's hashes, sessions plain ones. token does
// the same with API tokens (random, stored as plain hashes), and export
// reads the readers' rows and writes them out. seed and
// secret rotate use the secret as well: seed keys the hashes of erased
// addresses with it (openSecret), and rotate records it. dkim keygen
// writes into BULLETIN_DKIM_DIR (by default DATA/dkim) a key for the
// domain of the From saved in the settings, else of BULLETIN_FROM; it
// reads neither selector setting, since its selector is a flag. doctor
// uses the settings it compares with the DNS (BULLETIN_ADDR makes the
// default public URL, whose host the bounce checks use), and counts any
// other that is malformed as a problem found. The commands that build or
// send mail (serve, worker, import, digest) open everything (openAll)
// and use every setting, but for the admin's, which serve alone applies
// (ensureEnvAdmin).
var settingsUsed = map[string][]string{
	"backup":  {"BULLETIN_DATA"},
	"restore": {"BULLETIN_DATA", "BULLETIN_SECRET"},
	"migrate": {"BULLETIN_DATA"},
	"admin":   {"BULLETIN_DATA"},
	"token":   {"BULLETIN_DATA"},
	"export":  {"BULLETIN_DATA"},
	"seed":    {"BULLETIN_DATA", "BULLETIN_SECRET"},
	"secret":  {"BULLETIN_DATA", "BULLETIN_SECRET"},
	"dkim":    {"BULLETIN_DATA", "BULLETIN_FROM", "BULLETIN_DKIM_DIR"},
	"doctor": {"BULLETIN_DATA", "BULLETIN_FROM", "BULLETIN_SMTP_URL", "BULLETIN_BASE_URL", "BULLETIN_ADDR",
		"BULLETIN_DKIM_SELECTOR", "BULLETIN_DKIM_ED25519_SELECTOR", "BULLETIN_DKIM_DIR", "BULLETIN_BOUNCE_DOMAIN"},
}

// settingsShown lists, for the commands that read only some settings but
// refuse any malformed one as serve does (worker, digest run, import), the ones
// their -h lists. A worker and digest run usually share serve's
// environment, where a malformed setting is a mistake serve will stop on
// too, so they refuse it; but their -h listed every setting, the HTTP
// address of serve's pages and the signup limits among them, for digest,
// and the webhooks' secrets and the templates for a worker, which renders
// no mail.
//
// A worker listens on BULLETIN_ADDR for /healthz, /readyz and /metrics
// (behind BULLETIN_METRICS_TOKEN), takes batches from BULLETIN_REDIS_URL,
// sends them over BULLETIN_SMTP_URL (its connections, rate, and an EHLO of
// BULLETIN_FROM's domain until a batch names its From), signing with the
// keys of the DKIM settings (BULLETIN_DKIM_DIR, by default in
// BULLETIN_DATA). digest run opens what serve does to build and send
// mail (openAll): the database and its secret, the templates, the DKIM
// keys, the transport, the queue and the VERP of BULLETIN_BOUNCE_DOMAIN
// (not the admin of BULLETIN_ADMIN_EMAIL, which serve alone makes); its
// links take BULLETIN_BASE_URL,
// by default made from BULLETIN_ADDR, when no public URL is saved.
var settingsShown = map[string][]string{
	"worker": {"BULLETIN_ADDR", "BULLETIN_DATA", "BULLETIN_REDIS_URL", "BULLETIN_SMTP_URL", "BULLETIN_SMTP_CONNS", "BULLETIN_SMTP_RATE",
		"BULLETIN_FROM", "BULLETIN_METRICS_TOKEN", "BULLETIN_DKIM_SELECTOR", "BULLETIN_DKIM_ED25519_SELECTOR", "BULLETIN_DKIM_DIR"},
	"digest": mailCommandSettings,
	"import": mailCommandSettings,
}

// mailCommandSettings are what digest run and import read: they open what
// serve does to build and send mail (openAll), the confirmations of the
// readers an import leaves pending as a digest's mail.
var mailCommandSettings = []string{"BULLETIN_ADDR", "BULLETIN_DATA", "BULLETIN_BASE_URL", "BULLETIN_REDIS_URL", "BULLETIN_SMTP_URL",
	"BULLETIN_SMTP_CONNS", "BULLETIN_SMTP_RATE", "BULLETIN_FROM", "BULLETIN_SECRET", "BULLETIN_TEMPLATES",
	"BULLETIN_DKIM_SELECTOR", "BULLETIN_DKIM_ED25519_SELECTOR", "BULLETIN_DKIM_DIR", "BULLETIN_BOUNCE_DOMAIN"}

// usageAs words, for a command of settingsShown, the settings whose
// serve wording would mislead its reader: a worker opens no database and
// no outbox, and runs with neither an embedded Redis nor the outbox
// (it refuses to start without BULLETIN_REDIS_URL and BULLETIN_SMTP_URL).
var usageAs = map[string]map[string]string{
	"worker": {
		"BULLETIN_DATA":      "folder whose dkim/ holds the DKIM keys when BULLETIN_DKIM_DIR is not set; a worker opens no database",
		"BULLETIN_REDIS_URL": "redis://[:pass@]host:port/db of the Redis that \"serve --no-send\" uses; required",
		"BULLETIN_SMTP_URL":  "smtp://[user:pass@]host:port?tls=auto|none|starttls|tls&chunking=off (smtps:// for tls) of the mail server; required",
	},
}

const usage = `Usage: bulletin COMMAND [flags]

Commands:
  serve [--no-send]                       HTTP server, queue worker and scheduler
  worker                                  a send worker only (needs Redis and SMTP)
  migrate                                 bring the database schema up to date
  seed [DIR]                              load the sample lists, articles and subscribers
  import FILE.csv [--list SLUG] [--confirmed | --reconfirm] [--overwrite-names]  import subscribers
  export [--list SLUG]                    write subscribers as CSV to stdout
  admin create EMAIL                      create an admin, or reset its password and end its sessions; password typed at a prompt, or read from stdin
  admin list                              list the admins
  admin delete EMAIL                      delete an admin and end its sessions
  token create NAME                       print a new API token
  token list                              list the API tokens (never their secrets)
  token revoke NAME                       revoke the API tokens of that name
  digest run --list SLUG                  build and send a list's digest now
  backup FILE                             write a consistent copy of the database, also while serve runs
  restore FILE                            put a backup in place of the database (serve stopped)
  dkim keygen --selector NAME [--type rsa|ed25519] [--domain D]  make a DKIM key and print its DNS record
  secret rotate                           sign links with the secret now set (BULLETIN_SECRET or DATA/secret) from the next start; links in mail already sent stop working
  doctor                                  check SPF, DKIM, DMARC and the bounce MX of the From domain in the DNS
  version                                 print the version

Every setting is an environment variable and a flag: run "bulletin serve -h".
`

// Main runs the command in args and returns the exit status: 0 on success,
// 1 on an operational error, 2 on bad usage, with a one-line message.
func (m *Main) Main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		// No command is a mistake: the usage goes with it to stderr.
		fmt.Fprint(m.Stderr, usage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		// Help asked for goes to stdout, for a pager or grep; "help
		// COMMAND" is "COMMAND -h".
		if args[0] != "help" || len(args) == 1 {
			fmt.Fprint(m.Stdout, usage)
			return 0
		}
		if _, ok := commands[args[1]]; ok {
			return m.Main(ctx, append(args[1:], "-h"))
		}
		args = args[1:] // an unknown command, said so below
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	run, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(m.Stderr, "bulletin: unknown command %q; run \"bulletin help\" for the list\n", args[0])
		return 2
	}
	// A refusal names each setting as it was given, flag or variable, in
	// every command (serve's Run says it so too, for its tests).
	err := m.Config.asGiven(run(m, ctx, args[1:]))
	if m.app != nil {
		if cerr := m.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errInterrupted): // said already
		return 130
	case errors.As(err, &ue):
		if ue.msg != m.flagSaid {
			fmt.Fprintf(m.Stderr, "bulletin %s: %s\n", args[0], plainMessage(args[0], ue))
		}
		return 2
	default:
		fmt.Fprintf(m.Stderr, "bulletin %s: %s\n", args[0], plainMessage(args[0], err))
		return 1
	}
}

// plainMessage returns err as one sentence for the operator: the message
// of a wrapped *bulletin.Error in place of its "code=… message=…" form, and
// without a repeat of the command's name in front.
func plainMessage(cmd string, err error) string {
	msg := err.Error()
	var e *bulletin.Error
	if errors.As(err, &e) {
		msg = strings.Replace(msg, e.Error(), e.Message, 1)
	}
	return strings.TrimPrefix(oneLine(msg), cmd+": ")
}

// ParseFlags reads the settings from the environment and flags of one
// command, returning the remaining arguments. extra may add flags of the
// command's own.
func (m *Main) ParseFlags(name string, args []string, extra func(fs *flag.FlagSet)) ([]string, error) {
	m.command = name
	fs := flag.NewFlagSet("bulletin "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	own := flag.NewFlagSet("", flag.ContinueOnError)
	if extra != nil {
		extra(own)
	}
	// The usage is written once Parse says why: -h asked for it (stdout,
	// exit 0) or a flag was wrong (stderr, after the flag's error, exit 2).
	fs.Usage = func() {}
	vals := registerFlags(fs, m.Getenv)
	own.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	flags, rest := splitArgs(fs, args)
	if err := fs.Parse(append(flags, rest...)); err != nil {
		sub := ""
		if len(rest) > 0 {
			sub = rest[0]
		}
		if errors.Is(err, flag.ErrHelp) {
			if shown, ok := settingsShown[name]; ok {
				printUsageShown(m.Stdout, name, sub, own, fs, shown)
			} else {
				printUsage(m.Stdout, name, sub, own, fs, settingsUsed[name])
			}
			return nil, err
		}
		// The flag package has said what is wrong: the command's usage
		// and own flags follow, not the settings every command shares,
		// which would push that line out of sight.
		printShortUsage(m.Stderr, name, sub, own)
		m.flagSaid = err.Error()
		return nil, usageError{err.Error()}
	}
	cfg, warnings, err := configFrom(vals, settingsUsed[name])
	if err != nil {
		return nil, usageError{err.Error()}
	}
	m.Config = cfg
	m.unusedRefused = len(warnings)
	for _, w := range warnings {
		fmt.Fprintf(m.Stderr, "bulletin %s: warning: %s; %s does not use this setting and goes on, "+
			"but bulletin serve and the other commands that use it refuse to run until it is fixed\n", name, strings.TrimSuffix(oneLine(w), "."), name)
	}
	if m.Getenv == nil { // the process's own environment, which can be listed
		for _, w := range unknownSettings(os.Environ()) {
			fmt.Fprintf(m.Stderr, "bulletin %s: warning: %s\n", name, w)
		}
	}
	if m.Log == nil {
		m.Log = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	routeRedisLog(m.Log)
	return fs.Args(), nil
}

// printUsage writes a command's -h: how it is called, its own flags, then
// the settings it uses (used, from settingsUsed; nil for all of them),
// once, under their heading. sub is the command's first argument, which
// names a group's subcommand.
func printUsage(w io.Writer, name, sub string, own, all *flag.FlagSet, used []string) {
	writeUses(w, name, sub)
	printOwnFlags(w, own)
	heading := "Settings"
	if used != nil {
		// The other settings are not this command's: listing them, as
		// backup -h did, sent the reader looking for a reason to set them.
		heading = "Settings it uses"
	}
	fmt.Fprintf(w, "\n%s, as flags or as the environment variables in brackets:\n", heading)
	printSettings(w, own, all, used, nil)
}

// printUsageShown writes the -h of a command of settingsShown: as
// printUsage's, with the settings it reads (shown) alone, and a line that
// says it refuses a malformed setting all the same, listed or not.
func printUsageShown(w io.Writer, name, sub string, own, all *flag.FlagSet, shown []string) {
	writeUses(w, name, sub)
	printOwnFlags(w, own)
	fmt.Fprintf(w, "\nIt reads only the settings below, and refuses any setting that is malformed, as serve does.\n")
	fmt.Fprintf(w, "Settings, as flags or as the environment variables in brackets:\n")
	printSettings(w, own, all, shown, usageAs[name])
}

// printSettings writes the settings of all named in used (nil for every
// one), without the command's own flags, each in the words of as when it
// has some there (the flag's own usage ends with its variable).
func printSettings(w io.Writer, own, all *flag.FlagSet, used []string, as map[string]string) {
	shared := flag.NewFlagSet("", flag.ContinueOnError)
	shared.SetOutput(w)
	all.VisitAll(func(f *flag.Flag) {
		env := envOfFlag(f.Name)
		if own.Lookup(f.Name) == nil && (used == nil || slices.Contains(used, env)) {
			text := f.Usage
			if words, ok := as[env]; ok {
				text = words + " (" + env + ")"
			}
			shared.Var(f.Value, f.Name, text)
			shared.Lookup(f.Name).DefValue = f.DefValue
		}
	})
	shared.PrintDefaults()
}

// envOfFlag is the environment variable of the setting whose flag is
// name, or "" for a flag that is no setting.
func envOfFlag(name string) string {
	for _, s := range settings {
		if s.flag == name {
			return s.env
		}
	}
	return ""
}

// printShortUsage writes what follows a mistake in a command's flags: how
// the command is called, its own flags, and where the settings are.
func printShortUsage(w io.Writer, name, sub string, own *flag.FlagSet) {
	writeUses(w, name, sub)
	printOwnFlags(w, own)
	fmt.Fprintf(w, "Run \"bulletin %s -h\" for the settings too.\n", strings.TrimSpace(name+" "+subcommandOf(name, sub)))
}

func printOwnFlags(w io.Writer, own *flag.FlagSet) {
	if hasFlags(own) {
		fmt.Fprintf(w, "\nFlags:\n")
		own.SetOutput(w)
		own.PrintDefaults()
	}
}

// writeUses writes how the command is called and what it does: for a
// group (admin, token) the line of the subcommand sub names, or, when it
// names none, every line of the group.
func writeUses(w io.Writer, name, sub string) {
	uses := commandUsage(name, sub)
	if len(uses) == 1 {
		fmt.Fprintf(w, "Usage: bulletin %s\n  %s\n", uses[0].cmd, uses[0].what)
		return
	}
	fmt.Fprintf(w, "Usage:\n")
	for _, u := range uses {
		fmt.Fprintf(w, "  bulletin %s\n      %s\n", u.cmd, u.what)
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// A use is a line of the usage text: how a command is called and what it
// does.
type use struct{ cmd, what string }

// commandUsage returns the lines of the usage text of command name: the
// one of its subcommand sub when it has such a line, else all of them.
func commandUsage(name, sub string) []use {
	var all, own []use
	for _, line := range strings.Split(usage, "\n") {
		rest, ok := strings.CutPrefix(line, "  "+name)
		if !ok || rest != "" && rest[0] != ' ' {
			continue
		}
		u := use{cmd: strings.TrimSpace(line)}
		if i := strings.Index(u.cmd, "  "); i > 0 {
			u.cmd, u.what = u.cmd[:i], strings.TrimSpace(u.cmd[i:])
		}
		all = append(all, u)
		if sub != "" && strings.HasPrefix(rest+" ", " "+sub+" ") {
			own = append(own, u)
		}
	}
	switch {
	case len(own) > 0:
		return own
	case len(all) > 0:
		return all
	}
	return []use{{cmd: name + " [flags]"}}
}

// subcommandOf returns sub when it names one of command name's
// subcommands in the usage text, "" otherwise.
func subcommandOf(name, sub string) string {
	if sub == "" || strings.HasPrefix(sub, "-") {
		return ""
	}
	if uses := commandUsage(name, sub); len(uses) == 1 && strings.HasPrefix(uses[0].cmd+" ", name+" "+sub+" ") {
		return sub
	}
	return ""
}

// interleave moves flags after positional arguments to the front, so that
// "import FILE.csv --list news" parses as the README shows it.
func interleave(fs *flag.FlagSet, args []string) []string {
	flags, rest := splitArgs(fs, args)
	return append(flags, rest...)
}

// splitArgs splits args into the flags, with their values, and the
// positional arguments, wherever each stands.
func splitArgs(fs *flag.FlagSet, args []string) (flags, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return flags, rest
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (m *Main) printVersion(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprintln(m.Stdout, "usage: bulletin version\n\nPrints the version of this bulletin binary.")
			return nil
		}
		return usagef("version takes no arguments or flags (got %q): run bulletin version", args[0])
	}
	v := version
	if v == "" {
		v = "dev"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	fmt.Fprintln(m.Stdout, "bulletin", v)
	return nil
}
