package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/infer"
	"github.com/portguard/portguard/prompt"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/shell"
	"github.com/portguard/portguard/terminate"
	"github.com/portguard/portguard/wrap"
)

// guard is portguard's main job: find the command's ports, free them, and
// become the command.
func (s *session) guard(c *cli.Context) error {
	if c.Args().First() == "help" {
		return cli.ShowAppHelp(c)
	}
	if c.Args().Present() {
		return usageErr("unknown command %q", c.Args().First()).withHint(
			"to run a program, put it after --: portguard -- " + strings.Join(c.Args().Slice(), " "))
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
	ports, err := parsePorts(c.StringSlice("port"))
	if err != nil {
		return err
	}
	// Resolve before anything else: a command that cannot run must not
	// cost the user a terminated server.
	path, err := wrap.Resolve(argv[0])
	if err != nil {
		return commandFailure(err)
	}
	quiet := flagOn(c, "quiet")
	named := len(ports) > 0
	dir, _ := os.Getwd()
	var project settings.Settings
	loaded := !named
	if loaded {
		// The project's own list of ports comes before inference, after -p.
		if project, err = loadSettings(dir); err != nil {
			return err
		}
		if len(project.Ports) > 0 {
			ports, named = project.Ports, true
		}
	}
	var inferred []infer.Port
	if !named {
		inferred = infer.Ports(s.command, os.Environ(), dir)
		for _, p := range inferred {
			ports = append(ports, p.Port)
		}
	}
	if len(ports) == 0 && !quiet {
		notice("no port inferred for %q; running it unchecked (name one with -p)", strings.Join(argv, " "))
	}
	// Claim the ports before looking at them, so that a portguard started
	// at the same moment (make -j) sees this one's command as its own and
	// leaves it alone.
	claim, err := wrap.ClaimPorts(ports, strings.Join(argv, " "))
	var claimed *wrap.ClaimedError
	if errors.As(err, &claimed) {
		return &failure{code: exitHeld, msg: claimed.Error(), hints: []string{
			fmt.Sprintf("both were started at once; after %s portguard treats it as a leftover copy", wrap.FreshClaim)}}
	}
	held, err := holdersOf(c, ports)
	if err != nil {
		return err
	}
	if limit, wait, err := waitLimit(c); err != nil {
		return err
	} else if wait && len(held) > 0 && !flagOn(c, "dry-run") {
		// Another job holds the port and will finish: wait for it, and
		// only when the wait runs out do what --yes says, or give up.
		if held, err = waitFree(c, held, limit); err != nil {
			return err
		}
		if len(held) > 0 && !flagOn(c, "yes") {
			return &failure{code: exitHeld, msg: fmt.Sprintf("waited %s; %s; nothing was run", limit, heldSentence(held)),
				hints: []string{"wait longer (--wait=5m), or add --yes to terminate it once the wait runs out"}}
		}
	}
	if len(held) > 0 {
		run := "run " + argv[0]
		if named {
			// What the command is and how to move it, for the prompt and
			// --next-free, even when the ports were named.
			inferred = infer.Ports(s.command, os.Environ(), dir)
		}
		elsewhere, err := relocate(c, s.command, held, inferred, ports)
		if err != nil && flagOn(c, "next-free") {
			return err
		}
		if flagOn(c, "dry-run") {
			dryRun(held, run)
			return nil
		}
		if !loaded { // -p skipped it on the free path
			if project, err = loadSettings(dir); err != nil {
				return err
			}
		}
		answer := choiceElsewhere
		if !flagOn(c, "next-free") {
			st := situation{held: held, then: run, canRunAnyway: true, elsewhere: elsewhere, project: project,
				command: &identify.Command{Argv: argv, Tool: toolOf(inferred, held), Dir: dir}}
			if answer, err = settle(c, st); err != nil {
				return err
			}
		}
		switch answer {
		case choiceRunAnyway:
			notice("running %s anyway; :%s is still held", argv[0], portList(held))
		case choiceElsewhere:
			notice("%s; running on %s instead", heldSentence(held), elsewhere.summary())
			env, argv = wrap.Assignments(elsewhere.command, os.Environ())
			env = append(env, elsewhere.env...)
			ports = elsewhere.ports
		}
		claim.Add(ports, strings.Join(argv, " "))
	} else if flagOn(c, "dry-run") {
		notice("%s free; would run %s", portsAre(ports), argv[0])
		return nil
	}
	claim.KeepAcrossExec()
	return commandFailure(wrap.Exec(path, argv, env))
}

// which prints who holds each port.
func (s *session) which(c *cli.Context) error {
	ports, held, err := s.portArgsHeld(c)
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
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", p, pid, h.User, uptime, h.Addr, cmd)
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

// free terminates the holders of the given ports and runs nothing.
func (s *session) free(c *cli.Context) error {
	ports, held, err := s.portArgsHeld(c)
	if err != nil {
		return err
	}
	if len(held) == 0 {
		if !flagOn(c, "quiet") {
			notice("%s free", portsAre(ports))
		}
		return nil
	}
	if flagOn(c, "dry-run") {
		dryRun(held, "")
		return nil
	}
	dir, _ := os.Getwd()
	project, err := loadSettings(dir)
	if err != nil {
		return err
	}
	_, err = settle(c, situation{held: held, project: project})
	return err
}

// infer prints the ports the command after -- will listen on.
func (s *session) infer(c *cli.Context) error {
	if c.Args().Present() || !s.hasCommand || len(s.command) == 0 {
		return usageErr("infer needs the command after --").withHint("portguard infer -- npm run dev")
	}
	dir, _ := os.Getwd()
	ports := infer.Ports(s.command, os.Environ(), dir)
	if len(ports) == 0 {
		return &failure{code: exitFailure, msg: fmt.Sprintf("no port inferred for %q", strings.Join(s.command, " "))}
	}
	switch {
	case c.Bool("json"):
		return json.NewEncoder(c.App.Writer).Encode(ports)
	case c.Bool("explain"):
		for _, p := range ports {
			fmt.Fprintf(c.App.Writer, "%d  %s\n", p.Port, p.Source)
		}
	default:
		for _, p := range ports {
			fmt.Fprintln(c.App.Writer, p.Port)
		}
	}
	return nil
}

// portArgsHeld reads the PORT... arguments of which and free, and who
// holds each.
func (s *session) portArgsHeld(c *cli.Context) ([]int, map[int][]detect.Holder, error) {
	ports, err := s.portArgs(c)
	if err != nil {
		return nil, nil, err
	}
	held, err := holdersOf(c, ports)
	return ports, held, err
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

func protocol(c *cli.Context) detect.Protocol {
	if flagOn(c, "udp") {
		return detect.UDP
	}
	return detect.TCP
}

// inUse reports whether port is held, without naming the holders: what
// polling needs.
func inUse(c *cli.Context, port int) (bool, error) {
	used, err := detect.InUse(protocol(c), port)
	if err != nil {
		return false, fmt.Errorf("looking at %s port %d: %w", protocol(c), port, err)
	}
	return used, nil
}

// holdersOf maps each held port to its holders; free ports are left out.
func holdersOf(c *cli.Context, ports []int) (map[int][]detect.Holder, error) {
	proto := protocol(c)
	held := map[int][]detect.Holder{}
	for _, p := range ports {
		hs, err := detect.HoldersOf(proto, p)
		if err != nil {
			return nil, fmt.Errorf("looking up who holds %s port %d: %w", proto, p, err)
		}
		if len(hs) > 0 {
			if err := identify.Containers(hs); err != nil {
				notice("%s holds :%d for a container, which docker could not name: %v", hs[0].Name, p, err)
			}
			held[p] = hs
		}
	}
	return held, nil
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
	return ""
}

func dryRun(held map[int][]detect.Holder, then string) {
	describe(held, nil)
	what := "would terminate " + holderNames(held)
	if then != "" {
		what += ", then " + then
	}
	notice("%s (dry run: nothing was done)", what)
}

func terminateFailure(err error) error {
	var refused *terminate.RefusedError
	var denied *terminate.PermissionError
	var still *terminate.StillHeldError
	switch {
	case errors.As(err, &refused):
		return &failure{code: exitHeld, msg: err.Error(), hints: []string{"stop it yourself, or give the command another port"}}
	case errors.As(err, &denied) && denied.Forcible:
		return &failure{code: exitNoPermission, msg: err.Error(), hints: []string{fmt.Sprintf("to terminate it anyway: portguard free --yes --force %d", denied.Port)}}
	case errors.As(err, &denied):
		return &failure{code: exitNoPermission, msg: err.Error(), hints: []string{fmt.Sprintf("sudo portguard free %d", denied.Port)}}
	case errors.As(err, &still):
		return &failure{code: exitHeld, msg: err.Error(), hints: []string{fmt.Sprintf("see who holds it: portguard which %d", still.Port)}}
	}
	return err
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

func sortedPorts(held map[int][]detect.Holder) []int {
	return slices.Sorted(maps.Keys(held))
}

func portList(held map[int][]detect.Holder) string {
	var parts []string
	for _, p := range sortedPorts(held) {
		parts = append(parts, strconv.Itoa(p))
	}
	return strings.Join(parts, ",")
}

func portsAre(ports []int) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = ":" + strconv.Itoa(p)
	}
	if len(parts) == 1 {
		return parts[0] + " is"
	}
	return strings.Join(parts, ", ") + " are"
}

// holderNames lists the distinct holders: "node (pid 4242)".
func holderNames(held map[int][]detect.Holder) string {
	var names []string
	seen := map[int]bool{}
	for _, p := range sortedPorts(held) {
		for _, h := range held[p] {
			if !seen[h.PID] {
				seen[h.PID] = true
				names = append(names, fmt.Sprintf("%s (pid %d)", h.Name, h.PID))
			}
		}
	}
	return strings.Join(names, ", ")
}

// heldSentence says what holds the ports: ":3000 is held by node (pid 4242)".
func heldSentence(held map[int][]detect.Holder) string {
	var parts []string
	for _, p := range sortedPorts(held) {
		var names []string
		for _, h := range held[p] {
			names = append(names, fmt.Sprintf("%s (pid %d)", h.Name, h.PID))
		}
		parts = append(parts, fmt.Sprintf(":%d is held by %s", p, strings.Join(names, ", ")))
	}
	return strings.Join(parts, "; ")
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
