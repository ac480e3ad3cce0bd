package guard

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/internal/display"
	"github.com/portguard/portguard/prompt"
	"github.com/portguard/portguard/terminate"
)

var sanitize = display.Safe

// promptRows is how many planned processes the prompt lists before it
// collapses the rest into a count; --dry-run lists them all.
const promptRows = 8

// describe shows each held port's holders and what they are to the
// command (an earlier copy of it), then the plan: every process that
// terminating signals, and what it leaves running. rows bounds the
// plan's list (0: all of it).
func describe(w io.Writer, held map[int][]detect.Holder, rel map[int]identify.Finding, plan *terminate.Plan, rows int) {
	now := time.Now()
	// A process that holds several of the ports is described once, then
	// named with the rest of its ports in one line: a server on thousands
	// of ports is a few lines, not thousands of blocks.
	described := map[int]bool{}
	also := map[int][]int{}
	var alsoOrder []detect.Holder
	for _, p := range sortedPorts(held) {
		var fresh []detect.Holder
		for _, h := range held[p] {
			if h.Visible() && h.Container == nil && described[h.PID] {
				if len(also[h.PID]) == 0 {
					alsoOrder = append(alsoOrder, h)
				}
				also[h.PID] = append(also[h.PID], p)
				continue
			}
			described[h.PID] = h.Visible()
			fresh = append(fresh, h)
			if f := rel[h.PID]; f.Relation == identify.EarlierCopy {
				started := ""
				if !h.Started.IsZero() {
					started = "started " + prompt.Age(now.Sub(h.Started)) + " ago "
				}
				fmt.Fprintf(w, "an earlier %q of this project (%sin %s) holds :%d\n", sanitize(f.Command), started, sanitize(f.Where), p)
			}
		}
		prompt.Describe(w, fresh, now)
	}
	for _, h := range alsoOrder {
		fmt.Fprintf(w, "%s (pid %d) also holds %s\n", sanitize(h.Name), h.PID, portsList(also[h.PID], 4))
	}
	if plan != nil {
		describePlan(w, *plan, rows)
	}
}

// portsList is ":3000, :3001", at most max ports and a count of the rest.
func portsList(ports []int, max int) string {
	var parts []string
	for _, p := range ports[:min(len(ports), max)] {
		parts = append(parts, ":"+strconv.Itoa(p))
	}
	if len(ports) > max {
		return strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", len(ports)-max)
	}
	return strings.Join(parts, ", ")
}

// routine reports whether freeing is the everyday case: every holder is
// an earlier copy of the command, and the plan is a few processes of the
// user's own, with nothing kept, watched or stopped through docker.
func routine(held map[int][]detect.Holder, rel map[int]identify.Finding, plan terminate.Plan) bool {
	if len(held) == 0 || len(plan.Targets) > 4 || len(plan.Watchers) > 0 || len(plan.Kept) > 0 || len(plan.Containers) > 0 {
		return false
	}
	for _, t := range plan.Targets {
		if t.NeedsForce != "" {
			return false
		}
	}
	return allEarlier(held, rel)
}

// describeShort is the routine case in two lines: which earlier copy holds
// each port, and every process terminating would signal.
func describeShort(w io.Writer, held map[int][]detect.Holder, rel map[int]identify.Finding, plan terminate.Plan) {
	now := time.Now()
	said := map[int]bool{}
	for _, p := range sortedPorts(held) {
		for _, h := range held[p] {
			if said[h.PID] {
				continue
			}
			said[h.PID] = true
			f := rel[h.PID]
			started := ""
			if !h.Started.IsZero() {
				started = "started " + prompt.Age(now.Sub(h.Started)) + " ago "
			}
			fmt.Fprintf(w, "an earlier %q of this project (%sin %s) holds :%d\n", sanitize(f.Command), started, sanitize(f.Where), p)
		}
	}
	var names []string
	for _, t := range plan.Holders() {
		names = append(names, sanitize(t.String()))
	}
	for _, t := range plan.Launchers() {
		names = append(names, sanitize(t.String()))
	}
	fmt.Fprintf(w, "terminating would signal %s\n", listNames(names, len(names)))
}

// describePlan lists what terminating would signal, when that is more than the
// one holder already described, and what it leaves running.
func describePlan(w io.Writer, plan terminate.Plan, rows int) {
	if len(plan.Targets) > 1 || len(plan.Watchers) > 0 || rows == 0 && len(plan.Targets) > 0 {
		fmt.Fprintf(w, "terminating would signal %s:\n", count(len(plan.Targets), "process", "processes"))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, t := range plan.Targets {
			if rows > 0 && i == rows-1 && len(plan.Targets) > rows {
				fmt.Fprintf(tw, "    … and %d more (portguard --dry-run lists them all)\n", len(plan.Targets)-i)
				break
			}
			// The evidence for its place in the plan: the socket it holds,
			// or what shows that a launcher exists to run the server.
			fmt.Fprintf(tw, "    %s\t%s\t%s\t(%s)\n", t.Role, sanitize(t.String()), sanitize(prompt.Clip(commandOf(t.Proc), 60)), sanitize(t.Evidence))
		}
		for _, wt := range plan.Watchers {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t(%s)\n", wt.Role, sanitize(wt.String()), sanitize(prompt.Clip(commandOf(wt.Proc), 60)), sanitize(wt.Evidence))
		}
		tw.Flush()
	}
	for _, k := range plan.Kept {
		fmt.Fprintf(w, "left running: %s, which started it (%s): %s\n", sanitize(k.String()), sanitize(prompt.Clip(commandOf(k.Proc), 60)), sanitize(k.Why))
	}
}

// commandOf is a planned process's command line for a one-line list:
// paths shortened to their last element (node …/concurrently npm:web),
// since the directories of node_modules say little and push the rest
// off the line.
func commandOf(p terminate.Proc) string { return ShortCommand(p.Cmdline, p.Name) }

// ShortCommand is a command line for a one-line list (ls, the plan):
// argv with long paths after the first word cut to their last element,
// or [name] for a process without one (a kernel thread, a zombie).
func ShortCommand(argv []string, name string) string {
	if len(argv) == 0 {
		return "[" + name + "]"
	}
	words := make([]string, len(argv))
	for i, a := range argv {
		if i > 0 && strings.Count(a, "/") > 1 && !strings.ContainsAny(a, " =") {
			a = "…/" + a[strings.LastIndexByte(a, '/')+1:]
		}
		words[i] = a
	}
	return strings.Join(words, " ")
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func sortedPorts(held map[int][]detect.Holder) []int {
	return slices.Sorted(maps.Keys(held))
}

// PortList is "3000,3001", for hints.
func PortList(held map[int][]detect.Holder) string {
	var parts []string
	for _, p := range sortedPorts(held) {
		parts = append(parts, strconv.Itoa(p))
	}
	return strings.Join(parts, ",")
}

// PortsAre says ":3000 is" or ":3000, :3001 are".
func PortsAre(ports []int) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = ":" + strconv.Itoa(p)
	}
	if len(parts) == 1 {
		return parts[0] + " is"
	}
	return strings.Join(parts, ", ") + " are"
}

// planNames lists what the plan signals and stops: "node (pid 4242),
// container shop-db-1".
func planNames(plan terminate.Plan) string {
	var names []string
	for _, t := range plan.Targets {
		names = append(names, sanitize(t.String()))
	}
	for _, c := range plan.Containers {
		names = append(names, "container "+sanitize(c.Name))
	}
	return strings.Join(names, ", ")
}

// HeldSentence says what holds the ports: ":3000 is held by node (pid 4242)".
func HeldSentence(held map[int][]detect.Holder) string {
	var parts []string
	ports := sortedPorts(held)
	const shown = 4 // a server on thousands of ports is one sentence
	for _, p := range ports[:min(len(ports), shown)] {
		var names []string
		for _, h := range held[p] {
			names = append(names, fmt.Sprintf("%s (pid %d)", sanitize(h.Name), h.PID))
		}
		parts = append(parts, fmt.Sprintf(":%d is held by %s", p, strings.Join(names, ", ")))
	}
	if len(ports) > shown {
		parts = append(parts, fmt.Sprintf("and %d more ports are held", len(ports)-shown))
	}
	return strings.Join(parts, "; ")
}

// resultLines says what was done: one line for the processes that ended
// on the same signal ("terminated node (pid 1202), sh (pid 1201) and npm
// (pid 1200) with SIGTERM after 120ms"), and a line each for those skipped
// or still running when the wait was interrupted.
func resultLines(results []terminate.Result) []string {
	var lines []string
	// Holders first: the process on the port is what the line is about.
	results = slices.Clone(results)
	slices.SortStableFunc(results, func(a, b terminate.Result) int {
		return cmp.Compare(roleOrder(a.Role), roleOrder(b.Role))
	})
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		var names []string
		var took time.Duration
		for _, r := range results {
			if r.Signal == sig && !r.Running {
				names = append(names, fmt.Sprintf("%s (pid %d)", r.Name, r.PID))
				took = max(took, r.Elapsed)
			}
		}
		if len(names) == 0 {
			continue
		}
		shown := names
		if len(names) > 4 {
			shown = append(names[:3:3], fmt.Sprintf("%d more processes", len(names)-3))
		}
		lines = append(lines, fmt.Sprintf("terminated %s with %s after %s", listNames(shown, len(shown)), terminate.SignalName(sig), terminate.RoundElapsed(took)))
	}
	for _, r := range results {
		if r.Signal == 0 || r.Running {
			lines = append(lines, r.String())
		}
	}
	return lines
}

func roleOrder(r terminate.Role) int {
	switch r {
	case terminate.RoleHolder:
		return 0
	case terminate.RoleLauncher:
		return 1
	}
	return 2
}
