package main

import (
	"errors"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/infer"
	"github.com/portguard/portguard/settings"
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
func (s *session) checkLine(c *cli.Context) error {
	if c.Args().Present() || !s.hasCommand || len(s.command) != 1 {
		return usageErr("check-line needs the whole line as one argument after --").withHint(
			`portguard check-line --shell bash -- "cd web && npm run dev"`)
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
	inferred, err := line.Ports(os.Environ(), dir)
	if err != nil || len(inferred) == 0 {
		return nil
	}
	ports := make([]int, len(inferred))
	for i, p := range inferred {
		ports[i] = p.Port
	}
	if c.Bool("probe") {
		// Only whether to ask: the holders are found by the call that asks.
		for _, p := range ports {
			if used, err := inUse(c, p); err == nil && used {
				return &failure{code: exitHeld}
			}
		}
		return nil
	}
	held, err := holdersOf(c, ports)
	if err != nil {
		notice("%v; running the line unchecked", err)
		return nil
	}
	if len(held) == 0 {
		return nil
	}
	project, err := settings.Load(dir)
	if err != nil {
		notice("%v; running the line unchecked", err)
		return nil
	}
	_, err = settle(c, situation{held: held, then: "run " + nameLine(line.Text), canRunAnyway: true, project: project})
	var f *failure
	if errors.As(err, &f) && f.code == exitHeld && f.msg != "" {
		f.msg += "; the line was not run"
	}
	return err
}

// nameLine names a line in the prompt: itself when short.
func nameLine(line string) string {
	const max = 40
	line = strings.Join(strings.Fields(line), " ")
	if len(line) > max || strings.ContainsAny(line, "\"\n") {
		return "the line"
	}
	return `"` + line + `"`
}
