package main

import (
	"errors"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/guard"
	"github.com/portguard/portguard/infer"
	"github.com/portguard/portguard/internal/display"
)

// checkLine is what the shell hooks (portguard init SHELL --hook) call
// with each command line the user accepts, before the shell runs it. The
// exit status is the shell's answer: 0 runs the line as typed, anything
// else cancels it and leaves it to edit. A line that is not shell syntax,
// names no port or finds its ports free exits 0 at once and prints
// nothing, and so does a failure of portguard's own: a guard must never
// stand between the user and their shell.
//
// With --probe nothing is asked or printed: 75 says a port is held, so
// that zsh and fish can make room on the terminal before asking.
func (s *session) checkLine(c *cli.Context) (err error) {
	defer func() {
		// A guard must never stand between the user and their shell: a
		// failure of portguard's own lets the line run.
		if r := recover(); r != nil {
			notice("internal error while checking the line (%v); running it unchecked", r)
			err = nil
		}
		err = lineVerdict(err)
	}()
	if c.Args().Present() || !s.hasCommand || len(s.command) != 1 {
		return usageErr("check-line needs the whole line as one argument after --").withHint(
			`portguard check-line --shell bash -- "cd web && npm run dev"`)
	}
	opts, err := optionsOf(c)
	if err != nil {
		return err
	}
	line := infer.CommandLine{Text: s.command[0], Shell: c.String("shell"), Aliases: map[string]string{}}
	for _, a := range c.StringSlice("alias") {
		name, text, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return usageErr("--alias %q is not NAME=TEXT", a)
		}
		line.Aliases[name] = text
	}
	dir, _ := os.Getwd()
	read, done := inferWithin(line, dir, lineBudget)
	if !done {
		if !c.Bool("probe") {
			notice("reading the line took more than %s; running it unchecked", lineBudget)
		}
		return nil
	}
	return newGuard(opts).CheckLine(guard.Line{Name: nameLine(line.Text), Text: line.Text, Ports: read.Ports, Dir: dir, Probe: c.Bool("probe")})
}

// lineBudget is how long check-line may spend reading a line and the
// project files it leads to. Inference has limits of its own (infer's
// budget.go); this is the backstop that keeps the prompt responsive
// whatever a project's files do. A plain line takes a few milliseconds;
// on a 2-core machine busy compiling, one took over 100 ms, and the line
// ran unchecked into a held port, so the backstop leaves room for load.
const lineBudget = 250 * time.Millisecond

// inferWithin infers the line's ports, giving up after budget: done is
// false then, and the line runs unchecked. A line that is not shell
// syntax, or that panics the walk, infers nothing.
func inferWithin(line infer.CommandLine, dir string, budget time.Duration) (read infer.LineResult, done bool) {
	return infer.Within(infer.Budget{Time: budget, Heap: infer.WrapBudget.Heap}, func() infer.LineResult {
		read, _ := line.Read(os.Environ(), dir)
		return read
	})
}

// lineVerdict is the shell's answer: only a held port the user declined
// (75) or Ctrl-C (130) cancels the line. Any other failure, a holder that
// portguard will not touch among them (never), is said in one line and
// the line runs: the hook never cancels a line nobody declined.
func lineVerdict(err error) error {
	if err == nil {
		return nil
	}
	var f *failure
	var g *guard.Error
	switch {
	case errors.As(err, &f) && (f.code == exitHeld || f.code == exitInterrupted || f.code == exitUsage):
		return err
	case errors.As(err, &g) && (g.Kind == guard.Held || g.Kind == guard.Interrupted):
		return err
	}
	notice("%s; running the line unchecked", display.Safe(err.Error()))
	return nil
}

// nameLine names a line in the prompt: itself when short.
func nameLine(line string) string {
	const max = 40
	line = strings.Join(strings.Fields(line), " ")
	if len(line) > max || strings.ContainsAny(line, "\"\n") || display.Safe(line) != line {
		return "the line"
	}
	return `"` + line + `"`
}
