package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/guard"
	"github.com/portguard/portguard/internal/display"
	"github.com/portguard/portguard/shell"
)

// session carries what was split off before the CLI parser ran: the
// wrapped command after the first "--". Splitting first is what keeps
// urfave/cli from ever taking `-- free -h` for the free subcommand.
type session struct {
	command    []string
	hasCommand bool
}

const usageText = `portguard [options] -- COMMAND [ARG...]
portguard which [--json] [--udp] PORT...
portguard ls [--json] [--udp] [PORT...]
portguard ls -i [--force] [-t DUR]
portguard free [options] PORT...
portguard infer [--explain|--json] -- COMMAND [ARG...]
portguard init bash|zsh|fish [--hook [--never-listen CMD,…] | --commands npm,yarn,…]
portguard check-line [--shell S] [--alias NAME=TEXT]... [--probe] -- LINE
portguard completion bash|zsh|fish
portguard version`

func newApp(s *session) *cli.App {
	app := &cli.App{
		Name:                 "portguard",
		Usage:                "free the port a command needs, then run it",
		UsageText:            usageText,
		Version:              version,
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		// Values are split by portguard itself (-p 3000,3001); an --alias
		// text may hold commas of its own.
		DisableSliceFlagSeparator: true,
		Flags:                     append([]cli.Flag{portFlag(), udpFlag(), waitFlag(), nextFreeFlag()}, actionFlags()...),
		Action:                    s.guard,
		OnUsageError:              onUsageError,
		ExitErrHandler:            func(*cli.Context, error) {},
		Commands: []*cli.Command{
			{
				Name:         "which",
				Usage:        "say who holds these ports (exit 0 if any is held, 1 if all are free)",
				ArgsUsage:    "PORT...",
				Flags:        []cli.Flag{udpFlag(), &cli.BoolFlag{Name: "json", Usage: "print the holders as a JSON array (schema in the README)"}},
				Action:       s.which,
				BashComplete: completePorts,
				OnUsageError: onUsageError,
			},
			{
				Name:      "ls",
				Aliases:   []string{"list"},
				Usage:     "list every listening port on the machine, by project, with what each holder is to you",
				ArgsUsage: "[PORT...]",
				Flags: append([]cli.Flag{udpFlag(),
					&cli.BoolFlag{Name: "json", Usage: "print the same array as which --json, with role and project"},
					&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "pick ports to free from the list (a terminal is needed); the plan is shown and confirmed first"},
				}, actionFlags()...),
				Action:       s.ls,
				OnUsageError: onUsageError,
			},
			{
				Name:         "free",
				Usage:        "terminate the holders of these ports and run nothing",
				ArgsUsage:    "PORT...",
				Flags:        append([]cli.Flag{udpFlag()}, actionFlags()...),
				Action:       s.free,
				BashComplete: completePorts,
				OnUsageError: onUsageError,
			},
			{
				Name:      "infer",
				Usage:     "print the port(s) a command will listen on (exit 1 if none)",
				ArgsUsage: "-- COMMAND [ARG...]",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "explain", Usage: "say where each port came from"},
					&cli.BoolFlag{Name: "json", Usage: `print [{"port":3000,"source":"…"}]`},
				},
				Action:       s.infer,
				OnUsageError: onUsageError,
			},
			{
				Name:      "check-line",
				Usage:     "what the shell hooks run for each line: free its ports, asking first (exit 0: run the line)",
				ArgsUsage: "-- LINE",
				Flags: append([]cli.Flag{
					&cli.StringFlag{Name: "shell", Value: "bash", Usage: "the shell the line is for: bash, zsh or fish"},
					&cli.StringSliceFlag{Name: "alias", Usage: "an alias of the line's words, NAME=TEXT (repeatable)"},
					&cli.BoolFlag{Name: "probe", Usage: "ask and print nothing; exit 75 if a port is held"},
					udpFlag(),
				}, actionFlags()...),
				Action:       s.checkLine,
				OnUsageError: onUsageError,
			},
			{
				Name:      "init",
				Usage:     "print the shell integration for your rc file: eval \"$(portguard init bash)\"",
				ArgsUsage: "bash|zsh|fish",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "hook", Usage: "check every command line you type, before the shell runs it (instead of wrapping commands)"},
					&cli.StringFlag{Name: "commands", EnvVars: []string{"PORTGUARD_COMMANDS"}, Usage: "commands to wrap, comma-separated (default: " + strings.Join(shell.DefaultCommands, ",") + ")"},
					&cli.StringFlag{Name: "never-listen", EnvVars: []string{"PORTGUARD_NEVER_LISTEN"}, Usage: "with --hook: more commands that never listen, comma-separated (mytool,git sync; -name removes one); a line made only of them starts no portguard"},
				},
				Action:       s.init,
				BashComplete: completeShells,
				OnUsageError: onUsageError,
			},
			{
				Name:         "completion",
				Usage:        "print the completion script for portguard itself",
				ArgsUsage:    "bash|zsh|fish",
				Action:       s.completion,
				BashComplete: completeShells,
				OnUsageError: onUsageError,
			},
			{
				Name:  "version",
				Usage: "print portguard's version",
				Action: func(c *cli.Context) error {
					fmt.Fprintf(c.App.Writer, "portguard %s\n", version)
					return nil
				},
			},
		},
	}
	withFixedNames(app)
	return app
}

// completeShells completes `portguard init <Tab>` with the shells, not
// urfave/cli's default of the subcommand's own subcommands (help).
func completeShells(c *cli.Context) {
	for _, name := range shell.Names {
		fmt.Fprintln(c.App.Writer, name)
	}
}

// completePorts completes which and free with the ports that are listening
// now (TCP), what one wants after them; a word that starts with "-" gets
// the command's flags instead.
func completePorts(c *cli.Context) {
	// The shells pass the word being completed only when it starts with
	// "-": a partial flag gets the flags, and a whole one (free -y <Tab>)
	// was typed before, so the ports follow it.
	if args := c.Args().Slice(); len(args) > 0 && strings.HasPrefix(args[len(args)-1], "-") && !isFlagOf(c.Command, args[len(args)-1]) {
		cli.DefaultCompleteWithFlags(c.Command)(c)
		return
	}
	listeners, err := detect.Listeners(detect.TCP)
	if err != nil {
		return
	}
	// zsh's completion shows "port:what holds it" beside each port; it
	// asks with $0 ending in zsh, as urfave/cli reads it for subcommands.
	described := strings.HasSuffix(os.Getenv("0"), "zsh")
	seen := map[int]bool{}
	for _, h := range listeners {
		if seen[h.Port] {
			continue
		}
		seen[h.Port] = true
		if described && h.Visible() {
			fmt.Fprintf(c.App.Writer, "%d:%s (pid %d)\n", h.Port, strings.ReplaceAll(display.Safe(h.Name), ":", `\:`), h.PID)
		} else {
			fmt.Fprintln(c.App.Writer, h.Port)
		}
	}
}

// isFlagOf reports whether word is one of cmd's flags, written whole.
func isFlagOf(cmd *cli.Command, word string) bool {
	for _, f := range cmd.Flags {
		for _, name := range f.Names() {
			if word == "-"+name || word == "--"+name {
				return true
			}
		}
	}
	return false
}

func portFlag() cli.Flag {
	return &cli.StringSliceFlag{
		Name:    "port",
		Aliases: []string{"p"},
		Usage:   "port to guard, repeatable (-p 3000 -p 9229, -p 3000-3002); when given, nothing is inferred",
	}
}

func udpFlag() cli.Flag {
	return &cli.BoolFlag{Name: "udp", Usage: "the ports are UDP: held by any socket bound to them"}
}

// actionFlags are the flags of everything that may terminate a holder:
// the wrapper itself and `free`.
func actionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "terminate holders without asking (also PORTGUARD_YES=1)"},
		&cli.DurationFlag{Name: "timeout", Aliases: []string{"t"}, Value: 5 * time.Second, Usage: "grace between SIGTERM and SIGKILL"},
		&cli.BoolFlag{Name: "force", Usage: "also terminate system services and, under sudo, other users' processes"},
		&cli.BoolFlag{Name: "dry-run", Usage: "say who holds what and what would be done; terminate and run nothing"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing when the port is free"},
	}
}

// waitFlag is the wrapper's alone: free and check-line act at once.
func nextFreeFlag() cli.Flag {
	return &cli.BoolFlag{Name: "next-free", Usage: "leave the holder alone and run the command on the next free port (PORT=3001, --port 3001)"}
}

func waitFlag() cli.Flag {
	return &cli.StringFlag{Name: "wait", Usage: "wait for the holder to free the port, then run; --wait=`DUR` gives up after DUR (exit 75), or with --yes terminates it then"}
}

// optionsOf parses the flags that shape a run once, into typed options:
// nothing below the CLI sees *cli.Context.
func optionsOf(c *cli.Context) (guard.Options, error) {
	opts := guard.Options{
		Protocol: detect.TCP,
		Yes:      flagOn(c, "yes") || envYes(),
		Force:    flagOn(c, "force"),
		DryRun:   flagOn(c, "dry-run"),
		Quiet:    flagOn(c, "quiet"),
		NextFree: flagOn(c, "next-free"),
		Grace:    grace(c),
	}
	if flagOn(c, "udp") {
		opts.Protocol = detect.UDP
	}
	if opts.Grace < 0 {
		return opts, usageErr("--timeout %s is negative; give the grace before SIGKILL, such as 5s or 500ms", opts.Grace)
	}
	return opts, nil
}

// envYes reads PORTGUARD_YES with the spellings people use for a boolean.
// Anything else is a warning, never an error: an error would stop every
// call, and in the shell hook that would cancel every line, the one that
// unsets the variable included.
func envYes() bool {
	v, set := os.LookupEnv("PORTGUARD_YES")
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "y", "on":
		return true
	case "", "0", "false", "no", "n", "off":
		return false
	}
	if set {
		notice("%s PORTGUARD_YES=%q is not yes or no (1/0, true/false, yes/no, on/off); taking it as no", paint("warning:", yellow), display.Safe(v))
	}
	return false
}

// newGuard is the pipeline with portguard's own stderr and terminal: the
// user can be asked only when stdin and stderr are both a terminal.
func newGuard(opts guard.Options) *guard.Guard {
	g := &guard.Guard{Options: opts, Err: os.Stderr, Color: colorOn()}
	if isatty.IsTerminal(os.Stdin.Fd()) && isatty.IsTerminal(os.Stderr.Fd()) {
		g.In, g.Out = os.Stdin, os.Stderr
	}
	return g
}

// waitForever is what a bare --wait means: no time limit.
const waitForever = "forever"

// optionalWait lets --wait stand alone, as urfave/cli flags with a value
// cannot: a bare --wait (not followed by a duration) becomes
// --wait=forever before the parser sees it.
func optionalWait(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		out = append(out, a)
		if a != "--wait" {
			continue
		}
		if i+1 < len(args) {
			if _, err := time.ParseDuration(args[i+1]); err == nil {
				continue
			}
		}
		out[len(out)-1] = "--wait=" + waitForever
	}
	return out
}

// waitLimit reads --wait: ok is false when it was not given; limit 0
// means no limit.
func waitLimit(c *cli.Context) (limit time.Duration, ok bool, err error) {
	v := c.String("wait")
	switch v {
	case "":
		return 0, false, nil
	case waitForever:
		return 0, true, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, false, usageErr("--wait %q is not a duration such as 30s or 5m", v)
	}
	return d, true, nil
}

// onUsageError rewrites the flag package's messages into portguard's: the
// flag as the user typed it, what a value should look like, and the flag
// they probably meant.
func onUsageError(c *cli.Context, err error, _ bool) error {
	msg := err.Error()
	if m := badValue().FindStringSubmatch(msg); m != nil {
		f := usageErr("--%s %q is not valid", m[2], m[1])
		if m[2] == "timeout" || m[2] == "t" {
			f = usageErr("--timeout %q is not a duration", m[1]).withHint("give it a unit: --timeout 5s, --timeout 500ms")
		}
		return f
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		dash := "--"
		if len([]rune(name)) == 1 {
			dash = "-" // as typed: -Y, not --Y
		}
		f := usageErr("unknown flag %s%s", dash, display.Safe(name))
		if near := nearestFlag(c, name); near != "" {
			f = f.withHint("did you mean --" + near + "?")
		}
		return f
	}
	return usageErr("%v", err)
}

// badValue is compiled on first use: only a usage error needs it.
var badValue = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^invalid value "(.*)" for flag -([\w-]+):`)
})

// nearestFlag is the flag of c's command closest to name, within two
// edits, or "".
func nearestFlag(c *cli.Context, name string) string {
	var flags []cli.Flag
	if c.Command != nil && c.Command.Name != "" {
		flags = c.Command.Flags
	} else {
		flags = c.App.Flags
	}
	best, bestDist := "", 3
	for _, f := range flags {
		for _, n := range f.Names() {
			if d := editDistance(name, n); d < bestDist && len(n) > 1 {
				best, bestDist = n, d
			}
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (adjacent swaps count
// once: "yse" is one edit from "yes").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// flagOn reports whether a boolean flag is on at any level, so that
// `portguard -y free 3000` and `portguard free -y 3000` mean the same.
func flagOn(c *cli.Context, name string) bool {
	for _, cc := range c.Lineage() {
		if cc.Command != nil && cc.Bool(name) {
			return true
		}
	}
	return false
}

// grace is the --timeout given at the nearest level, or its default.
func grace(c *cli.Context) time.Duration {
	for _, cc := range c.Lineage() {
		if cc.IsSet("timeout") {
			return cc.Duration("timeout")
		}
	}
	return c.Duration("timeout")
}

// maxRange bounds -p 3000-3100 style ranges, so a typo such as 1-65535
// cannot make portguard act on every port of the machine.
const maxRange = 100

// parsePorts reads port arguments: numbers, comma lists and ranges.
func parsePorts(values []string) ([]int, error) {
	var ports []int
	seen := map[int]bool{}
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			lo, hi, isRange := strings.Cut(strings.TrimSpace(item), "-")
			first, err := parsePort(lo, item)
			if err != nil {
				return nil, err
			}
			last := first
			if isRange {
				if last, err = parsePort(hi, item); err != nil {
					return nil, err
				}
				if last < first || last-first >= maxRange {
					return nil, usageErr("port range %q must go upwards and span at most %d ports", item, maxRange)
				}
			}
			for p := first; p <= last; p++ {
				if !seen[p] {
					seen[p] = true
					ports = append(ports, p)
				}
			}
		}
	}
	return ports, nil
}

// parsePort reads one port of item (a port or a range): digits only, so
// that "+3000" and "-3000" are mistakes, and the error names what the
// user typed.
func parsePort(s, item string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 || strings.TrimLeft(s, "0123456789") != "" {
		if s != item {
			return 0, usageErr("port %q is not a number from 1 to 65535, nor a range such as 3000-3002", item)
		}
		return 0, usageErr("port %q is not a number from 1 to 65535", s)
	}
	return n, nil
}

// interspersed lets a subcommand's flags follow its arguments, as users
// type them (`portguard init zsh --commands npm`, `portguard free 3000 -y`):
// urfave/cli stops reading flags at the first argument, so the flags are
// moved in front of the arguments before it parses.
func interspersed(app *cli.App, args []string) []string {
	// The completion protocol reads its flag as the last argument.
	if len(args) == 0 || args[len(args)-1] == "--generate-bash-completion" {
		return args
	}
	cmd := app.Command(args[0])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		doc, ok := f.(cli.DocGenerationFlag)
		for _, name := range f.Names() {
			takesValue[name] = ok && doc.TakesValue()
		}
	}
	var flags, rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append([]string{args[0]}, flags...), rest...)
}
