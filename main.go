// portguard lives for milliseconds and sizes its parallel work (the /proc
// scan) by the CPUs it may run on, so it has no use for the runtime's
// container-aware GOMAXPROCS and the goroutine that rereads the cgroup's
// limit: here that goroutine cost 18 system calls and 22 page faults of a
// 4 ms run. bench/reference, the floor the free path is measured against,
// makes the same choice.
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0

// portguard frees the port a command needs, then runs the command.
//
//	portguard -- npm start
//	portguard -y -- rails s -p 4000
//	portguard -p 5173 -- vite
//
// main only wires the packages together: wrap (argv and exec), infer
// (which ports), detect (who holds them), prompt (ask the user) and
// terminate (stop the holders).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/guard"
	// For its side effect: the heap starts on a huge page where the
	// kernel has one at hand, which spares a run most of its page faults
	// (internal/hugeheap says how much).
	_ "github.com/portguard/portguard/internal/hugeheap"
	"github.com/portguard/portguard/wrap"
)

// version is stamped at build time: -ldflags "-X main.version=…".
var version = "dev"

// Exit codes. 75 and 77 are sysexits(3)'s EX_TEMPFAIL ("try again once
// the port is free") and EX_NOPERM; 126, 127 and 130 are what a shell
// returns for the same failures, so wrapped and unwrapped commands read
// the same to scripts.
const (
	exitOK            = 0
	exitFailure       = 1
	exitUsage         = 2
	exitHeld          = 75
	exitNoPermission  = 77
	exitNotExecutable = 126
	exitNotFound      = 127
	exitInterrupted   = 130
)

// exitCodes are what the pipeline's failures exit with.
var exitCodes = map[guard.Kind]int{
	guard.Failed:       exitFailure,
	guard.Usage:        exitUsage,
	guard.Held:         exitHeld,
	guard.NoPermission: exitNoPermission,
	guard.Interrupted:  exitInterrupted,
	guard.Refused:      exitHeld,
}

// failure is an error that ends portguard with a given exit code. An empty
// msg exits without a message (the code says it all, or a message was
// already printed).
type failure struct {
	code  int
	msg   string
	hints []string
}

func (f *failure) Error() string { return f.msg }

func usageErr(format string, a ...any) *failure {
	return &failure{code: exitUsage, msg: fmt.Sprintf(format, a...), hints: []string{"run 'portguard --help' for usage"}}
}

func main() {
	enableVT()
	// -v and --version print what `portguard version` prints.
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintf(c.App.Writer, "portguard %s\n", c.App.Version) }
	own, command, hasCommand := wrap.Split(os.Args[1:])
	app := newApp(&session{command: command, hasCommand: hasCommand})
	err := app.Run(append([]string{"portguard"}, interspersed(app, optionalWait(own))...))
	os.Exit(report(os.Stderr, err))
}

// report prints err the way age does — "portguard: error: …" and
// "portguard: hint: …", one line each — and returns the exit code.
func report(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var f *failure
	var g *guard.Error
	switch {
	case errors.As(err, &f):
	case errors.As(err, &g):
		f = &failure{code: exitCodes[g.Kind], msg: g.Msg, hints: g.Hints}
	default:
		f = &failure{code: exitFailure, msg: err.Error()}
	}
	if f.msg != "" {
		fmt.Fprintf(w, "portguard: %s %s\n", paint("error:", red), f.msg)
	}
	for _, h := range f.hints {
		fmt.Fprintf(w, "portguard: %s %s\n", paint("hint:", yellow), h)
	}
	return f.code
}

// notice prints an informational line to stderr.
func notice(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "portguard: "+format+"\n", a...)
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
)

// colorOn: colour when stderr is a terminal and NO_COLOR is not set
// (no-color.org).
func colorOn() bool {
	return os.Getenv("NO_COLOR") == "" && isatty.IsTerminal(os.Stderr.Fd())
}

// paint colours s when colorOn.
func paint(s, color string) string {
	if !colorOn() {
		return s
	}
	return color + s + "\x1b[0m"
}
