package guard

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/infer"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/wrap"
)

// Run is what `portguard -- COMMAND` asks for: the command, where it runs,
// and what the flags said about its ports.
type Run struct {
	// Words are the words after --, KEY=VALUE prefixes included.
	Words []string
	// Environ is portguard's environment, which the command inherits.
	Environ []string
	// Dir is the directory the command runs in.
	Dir string
	// Path is the command's resolved executable: resolved before anything
	// else, so that a command that cannot run costs nobody a server.
	Path string
	// Ports were named with -p; inference and the project's ports are
	// then not used to choose them.
	Ports []int
	// Wait waits for the holders to finish (--wait); WaitLimit 0 waits
	// for ever.
	Wait      bool
	WaitLimit time.Duration
}

// Launch is the command to become once its ports are free.
type Launch struct {
	Path      string
	Argv, Env []string
	// Claim marks the ports as this command's for other portguards until
	// it listens; nil when the command runs unchecked.
	Claim *wrap.Claim
}

// Wrap runs the whole pipeline for one wrapped command: the project's
// settings, inference within its budget, the claim on the ports, who
// holds them, waiting, the plan, the question and the signals. It returns
// the command to exec, or nil when nothing is to run (--dry-run).
func (g *Guard) Wrap(run Run) (*Launch, error) {
	env, argv := wrap.Assignments(run.Words, run.Environ)
	launch := &Launch{Path: run.Path, Argv: argv, Env: env}
	ports, named := run.Ports, len(run.Ports) > 0
	var project settings.Settings
	var inferred []infer.Port
	if !named {
		var err error
		if project, err = LoadSettings(run.Dir); err != nil {
			return nil, err
		}
		var done bool
		inferred, done = infer.Within(infer.WrapBudget, func() []infer.Port { return infer.Ports(run.Words, run.Environ, run.Dir) })
		if !done {
			// A project built to exhaust inference costs the user no
			// more than this: the command runs, unchecked.
			g.Notice("reading the project took more than %s or %d MiB; running %s unchecked",
				infer.WrapBudget.Time, infer.WrapBudget.Heap>>20, sanitize(argv[0]))
			if g.DryRun {
				return nil, nil
			}
			return launch, nil
		}
		ports = g.actionable(inferred, true)
		// The project's own list of ports replaces inference, but only
		// for a command that serves: one inference finds a port for. A
		// cloned repository's settings must not make npm --version or
		// npm run build terminate anything.
		if len(project.Ports) > 0 && serves(inferred) {
			ports, named = project.Ports, true
		}
	}
	if len(ports) == 0 && !g.Quiet {
		g.Notice("no port inferred for %q; running it unchecked (name one with -p)", sanitize(strings.Join(argv, " ")))
	}
	// Claim the ports before looking at them, so that a portguard started
	// at the same moment (make -j) sees this one's command as its own and
	// leaves it alone.
	claim, err := wrap.ClaimPorts(ports, strings.Join(argv, " "), func(p int) bool { used, _ := g.InUse(p); return used })
	var claimed *wrap.ClaimedError
	var unusable *wrap.UnusableError
	switch {
	case errors.As(err, &claimed):
		return nil, fail(Held, claimed.Error(), "both were started at once; once its command listens, portguard treats it as any holder")
	case errors.As(err, &unusable) && !g.Quiet:
		g.Notice("%v", err)
	}
	launch.Claim = claim
	held, err := g.HoldersOf(ports)
	if err != nil {
		return nil, err
	}
	held = g.besideTheirAddress(held, inferred)
	if run.Wait && len(held) > 0 && !g.DryRun {
		if held, err = g.waitThenHolders(held, run.WaitLimit); err != nil {
			return nil, err
		}
	}
	if len(held) == 0 {
		if g.DryRun {
			if len(ports) > 0 {
				g.Notice("%s free; would run %s", PortsAre(ports), sanitize(argv[0]))
			} else {
				g.Notice("would run %s unchecked", sanitize(argv[0]))
			}
			return nil, nil
		}
		return launch, nil
	}
	if named {
		// What the command is and how to move it, for the prompt and
		// --next-free, even when the ports were named: within the same
		// budget, and without it when that is spent.
		inferred, _ = infer.Within(infer.WrapBudget, func() []infer.Port { return infer.Ports(run.Words, run.Environ, run.Dir) })
	}
	req := Request{Held: held, Then: "run " + argv[0], CanRunAnyway: true, Guesses: guesses(inferred, named),
		Command: &identify.Command{Argv: argv, Tool: inferredTool(inferred, held), Dir: run.Dir}}
	if g.NextFree && !g.DryRun {
		if err := g.NextFreeRefused(req); err != nil {
			return nil, err
		}
	}
	elsewhere, err := g.Relocate(run.Words, held, inferred, ports)
	if err != nil && g.NextFree {
		return nil, err
	}
	req.Elsewhere = elsewhere
	if len(run.Ports) > 0 { // -p skipped them on the way here
		if project, err = LoadSettings(run.Dir); err != nil {
			return nil, err
		}
	}
	answer := Elsewhere
	if !g.NextFree || g.DryRun {
		req.Project = project
		if answer, err = g.Free(req); err != nil {
			return nil, err
		}
	}
	switch answer {
	case DryRun:
		return nil, nil
	case RunAnyway:
		g.Notice("running %s anyway; :%s is still held", sanitize(argv[0]), PortList(held))
	case Elsewhere:
		g.Notice("%s; running on %s instead", HeldSentence(held), elsewhere.Summary())
		launch.Env, launch.Argv = wrap.Assignments(elsewhere.Command, run.Environ)
		launch.Env = append(launch.Env, elsewhere.Env...)
		ports = elsewhere.Ports
	}
	claim.Add(ports, strings.Join(launch.Argv, " "))
	return launch, nil
}

// waitThenHolders waits for another job holding the ports to finish; when
// the wait runs out, it does what --yes says (go on to terminate the
// holders found now) or gives up.
func (g *Guard) waitThenHolders(held map[int][]detect.Holder, limit time.Duration) (map[int][]detect.Holder, error) {
	held, err := g.WaitFree(held, limit)
	if err != nil || len(held) == 0 {
		return held, err
	}
	if !g.Yes {
		return nil, fail(Held, fmt.Sprintf("waited %s; %s; nothing was run", limit, HeldSentence(held)),
			"wait longer (--wait=5m), or add --yes to terminate it once the wait runs out")
	}
	// Who holds the ports now: the plan is built from these facts.
	return g.HoldersOf(slices.Sorted(maps.Keys(held)))
}

// actionable are the inferred ports portguard may act on: all of them
// when it asks, only those that were read when it does not (--yes), never
// a guess, which it names instead when say is set (the hook does not: a
// line is not the place for it).
func (g *Guard) actionable(inferred []infer.Port, say bool) []int {
	var ports []int
	for _, p := range inferred {
		if p.Guess && g.Yes {
			if say {
				g.Notice(":%d is only a guess (%s); --yes does not act on a guess: name it with -p", p.Port, sanitize(p.Source))
			}
			continue
		}
		ports = append(ports, p.Port)
	}
	return ports
}

// Line is a command line the shell hook is about to run, with what
// inference read from it.
type Line struct {
	// Name names the line in the prompt: "npm run dev", or "the line".
	Name string
	// Text is the line as typed: its words tell an earlier copy of it,
	// as a wrapped command's do.
	Text string
	// Ports are what inference found on the line.
	Ports []infer.Port
	Dir   string
	// Probe only says whether a port is held (a Held error), asking
	// nothing and printing nothing.
	Probe bool
}

// CheckLine frees the ports of a line the hook is about to run, asking
// first. A nil error runs the line; a Held error cancels it.
func (g *Guard) CheckLine(line Line) error {
	if len(line.Ports) == 0 {
		return nil
	}
	// The project's own ports replace what inference found, as they do
	// for the wrapper, on a line that starts a server of the project:
	// one inference finds a port for, never npm install or npm test.
	project, err := LoadSettings(line.Dir)
	if err != nil {
		return err
	}
	ports := g.actionable(line.Ports, false)
	if len(project.Ports) > 0 && serves(line.Ports) {
		ports = project.Ports
	}
	if len(ports) == 0 {
		return nil
	}
	if line.Probe {
		// Only whether to ask: the holders are found by the call that asks.
		for _, p := range ports {
			if used, err := g.InUse(p); err == nil && used {
				return fail(Held, "")
			}
		}
		return nil
	}
	held, err := g.HoldersOf(ports)
	if err != nil {
		return err
	}
	if held = g.besideTheirAddress(held, line.Ports); len(held) == 0 {
		return nil
	}
	_, argv := wrap.Assignments(strings.Fields(line.Text), nil)
	_, err = g.Free(Request{Held: held, Then: "run " + line.Name, CanRunAnyway: true, Project: project,
		Guesses: guesses(line.Ports, len(project.Ports) > 0),
		Command: &identify.Command{Argv: argv, Tool: inferredTool(line.Ports, held), Dir: line.Dir}})
	var f *Error
	if errors.As(err, &f) && f.Kind == Held && f.Msg != "" {
		f.Msg += "; the line was not run"
	}
	return err
}

// serves reports whether inference is sure the command serves: a port it
// read, not only a guess. Only then do the project's ports apply.
func serves(inferred []infer.Port) bool {
	return slices.ContainsFunc(inferred, func(p infer.Port) bool { return !p.Guess })
}

// guesses are the inferred ports that are only a guess, with how each was
// found; none when the ports were named (-p, the project's ports).
func guesses(inferred []infer.Port, named bool) map[int]string {
	out := map[int]string{}
	for _, p := range inferred {
		if p.Guess && !named {
			out[p.Port] = p.Source
		}
	}
	return out
}

// LoadSettings reads the project's settings; a mistake in them stops
// portguard before it does anything.
func LoadSettings(dir string) (settings.Settings, error) {
	project, err := settings.Load(dir)
	if err != nil {
		return project, fail(Usage, sanitize(err.Error()), "fix the settings file; nothing was done")
	}
	return project, nil
}

// besideTheirAddress leaves out the holders the command can listen beside:
// it binds one address (--bind 127.0.0.2) and they hold another.
func (g *Guard) besideTheirAddress(held map[int][]detect.Holder, inferred []infer.Port) map[int][]detect.Holder {
	hosts := map[int]string{}
	for _, p := range inferred {
		hosts[p.Port] = p.Host
	}
	conflicting, beside := Conflicting(held, hosts)
	for _, port := range slices.Sorted(maps.Keys(beside)) {
		for _, h := range beside[port] {
			if !g.Quiet {
				g.Notice("%s (pid %d) holds %s, and the command binds %s: both can listen; it is left alone",
					sanitize(h.Name), h.PID, h.Addr, hosts[port])
			}
		}
	}
	return conflicting
}

// inferredTool is the tool inference found for the held ports, if one.
func inferredTool(inferred []infer.Port, held map[int][]detect.Holder) string {
	for _, p := range inferred {
		if _, ok := held[p.Port]; ok && p.Tool != "" {
			return p.Tool
		}
	}
	// The ports were named (-p): the command's tool is still what it is.
	for _, p := range inferred {
		if p.Tool != "" {
			return p.Tool
		}
	}
	return ""
}
