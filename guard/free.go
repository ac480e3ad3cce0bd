package guard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/prompt"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/terminate"
)

// Free gets the held ports freed: it builds the one plan of everything to
// signal, decides, shows the plan, asks unless --yes, and executes exactly
// that plan. It returns what was chosen: the ports are free only after
// Terminate.
func (g *Guard) Free(req Request) (Choice, error) {
	rel := relations(req)
	var holders []detect.Holder
	for _, p := range sortedPorts(req.Held) {
		holders = append(holders, req.Held[p]...)
	}
	// Holders that terminating would not help are explained instead
	// (AirPlay, socket units, http.sys, WSL); tunnels are warned about.
	var cautions []string
	for _, h := range holders {
		k, ok := identify.Explain(h, runtime.GOOS)
		switch {
		case ok && k.Refuse:
			describe(g.Err, req.Held, rel, nil, 0)
			return Abort, fail(Refused, fmt.Sprintf(":%d is held by %s; terminating it would not free the port for long, so nothing was terminated", h.Port, sanitize(k.What)), k.WayOut)
		case ok:
			cautions = append(cautions, fmt.Sprintf("%s (pid %d) on :%d is %s", sanitize(h.Name), h.PID, h.Port, sanitize(k.What)))
		}
	}
	rules := terminate.Rules{Force: g.Force, Never: neverOf(req.Project)}
	plan, err := terminate.NewPlan(holders, rules)
	if err != nil {
		describe(g.Err, req.Held, rel, nil, 0)
		return Abort, terminateFailure(err, req.Project)
	}
	// A dry run says what would happen were the user there to answer.
	d := Decide(Facts{Held: req.Held, Plan: plan, Relations: rel, Project: req.Project, Tool: toolOf(req.Command), Cautions: cautions,
		Guesses: req.Guesses, Then: req.Then, CanRunAnyway: req.CanRunAnyway, Elsewhere: req.Elsewhere}, g.Options, g.Interactive() || g.DryRun)
	if g.DryRun {
		describe(g.Err, req.Held, rel, &plan, 0)
		for _, w := range d.Warnings {
			g.warn(w)
		}
		for _, a := range d.Asides {
			g.Notice("%s", a)
		}
		what := "would terminate " + planNames(plan)
		if !d.Proceed {
			what = "would ask, then terminate " + planNames(plan)
		}
		if d.Refusal != nil {
			what = "would refuse: " + d.Refusal.Msg
		}
		if req.Then != "" && d.Refusal == nil {
			what += ", then " + req.Then
		}
		g.Notice("%s (dry run: nothing was done)", what)
		return DryRun, nil
	}
	rows := promptRows
	if !g.Interactive() || g.Yes {
		rows = 0
	}
	// Replacing an earlier copy of the same command is routine: who and
	// what happens in two lines, the rest on request.
	short := d.Refusal == nil && routine(req.Held, rel, plan)
	if short {
		describeShort(g.Err, req.Held, rel, plan)
	} else {
		describe(g.Err, req.Held, rel, &plan, rows)
		for _, a := range d.Asides {
			g.Notice("%s", a)
		}
	}
	for _, w := range d.Warnings {
		g.warn(w)
	}
	if d.Refusal != nil {
		return Abort, d.Refusal
	}
	if d.Note != "" {
		g.Notice("%s", d.Note)
	}
	if !d.Proceed {
		question := fmt.Sprintf("Free :%s?", PortList(req.Held))
		if ports := sortedPorts(req.Held); len(ports) > 4 {
			question = fmt.Sprintf("Free %s?", portsList(ports, 4))
		}
		offers := d.Offers
		if short {
			offers = append(slices.Clone(offers), Offer{Key: 'd', Label: "Show the details", Choice: Details})
		}
		answer, err := g.ask(question, offers)
		if err == nil && answer == Details {
			describe(g.Err, req.Held, rel, &plan, rows)
			for _, a := range d.Asides {
				g.Notice("%s", a)
			}
			answer, err = g.ask(question, d.Offers)
		}
		if errors.Is(err, prompt.ErrInterrupted) {
			return Abort, fail(Interrupted, "interrupted; "+HeldSentence(req.Held)+", and nothing was terminated")
		}
		if err != nil {
			return Abort, err
		}
		switch answer {
		case Abort:
			return Abort, fail(Held, "declined; "+HeldSentence(req.Held)+", and nothing was terminated")
		case RunAnyway, Elsewhere:
			return answer, nil
		}
		// The warnings were for exactly the processes marked NeedsForce,
		// and the plan holds no others: execution signals the plan, so
		// the answer allows nothing beyond it.
	}
	var published []int
	for _, p := range sortedPorts(req.Held) {
		for _, h := range req.Held[p] {
			if h.Container != nil {
				published = append(published, p)
				break
			}
		}
	}
	return Terminate, g.execute(plan, rules, published)
}

// ask asks on the terminal; Ctrl-C is prompt.ErrInterrupted (exit 130, as
// Ctrl-C anywhere else), a "no" or Ctrl-D a decline.
func (g *Guard) ask(question string, offers []Offer) (Choice, error) {
	options := make([]prompt.Option, len(offers))
	for i, o := range offers {
		options[i] = prompt.Option{Key: o.Key, Label: o.Label}
	}
	i, err := prompt.New(g.In, g.Out).Ask(question, options)
	if errors.Is(err, prompt.ErrInterrupted) {
		return Abort, err
	}
	if errors.Is(err, prompt.ErrClosed) {
		return Abort, nil
	}
	if err != nil {
		return Abort, fmt.Errorf("asking on the terminal: %w", err)
	}
	return offers[i].Choice, nil
}

// execute stops the plan's containers with docker stop, then signals its
// processes.
func (g *Guard) execute(plan terminate.Plan, rules terminate.Rules, published []int) error {
	// Ctrl-C while waiting out the grace period stops the wait, and the
	// command does not run.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	err := g.stopContainers(ctx, plan)
	if err == nil && len(plan.Containers) > 0 {
		err = g.waitPorts(ctx, published)
	}
	if err == nil {
		var results []terminate.Result
		// Watchers found later pass --force's rules, and nothing the user
		// accepted at the prompt.
		results, err = terminate.Execute(ctx, plan, terminate.Options{Grace: g.Grace, Protocol: g.protocol(),
			Rules: terminate.Rules{Force: g.Force, Never: rules.Never}, Waiting: g.waitingLine()})
		for _, line := range resultLines(results) {
			g.Notice("%s", sanitize(line))
		}
	}
	if errors.Is(err, context.Canceled) {
		return fail(Interrupted, "interrupted while freeing the port; nothing was run")
	}
	if err != nil {
		return terminateFailure(err, settings.Settings{})
	}
	return nil
}

// waitingLine says what a long grace is waiting for. On a terminal it is
// one line, redrawn each second and cleared at the end; elsewhere (a log,
// CI) it is said once.
func (g *Guard) waitingLine() func([]string, time.Duration) {
	said := false
	return func(running []string, left time.Duration) {
		if running == nil {
			if said && g.Out != nil {
				fmt.Fprint(g.Err, "\r\x1b[K")
			}
			return
		}
		if said && g.Out == nil {
			return
		}
		line := fmt.Sprintf("portguard: waiting for %s to exit, %s before SIGKILL; Ctrl-C stops waiting",
			sanitize(listNames(running, 3)), left.Round(time.Second))
		if g.Out != nil {
			fmt.Fprint(g.Err, "\r\x1b[K"+line)
		} else {
			fmt.Fprintln(g.Err, line)
		}
		said = true
	}
}

// listNames joins names, at most max of them and a count of the rest.
func listNames(names []string, max int) string {
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// stopContainers stops, with docker stop, the plan's containers, and waits
// until the ports they published are free.
func (g *Guard) stopContainers(ctx context.Context, plan terminate.Plan) error {
	for _, c := range plan.Containers {
		start := time.Now()
		if err := identify.Stop(ctx, &c, g.Grace); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fail(Held, fmt.Sprintf("stopping %s: %v", sanitize(identify.Describe(&c)), err))
		}
		g.Notice("stopped %s with docker stop after %s", sanitize(identify.Describe(&c)), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// waitPorts waits until ports published by stopped containers are free: docker stop returns once the container is gone, and its proxy
// closes the socket a moment later.
func (g *Guard) waitPorts(ctx context.Context, ports []int) error {
	for _, port := range ports {
		for deadline := time.Now().Add(2 * time.Second); ; {
			used, err := g.InUse(port)
			if err != nil || !used {
				break
			}
			if time.Now().After(deadline) {
				return fail(Held, fmt.Sprintf(":%d is still held after docker stop", port),
					fmt.Sprintf("see who holds it: portguard which %d", port))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil
}

// NextFreeRefused is the failure of --next-free when the command cannot
// run beside its holders: an earlier copy of a dev server that allows one
// per project. nil when it can.
func (g *Guard) NextFreeRefused(req Request) error {
	why := secondCopyRefused(Facts{Relations: relations(req), Tool: toolOf(req.Command)})
	if why == "" {
		return nil
	}
	return fail(Held, fmt.Sprintf("%s; not running it on another port beside it: %s; nothing was done", HeldSentence(req.Held), why),
		"replace the earlier copy: portguard --yes -- "+sanitize(strings.Join(req.Command.Argv, " ")))
}

func toolOf(cmd *identify.Command) string {
	if cmd == nil {
		return ""
	}
	return cmd.Tool
}

// relations says, by PID, what each holder is to the command.
func relations(req Request) map[int]identify.Finding {
	rel := map[int]identify.Finding{}
	if req.Command == nil {
		return rel
	}
	for _, hs := range req.Held {
		for _, h := range hs {
			if _, done := rel[h.PID]; !done && h.Container == nil {
				rel[h.PID] = identify.Relate(h, *req.Command)
			}
		}
	}
	return rel
}

func neverOf(project settings.Settings) func(...string) (string, bool) {
	if len(project.Never) == 0 {
		return nil
	}
	return project.Spares
}

// terminateFailure maps what terminate refused to a failure with a hint.
func terminateFailure(err error, project settings.Settings) error {
	var refused *terminate.RefusedError
	var denied *terminate.PermissionError
	var still *terminate.StillHeldError
	var spared *terminate.SparedError
	var watcher *terminate.WatcherError
	var descriptors *terminate.DescriptorsError
	switch {
	case errors.As(err, &descriptors):
		return fail(Failed, sanitize(err.Error()), "raise the limit on open files (ulimit -n 4096) and try again")
	case errors.As(err, &spared):
		who := fmt.Sprintf("%s (pid %d)", sanitize(spared.Name), spared.PID)
		if spared.PID == 0 {
			who = sanitize(spared.Name) // a container
		}
		return fail(Refused, fmt.Sprintf("portguard will not terminate %s on :%d: %s lists %q under never; nothing was terminated",
			who, spared.Port, sanitize(project.File), spared.Entry),
			"give the command another port, or stop it yourself")
	case errors.As(err, &watcher) && errors.As(err, &denied) && !denied.Forcible:
		return fail(NoPermission, sanitize(err.Error()), "stop it yourself, or run portguard as its owner")
	case errors.As(err, &watcher) && errors.As(err, &denied):
		return fail(NoPermission, sanitize(err.Error()), fmt.Sprintf("to stop it anyway: portguard free --yes --force %d", watcher.Port))
	case errors.As(err, &watcher):
		return fail(Refused, sanitize(err.Error()), "stop it yourself, or give the command another port")
	case errors.As(err, &refused):
		return fail(Refused, sanitize(err.Error()), "stop it yourself, or give the command another port")
	case errors.As(err, &denied) && denied.Forcible:
		return fail(NoPermission, sanitize(err.Error()), fmt.Sprintf("to terminate it anyway: portguard free --yes --force %d", denied.Port))
	case errors.As(err, &denied):
		return fail(NoPermission, sanitize(err.Error()), terminate.ElevateHint(runtime.GOOS, denied.Port))
	case errors.As(err, &still):
		return fail(Held, sanitize(err.Error()), fmt.Sprintf("see who holds it: portguard which %d", still.Port))
	}
	return err
}
