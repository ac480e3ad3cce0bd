package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/prompt"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/terminate"
)

// situation is what settle decides about: the held ports and, when a
// command is about to run, what it is.
type situation struct {
	held map[int][]detect.Holder
	// then names what runs afterwards ("run npm"), for the prompt; "" for
	// `portguard free`.
	then string
	// canRunAnyway offers to leave the holders alone and run regardless.
	canRunAnyway bool
	// elsewhere, when set, offers to run the command on free ports instead.
	elsewhere *relocation
	// command, when set, is the command about to run, so that holders can
	// be recognised as earlier copies of it.
	command *identify.Command
	// project are the project's settings (never, replace_earlier).
	project settings.Settings
}

// relations says, by PID, what each holder is to the command.
func (st *situation) relations() map[int]identify.Finding {
	rel := map[int]identify.Finding{}
	if st.command == nil {
		return rel
	}
	for _, hs := range st.held {
		for _, h := range hs {
			if _, done := rel[h.PID]; !done && h.Container == nil {
				rel[h.PID] = identify.Relate(h, *st.command)
			}
		}
	}
	return rel
}

type choice int

const (
	choiceTerminate choice = iota
	choiceAbort
	choiceRunAnyway
	choiceElsewhere // leave the holder alone, run on the next free port
)

// settle gets the held ports freed: it checks that every holder may be
// terminated, asks the user unless --yes, and terminates (or, for a
// container, stops it with docker). It returns what was chosen: the
// ports are free only after choiceTerminate.
func settle(c *cli.Context, st situation) (choice, error) {
	held := st.held
	ports := sortedPorts(held)
	force := flagOn(c, "force")
	rel := st.relations()
	if err := spared(held, st.project); err != nil {
		describe(held, rel)
		return choiceAbort, err
	}
	yes := flagOn(c, "yes")
	if !yes && st.project.ReplaceEarlier && allEarlier(held, rel) {
		yes = true
		notice("replacing the earlier copy without asking (replace_earlier in %s)", st.project.File)
	}
	interactive := !yes && isatty.IsTerminal(os.Stdin.Fd()) && isatty.IsTerminal(os.Stderr.Fd())
	var warnings []string
	for _, p := range ports {
		if err := containersKnown(p, held[p]); err != nil {
			describe(held, rel)
			return choiceAbort, err
		}
		err := terminate.Check(processes(held[p]), force)
		var denied *terminate.PermissionError
		if errors.As(err, &denied) && denied.Forcible && interactive {
			// A system service, or under sudo another user's process:
			// asked about in plain words, with "abort" the default.
			warnings = append(warnings, denied.Error())
			continue
		}
		if err != nil {
			describe(held, rel)
			return choiceAbort, terminateFailure(err)
		}
	}
	for _, f := range rel {
		if f.Relation == identify.OtherProject {
			warnings = append(warnings, fmt.Sprintf("it is another project's: it runs in %s", f.Where))
			break
		}
	}
	if !yes {
		if !interactive {
			describe(held, rel)
			return choiceAbort, &failure{code: exitHeld, msg: heldSentence(held) + "; nothing was terminated", hints: []string{
				"run again with --yes (or PORTGUARD_YES=1) to terminate it without asking",
				"or free it first: portguard free " + portList(held),
			}}
		}
		describe(held, rel)
		answer, err := ask(st, rel, warnings)
		if err != nil {
			return choiceAbort, err
		}
		switch answer {
		case choiceAbort:
			return answer, &failure{code: exitHeld, msg: "aborted; " + heldSentence(held) + " and nothing was terminated"}
		case choiceRunAnyway, choiceElsewhere:
			return answer, nil
		}
		// The user read the warning and chose to terminate anyway.
		force = force || len(warnings) > 0
	}

	// Ctrl-C while waiting out the grace period stops the wait, and the
	// command does not run.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, p := range ports {
		err := stopContainers(ctx, c, p, held[p])
		if err == nil {
			err = terminateProcesses(ctx, c, p, processes(held[p]), force)
		}
		if errors.Is(err, context.Canceled) {
			return choiceAbort, &failure{code: exitInterrupted, msg: fmt.Sprintf("interrupted while freeing :%d; nothing was run", p)}
		}
		if err != nil {
			return choiceAbort, err
		}
	}
	return choiceTerminate, nil
}

// spared refuses to go on when a holder is one the project's settings
// say never to terminate, whatever the flags.
func spared(held map[int][]detect.Holder, project settings.Settings) error {
	for _, p := range sortedPorts(held) {
		for _, h := range held[p] {
			names := []string{h.Name}
			if len(h.Cmdline) > 0 {
				names = append(names, filepath.Base(h.Cmdline[0]))
			}
			if c := h.Container; c != nil {
				names = append(names, c.Name, c.Image)
			}
			if name, ok := project.Spares(names...); ok {
				return &failure{code: exitHeld,
					msg:   fmt.Sprintf("portguard will not terminate %s (pid %d) on :%d: %s lists %q under never; nothing was terminated", h.Name, h.PID, p, project.File, name),
					hints: []string{"give the command another port, or stop it yourself"}}
			}
		}
	}
	return nil
}

// allEarlier reports whether every holder is an earlier copy.
func allEarlier(held map[int][]detect.Holder, rel map[int]identify.Finding) bool {
	for _, hs := range held {
		for _, h := range hs {
			if rel[h.PID].Relation != identify.EarlierCopy {
				return false
			}
		}
	}
	return true
}

func terminateProcesses(ctx context.Context, c *cli.Context, port int, holders []detect.Holder, force bool) error {
	if len(holders) == 0 {
		return nil
	}
	if plan := terminate.NewPlan(holders); plan.Tree() != "" {
		notice("%s; stopping %s", plan.Tree(), plan.Stops())
	}
	results, err := terminate.Holders(ctx, holders, terminate.Options{Grace: grace(c), Force: force})
	for _, r := range results {
		notice("%s", r)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return terminateFailure(err)
	}
	return err
}

// processes are the holders that are processes to terminate: all but the
// proxies of containers, which are stopped through docker.
func processes(holders []detect.Holder) []detect.Holder {
	var out []detect.Holder
	for _, h := range holders {
		if h.Container == nil {
			out = append(out, h)
		}
	}
	return out
}

// containersKnown refuses to go on when a container proxy holds the port
// but its container could not be named: terminating docker-proxy would
// break the container's networking and free nothing for long.
func containersKnown(port int, holders []detect.Holder) error {
	for _, h := range holders {
		if identify.IsProxy(h) && h.Container == nil {
			return &failure{code: exitHeld,
				msg:   fmt.Sprintf(":%d is forwarded by %s (pid %d) for a container that docker could not name; nothing was terminated", port, h.Name, h.PID),
				hints: []string{fmt.Sprintf("stop the container yourself: docker ps --filter publish=%d", port)}}
		}
	}
	return nil
}

// stopContainers stops, with docker stop, the containers that publish
// port, and waits until the port is free.
func stopContainers(ctx context.Context, c *cli.Context, port int, holders []detect.Holder) error {
	stopped := map[string]bool{}
	for _, h := range holders {
		if h.Container == nil || stopped[h.Container.ID] {
			continue
		}
		stopped[h.Container.ID] = true
		start := time.Now()
		if err := identify.Stop(ctx, h.Container, grace(c)); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &failure{code: exitHeld, msg: fmt.Sprintf("stopping %s for :%d: %v", identify.Describe(h.Container), port, err)}
		}
		notice("stopped %s with docker stop after %s", identify.Describe(h.Container), time.Since(start).Round(time.Millisecond))
	}
	if len(stopped) == 0 {
		return nil
	}
	// docker stop returns once the container is gone; its proxy closes
	// the socket a moment later.
	for deadline := time.Now().Add(2 * time.Second); ; {
		used, err := inUse(c, port)
		if err != nil || !used {
			return err
		}
		if time.Now().After(deadline) {
			return &failure{code: exitHeld, msg: fmt.Sprintf(":%d is still held after docker stop", port),
				hints: []string{fmt.Sprintf("see who holds it: portguard which %d", port)}}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// describe shows each held port's holders, what they are to the command
// (an earlier copy of it), and the launchers above them that would be
// stopped with them.
func describe(held map[int][]detect.Holder, rel map[int]identify.Finding) {
	now := time.Now()
	for _, p := range sortedPorts(held) {
		for _, h := range held[p] {
			if f := rel[h.PID]; f.Relation == identify.EarlierCopy {
				started := ""
				if !h.Started.IsZero() {
					started = "started " + prompt.Age(now.Sub(h.Started)) + " ago "
				}
				fmt.Fprintf(os.Stderr, "an earlier %q of this project (%sin %s) holds :%d\n", f.Command, started, f.Where, p)
			}
		}
		prompt.Describe(os.Stderr, held[p], now)
		if plan := terminate.NewPlan(processes(held[p])); plan.Tree() != "" {
			fmt.Fprintf(os.Stderr, "    started  %s (terminating stops %s)\n", plan.Tree(), plan.Stops())
		}
	}
}

// ask asks what to do. With warnings (a system service, another user's
// process under sudo, another project's server) they are said first and
// "abort" is the default.
func ask(st situation, rel map[int]identify.Finding, warnings []string) (choice, error) {
	held := st.held
	terminateLabel := stopLabel(held, rel)
	if st.then != "" {
		terminateLabel += " and " + st.then
	}
	type answer struct {
		option prompt.Option
		choice choice
	}
	answers := []answer{
		{prompt.Option{Key: 'y', Label: terminateLabel}, choiceTerminate},
		{prompt.Option{Key: 'n', Label: "Abort, leave it running"}, choiceAbort},
	}
	if len(warnings) > 0 {
		for _, w := range warnings {
			fmt.Fprintf(os.Stderr, "portguard: %s %s\n", paint("warning:", yellow), w)
		}
		answers[0], answers[1] = answers[1], answers[0]
	}
	if st.elsewhere != nil {
		answers = append(answers, answer{prompt.Option{Key: 'f', Label: "Leave it, run on " + st.elsewhere.summary()}, choiceElsewhere})
	}
	if st.canRunAnyway {
		answers = append(answers, answer{prompt.Option{Key: 'r', Label: "Run anyway (the command will likely fail to bind)"}, choiceRunAnyway})
	}
	options := make([]prompt.Option, len(answers))
	for i, a := range answers {
		options[i] = a.option
	}
	i, err := prompt.New(os.Stdin, os.Stderr).Ask(fmt.Sprintf("Free :%s?", portList(held)), options)
	if errors.Is(err, prompt.ErrInterrupted) {
		return choiceAbort, nil
	}
	if err != nil {
		return choiceAbort, fmt.Errorf("asking on the terminal: %w", err)
	}
	return answers[i].choice, nil
}

// stopLabel names what "yes" does: "Terminate node (pid 4242)", "Terminate
// the earlier copy, node (pid 4242)", "Stop container shop-db-1 (docker
// stop)", or both kinds joined.
func stopLabel(held map[int][]detect.Holder, rel map[int]identify.Finding) string {
	var containers, processes []string
	seen := map[string]bool{}
	earlier := true
	for _, p := range sortedPorts(held) {
		for _, h := range held[p] {
			if c := h.Container; c != nil {
				if !seen[c.ID] {
					seen[c.ID] = true
					containers = append(containers, "container "+c.Name+" (docker stop)")
				}
				continue
			}
			if key := fmt.Sprint(h.PID); !seen[key] {
				seen[key] = true
				processes = append(processes, fmt.Sprintf("%s (pid %d)", h.Name, h.PID))
			}
			earlier = earlier && rel[h.PID].Relation == identify.EarlierCopy
		}
	}
	var parts []string
	if len(containers) > 0 {
		parts = append(parts, "Stop "+strings.Join(containers, ", "))
	}
	if len(processes) > 0 {
		what := strings.Join(processes, ", ")
		if earlier && len(processes) == 1 && len(containers) == 0 {
			what = "the earlier copy, " + what
		}
		verb := "Terminate "
		if len(parts) > 0 {
			verb = "terminate "
		}
		parts = append(parts, verb+what)
	}
	return strings.Join(parts, " and ")
}
