package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/guard"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/infer"
	"github.com/portguard/portguard/internal/display"
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
	_, argv := wrap.Assignments(s.command, os.Environ())
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
	dir, _ := os.Getwd()
	launch, err := newGuard(opts).Wrap(guard.Run{Words: s.command, Environ: os.Environ(), Dir: dir, Path: path,
		Ports: ports, Wait: wait, WaitLimit: limit})
	if err != nil || launch == nil {
		return err
	}
	if launch.Claim != nil {
		launch.Claim.KeepAcrossExec()
	}
	return commandFailure(wrap.Exec(launch.Path, launch.Argv, launch.Env))
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
	if err := writeWhich(c.App.Writer, ports, held); err != nil {
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
		project, err := guard.LoadSettings(dir)
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
	return writeListed(c.App.Writer, listed, opts.Protocol, only)
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
	project, err := guard.LoadSettings(dir)
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
	project, err := guard.LoadSettings(dir)
	if err != nil {
		return err
	}
	type explained struct {
		ports []infer.Port
		notes []string
	}
	read, done := infer.Within(infer.WrapBudget, func() explained {
		ports, notes := infer.Explain(s.command, os.Environ(), dir)
		return explained{ports, notes}
	})
	if !done {
		return &failure{code: exitFailure, msg: fmt.Sprintf("reading the project took more than %s or %d MiB; no port inferred for %q",
			infer.WrapBudget.Time, infer.WrapBudget.Heap>>20, display.Safe(strings.Join(s.command, " ")))}
	}
	ports, notes := read.ports, read.notes
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
		words, err := shell.ParseNeverListen(shell.NeverListen, c.String("never-listen"))
		if err != nil {
			return usageErr("--never-listen: %v", err)
		}
		out, err := shell.Hook(name, exe, words)
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
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding portguard's own path: %w", err)
	}
	out, err := shell.Completion(name, exe)
	if err != nil {
		return err
	}
	if name == "fish" {
		// The flags and subcommands, with their descriptions, from the
		// CLI library; portguard's own rules after them.
		generated, err := c.App.ToFishCompletion()
		if err != nil {
			return err
		}
		out = generated + out
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
