package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/guard"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/infer"
	"github.com/portguard/portguard/internal/display"
	"github.com/portguard/portguard/prompt"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/shell"
	"github.com/portguard/portguard/wrap"
)

// guard is portguard's main job: find the command's ports, free them, and
// become the command.
func (s *session) guard(c *cli.Context) error {
	if c.Args().First() == "help" {
		name := c.Args().Get(1)
		if c.App.Command(name) != nil {
			return cli.ShowCommandHelp(c, name) // portguard help which
		}
		if name != "" {
			return usageErr("no help for %q: it is not a portguard command", display.Safe(name))
		}
		return cli.ShowAppHelp(c)
	}
	if c.Args().Present() {
		word := c.Args().First()
		return usageErr("unknown command %q", display.Safe(word)).withHint(display.Safe(
			unknownWordHint(word, c.Args().Tail(), func(name string) bool { _, err := exec.LookPath(name); return err == nil })))
	}
	if !s.hasCommand {
		if c.NumFlags() == 0 {
			_ = cli.ShowAppHelp(c)
			return &failure{code: exitUsage}
		}
		return usageErr("missing command").withHint("put the command after --: portguard -p 3000 -- npm start")
	}
	env, argv := wrap.Assignments(s.command, os.Environ())
	if len(argv) == 0 {
		return usageErr("missing command after --").withHint("portguard -p 3000 -- npm start")
	}
	opts, err := optionsOf(c)
	if err != nil {
		return err
	}
	ports, err := parsePorts(c.StringSlice("port"))
	if err != nil {
		return err
	}
	limit, wait, err := waitLimit(c)
	if err != nil {
		return err
	}
	// Resolve before anything else: a command that cannot run must not
	// cost the user a terminated server.
	path, err := wrap.Resolve(argv[0])
	if err != nil {
		return commandFailure(err)
	}
	g := newGuard(opts)
	named := len(ports) > 0
	dir, _ := os.Getwd()
	var project settings.Settings
	loaded := !named
	var inferred []infer.Port
	if loaded {
		if project, err = loadSettings(dir); err != nil {
			return err
		}
		var done bool
		inferred, done = infer.Within(infer.WrapBudget, func() []infer.Port { return infer.Ports(s.command, os.Environ(), dir) })
		if !done {
			// A project built to exhaust inference costs the user no
			// more than this: the command runs, unchecked.
			notice("reading the project took more than %s or %d MiB; running %s unchecked",
				infer.WrapBudget.Time, infer.WrapBudget.Heap>>20, display.Safe(argv[0]))
			if opts.DryRun {
				return nil
			}
			return commandFailure(wrap.Exec(path, argv, env))
		}
		if opts.Yes {
			// Acting without asking: only on ports that were read, never
			// on a guess.
			inferred = dropGuesses(inferred)
		}
		for _, p := range inferred {
			ports = append(ports, p.Port)
		}
		// The project's own list of ports replaces inference, but only
		// for a command that serves: one inference finds a port for. A
		// cloned repository's settings must not make npm --version or
		// npm run build terminate anything.
		if len(project.Ports) > 0 && len(inferred) > 0 {
			ports, named = project.Ports, true
		}
	}
	if len(ports) == 0 && !opts.Quiet {
		notice("no port inferred for %q; running it unchecked (name one with -p)", display.Safe(strings.Join(argv, " ")))
	}
	// Claim the ports before looking at them, so that a portguard started
	// at the same moment (make -j) sees this one's command as its own and
	// leaves it alone.
	claim, err := wrap.ClaimPorts(ports, strings.Join(argv, " "), func(p int) bool { used, _ := g.InUse(p); return used })
	var claimed *wrap.ClaimedError
	var unusable *wrap.UnusableError
	switch {
	case errors.As(err, &claimed):
		return &failure{code: exitHeld, msg: claimed.Error(), hints: []string{
			"both were started at once; once its command listens, portguard treats it as any holder"}}
	case errors.As(err, &unusable) && !opts.Quiet:
		notice("%v", err)
	}
	held, err := g.HoldersOf(ports)
	if err != nil {
		return err
	}
	held = besideTheirAddress(held, inferred, opts.Quiet)
	if wait && len(held) > 0 && !opts.DryRun {
		// Another job holds the port and will finish: wait for it, and
		// only when the wait runs out do what --yes says, or give up.
		if held, err = g.WaitFree(held, limit); err != nil {
			return err
		}
		if len(held) > 0 && !opts.Yes {
			return &failure{code: exitHeld, msg: fmt.Sprintf("waited %s; %s; nothing was run", limit, guard.HeldSentence(held)),
				hints: []string{"wait longer (--wait=5m), or add --yes to terminate it once the wait runs out"}}
		}
		if len(held) > 0 {
			// Who holds the ports now: the plan is built from these facts.
			if held, err = g.HoldersOf(slices.Sorted(maps.Keys(held))); err != nil {
				return err
			}
		}
	}
	if len(held) > 0 {
		run := "run " + argv[0]
		if named {
			// What the command is and how to move it, for the prompt and
			// --next-free, even when the ports were named.
			inferred = infer.Ports(s.command, os.Environ(), dir)
		}
		req := guard.Request{Held: held, Then: run, CanRunAnyway: true,
			Command: &identify.Command{Argv: argv, Tool: toolOf(inferred, held), Dir: dir}}
		if opts.NextFree && !opts.DryRun {
			if err := g.NextFreeRefused(req); err != nil {
				return err
			}
		}
		elsewhere, err := g.Relocate(s.command, held, inferred, ports)
		if err != nil && opts.NextFree {
			return err
		}
		req.Elsewhere = elsewhere
		if !loaded { // -p skipped it on the free path
			if project, err = loadSettings(dir); err != nil {
				return err
			}
		}
		answer := guard.Elsewhere
		if !opts.NextFree || opts.DryRun {
			req.Project = project
			if answer, err = g.Free(req); err != nil {
				return err
			}
		}
		switch answer {
		case guard.DryRun:
			return nil
		case guard.RunAnyway:
			notice("running %s anyway; :%s is still held", display.Safe(argv[0]), guard.PortList(held))
		case guard.Elsewhere:
			notice("%s; running on %s instead", guard.HeldSentence(held), elsewhere.Summary())
			env, argv = wrap.Assignments(elsewhere.Command, os.Environ())
			env = append(env, elsewhere.Env...)
			ports = elsewhere.Ports
		}
		claim.Add(ports, strings.Join(argv, " "))
	} else if opts.DryRun {
		if len(ports) > 0 {
			notice("%s free; would run %s", guard.PortsAre(ports), display.Safe(argv[0]))
		} else {
			notice("would run %s unchecked", display.Safe(argv[0]))
		}
		return nil
	}
	claim.KeepAcrossExec()
	return commandFailure(wrap.Exec(path, argv, env))
}

// heldArgs reads the flags and the PORT... arguments of which and free,
// and who holds each port.
func (s *session) heldArgs(c *cli.Context) (*guard.Guard, []int, map[int][]detect.Holder, error) {
	opts, err := optionsOf(c)
	if err != nil {
		return nil, nil, nil, err
	}
	ports, err := s.portArgs(c)
	if err != nil {
		return nil, nil, nil, err
	}
	g := newGuard(opts)
	held, err := g.HoldersOf(ports)
	return g, ports, held, err
}

// which prints who holds each port.
func (s *session) which(c *cli.Context) error {
	_, ports, held, err := s.heldArgs(c)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		if err := writeHolders(c.App.Writer, ports, held); err != nil {
			return err
		}
		if len(held) == 0 {
			return &failure{code: exitFailure}
		}
		return nil
	}
	w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PORT\tPID\tUSER\tUPTIME\tADDRESS\tCOMMAND")
	now := time.Now()
	for _, p := range ports {
		hs := held[p]
		if len(hs) == 0 {
			fmt.Fprintf(w, "%d\t-\t-\t-\t-\t(free)\n", p)
		}
		for _, h := range hs {
			pid, uptime := "-", "-"
			if h.Visible() {
				pid = strconv.Itoa(h.PID)
			}
			if !h.Started.IsZero() {
				uptime = strings.ReplaceAll(prompt.Age(now.Sub(h.Started)), " ", "")
			}
			cmd := h.Command()
			switch {
			case !h.Visible():
				cmd = "(owner not visible)"
			case h.Container != nil:
				cmd = identify.Describe(h.Container)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", p, pid, display.Safe(h.User), uptime, h.Addr, display.Safe(cmd))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(held) == 0 {
		return &failure{code: exitFailure}
	}
	return nil
}

// ls lists every listening port on the machine, grouped by project, the
// current project's first.
func (s *session) ls(c *cli.Context) error {
	opts, err := optionsOf(c)
	if err != nil {
		return err
	}
	if s.hasCommand {
		return usageErr("ls takes ports, not a command")
	}
	var only []int
	if c.Args().Present() {
		if only, err = parsePorts(c.Args().Slice()); err != nil {
			return err
		}
	}
	holders, err := detect.Listeners(opts.Protocol)
	if err != nil {
		return fmt.Errorf("listing the listening ports: %w", err)
	}
	if len(only) > 0 {
		holders = slices.DeleteFunc(holders, func(h detect.Holder) bool { return !slices.Contains(only, h.Port) })
	}
	if err := identify.Containers(holders); err != nil {
		notice("docker could not name a container behind a port: %v", err)
	}
	dir, _ := os.Getwd()
	listed := guard.Classify(holders, dir)
	if c.Bool("interactive") {
		g := newGuard(opts)
		held, err := g.Pick(listed)
		if err != nil || len(held) == 0 {
			return err
		}
		project, err := loadSettings(dir)
		if err != nil {
			return err
		}
		_, err = g.Free(guard.Request{Held: held, Project: project})
		return err
	}
	if c.Bool("json") {
		records := []holderRecord{}
		for _, l := range listed {
			r := recordOf(l.Holder)
			r.Role, r.Project = string(l.Role), l.Project
			records = append(records, r)
		}
		return writeJSON(c.App.Writer, records)
	}
	if len(listed) == 0 {
		what := "nothing is listening"
		if opts.Protocol == detect.UDP {
			what = "nothing is bound to a UDP port"
		}
		if len(only) > 0 {
			what += " on " + strings.TrimSuffix(guard.PortsAre(only), " is")
			what = strings.TrimSuffix(what, " are")
		}
		fmt.Fprintln(c.App.Writer, what)
		return nil
	}
	w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	now := time.Now()
	group := "\x00"
	for _, l := range listed {
		if l.Project != group {
			group = l.Project
			title := display.Safe(prompt.TildePath(l.Project))
			switch {
			case l.Role == guard.RoleThisProject:
				title += " (this project)"
			case l.Project == "":
				title = "not in a project"
			}
			fmt.Fprintf(w, "%s\n", title)
		}
		pid, uptime, program := "-", "-", display.Safe(l.Name)
		if l.Visible() {
			pid = strconv.Itoa(l.PID)
		} else {
			program = "(owner not visible)"
		}
		if !l.Started.IsZero() {
			uptime = strings.ReplaceAll(prompt.Age(now.Sub(l.Started)), " ", "")
		}
		role := string(l.Role)
		if l.Container != nil {
			role = display.Safe(identify.Describe(l.Container))
		}
		if l.Role == guard.RoleOtherUser {
			role += " (" + display.Safe(l.User) + ")"
		}
		fmt.Fprintf(w, "  :%d\t%s\t%s\t%s\t%s\t%s\n", l.Port, l.Addr, pid, program, uptime, role)
	}
	return w.Flush()
}

// free terminates the holders of the given ports and runs nothing.
func (s *session) free(c *cli.Context) error {
	g, ports, held, err := s.heldArgs(c)
	if err != nil {
		return err
	}
	if len(held) == 0 {
		if !g.Quiet {
			notice("%s free", guard.PortsAre(ports))
		}
		return nil
	}
	dir, _ := os.Getwd()
	project, err := loadSettings(dir)
	if err != nil {
		return err
	}
	_, err = g.Free(guard.Request{Held: held, Project: project})
	return err
}

// infer prints the ports the command after -- will listen on.
func (s *session) infer(c *cli.Context) error {
	if c.Args().Present() || !s.hasCommand || len(s.command) == 0 {
		return usageErr("infer needs the command after --").withHint("portguard infer -- npm run dev")
	}
	dir, _ := os.Getwd()
	project, err := loadSettings(dir)
	if err != nil {
		return err
	}
	ports, notes := infer.Explain(s.command, os.Environ(), dir)
	if len(project.Ports) > 0 && len(ports) > 0 {
		// The project's own ports replace inference for a command that
		// serves, as in every run.
		ports = nil
		for _, p := range project.Ports {
			ports = append(ports, infer.Port{Port: p, Source: "ports in " + project.File + " (replaces inference)"})
		}
	}
	if c.Bool("explain") {
		// What inference skipped or gave up on, so that "no port" can be
		// told apart from "not read".
		for _, n := range notes {
			fmt.Fprintf(c.App.Writer, "note: %s\n", display.Safe(n))
		}
	}
	if len(ports) == 0 {
		return &failure{code: exitFailure, msg: fmt.Sprintf("no port inferred for %q", display.Safe(strings.Join(s.command, " ")))}
	}
	switch {
	case c.Bool("json"):
		return writeJSONLine(c.App.Writer, ports)
	case c.Bool("explain"):
		for _, p := range ports {
			fmt.Fprintf(c.App.Writer, "%d  %s\n", p.Port, display.Safe(p.Source))
		}
	default:
		for _, p := range ports {
			fmt.Fprintln(c.App.Writer, p.Port)
		}
	}
	return nil
}

func (s *session) portArgs(c *cli.Context) ([]int, error) {
	if s.hasCommand {
		return nil, usageErr("%s takes ports, not a command", c.Command.Name)
	}
	if !c.Args().Present() {
		return nil, usageErr("%s needs at least one port", c.Command.Name).withHint(
			fmt.Sprintf("portguard %s 3000", c.Command.Name))
	}
	return parsePorts(c.Args().Slice())
}

// loadSettings reads the project's settings; a mistake in them stops
// portguard before it does anything.
func loadSettings(dir string) (settings.Settings, error) {
	project, err := settings.Load(dir)
	if err != nil {
		return project, &failure{code: exitUsage, msg: err.Error(), hints: []string{"fix the settings file; nothing was done"}}
	}
	return project, nil
}

// toolOf is the tool inference found for the held ports, if one.
func toolOf(inferred []infer.Port, held map[int][]detect.Holder) string {
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

func commandFailure(err error) error {
	switch {
	case errors.Is(err, wrap.ErrNotFound):
		return &failure{code: exitNotFound, msg: err.Error()}
	case errors.Is(err, wrap.ErrNotExecutable):
		return &failure{code: exitNotExecutable, msg: err.Error()}
	}
	return err
}

func (f *failure) withHint(h string) *failure {
	f.hints = append([]string{h}, f.hints...)
	return f
}

// init prints the shell integration.
func (s *session) init(c *cli.Context) error {
	name, err := shellArg(c, s)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding portguard's own path: %w", err)
	}
	if c.Bool("hook") {
		if c.IsSet("commands") {
			return usageErr("--hook checks every line; --commands is for the wrapper functions").withHint("pick one: portguard init " + name + " --hook")
		}
		out, err := shell.Hook(name, exe)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(c.App.Writer, out)
		return err
	}
	commands := shell.DefaultCommands
	if list := c.String("commands"); list != "" {
		if commands, err = shell.ParseCommands(list); err != nil {
			return usageErr("--commands: %v", err)
		}
	}
	out, err := shell.Init(name, exe, commands)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(c.App.Writer, out)
	return err
}

// completion prints the completion script for portguard's own flags.
func (s *session) completion(c *cli.Context) error {
	name, err := shellArg(c, s)
	if err != nil {
		return err
	}
	if name == "fish" {
		out, err := c.App.ToFishCompletion()
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(c.App.Writer, out)
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding portguard's own path: %w", err)
	}
	out, err := shell.Completion(name, exe)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(c.App.Writer, out)
	return err
}

func shellArg(c *cli.Context, s *session) (string, error) {
	if s.hasCommand || c.Args().Len() != 1 || !slices.Contains(shell.Names, c.Args().First()) {
		return "", usageErr("%s needs one shell: %s", c.Command.Name, strings.Join(shell.Names, ", ")).withHint(
			fmt.Sprintf("portguard %s zsh", c.Command.Name))
	}
	return c.Args().First(), nil
}

// dropGuesses leaves out the ports that are only a guess, saying so.
func dropGuesses(ports []infer.Port) []infer.Port {
	var kept []infer.Port
	for _, p := range ports {
		if p.Guess {
			notice(":%d is only a guess (%s); --yes does not act on a guess: name it with -p", p.Port, display.Safe(p.Source))
			continue
		}
		kept = append(kept, p)
	}
	return kept
}

// besideTheirAddress leaves out the holders the command can listen beside:
// it binds one address (--bind 127.0.0.2) and they hold another.
func besideTheirAddress(held map[int][]detect.Holder, inferred []infer.Port, quiet bool) map[int][]detect.Holder {
	hosts := map[int]string{}
	for _, p := range inferred {
		hosts[p.Port] = p.Host
	}
	conflicting, beside := guard.Conflicting(held, hosts)
	if !quiet {
		for _, port := range slices.Sorted(maps.Keys(beside)) {
			for _, h := range beside[port] {
				notice("%s (pid %d) holds %s, and the command binds %s: both can listen; it is left alone",
					display.Safe(h.Name), h.PID, h.Addr, hosts[port])
			}
		}
	}
	return conflicting
}
