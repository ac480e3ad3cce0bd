package terminate

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/portguard/portguard/detect"
)

// Role is what a planned process is to the port being freed.
type Role string

const (
	// RoleHolder holds the listening socket.
	RoleHolder Role = "holder"
	// RoleLauncher started a holder and exists for it alone: npm → sh →
	// node. Left running, it could start the server again, or exit with
	// an error the user then has to read.
	RoleLauncher Role = "launcher"
	// RoleWatcher is a holder's parent that portguard does not know as a
	// launcher: it is signalled only if it starts the server again after
	// the holder is gone (a supervisor that respawns its child).
	RoleWatcher Role = "watcher"
)

// Target is one process the plan signals. Its PID and start time are its
// identity: right before any signal, the process behind the PID is
// checked to be this one.
type Target struct {
	Proc
	Role Role
	// Ports are the ports it holds (a holder) or that the holders it was
	// found from hold (a launcher or watcher).
	Ports []int
	// Inodes are the listening sockets a holder must still hold.
	Inodes []uint64
	// For are the PIDs of the holders a launcher or watcher was found
	// above. A launcher is signalled only while one of them still is the
	// process the plan names: nothing is derived from a process that is
	// gone or was replaced.
	For []int
	// NeedsForce says why terminating it needs --force or the user's
	// explicit answer (a system service; under sudo, another user's
	// process); "" when nothing does.
	NeedsForce string
	// Evidence is why it is in the plan: a holder holds the socket; a
	// launcher's command shows that it exists to run the server.
	Evidence string
}

// Kept is a process above a holder that the plan leaves running, and why:
// the user may expect it to stop with the server.
type Kept struct {
	Proc
	For []int
	Why string
}

// Plan is everything portguard will signal to free some ports, built once
// before anything is shown. The prompt and --dry-run show it, and Execute
// signals exactly its targets, each re-checked by identity first.
type Plan struct {
	// Targets are signalled, launchers outermost first, then the holders.
	Targets []Target
	// Watchers are signalled only if they start a server again once its
	// holder is gone; Refusal is why portguard may not, if it may not.
	Watchers []Watcher
	// Kept are left running (they run other things too, or fail a check).
	Kept []Kept
	// Containers are stopped with docker stop; their forwarders are not
	// targets.
	Containers []detect.Container
	// Unseen are holders whose owner portguard cannot see (another
	// user's process, portguard not being root): Vet refuses them.
	Unseen []detect.Holder

	containerPorts map[string]int // by container ID: the port it publishes
}

// Watcher is a holder's parent that may start it again.
type Watcher struct {
	Target
	Refusal error
}

// Table is the processes a plan is built from: a recorded list (NewTable,
// for tests and systems that list processes in one call) or the live
// system read as Build asks (liveTable: only the holders' ancestors and
// their children, not every process).
type Table struct {
	procs map[int]Proc
	kids  map[int][]int
	// read and children, when set, read what the maps do not hold yet;
	// argv reads a command line the process read did not fill in.
	read     func(pid int) (Proc, bool)
	children func(pid int) []int
	argv     func(pid int) []string
}

// NewTable indexes procs by PID and by parent.
func NewTable(procs []Proc) Table {
	t := Table{procs: make(map[int]Proc, len(procs)), kids: map[int][]int{}}
	for _, p := range procs {
		t.procs[p.PID] = p
		if p.state != "Z" && p.state != "X" {
			t.kids[p.PPID] = append(t.kids[p.PPID], p.PID)
		}
	}
	return t
}

// Snapshot is the live system.
func Snapshot() Table {
	t := liveTable()
	t.argv = func(pid int) []string {
		if d, ok := detect.Process(pid); ok {
			return d.Cmdline
		}
		return nil
	}
	return t
}

func (t Table) proc(pid int) (Proc, bool) {
	if p, ok := t.procs[pid]; ok || t.read == nil {
		return p, ok
	}
	p, ok := t.read(pid)
	if ok {
		t.procs[pid] = p
	}
	return p, ok
}

// withArgv is p with its command line, read if the table lacks it.
func (t Table) withArgv(p Proc) Proc {
	if len(p.Cmdline) == 0 {
		p.Cmdline = t.procs[p.PID].Cmdline
	}
	if len(p.Cmdline) == 0 && t.argv != nil {
		p.Cmdline = t.argv(p.PID)
		if q, ok := t.procs[p.PID]; ok {
			q.Cmdline = p.Cmdline
			t.procs[p.PID] = q
		}
	}
	return p
}

// childrenOf are pid's live children (zombies are not).
func (t Table) childrenOf(pid int) []int {
	if kids, ok := t.kids[pid]; ok || t.children == nil {
		return kids
	}
	var kids []int
	for _, k := range t.children(pid) {
		if p, ok := t.proc(k); ok && p.state != "Z" && p.state != "X" {
			kids = append(kids, k)
		}
	}
	t.kids[pid] = kids
	return kids
}

// Protected are the processes a plan never includes as a launcher or
// watcher, and Check refuses as holders: PID 1, portguard and its
// ancestors (the shell that runs it, make, an editor's task runner).
func Protected() map[int]bool {
	self := os.Getpid()
	protected := ancestorsOf(self)
	protected[self] = true
	protected[1] = true
	return protected
}

// NewPlan builds the plan for the holders from the processes running now,
// and vets every planned process with the rules.
func NewPlan(holders []detect.Holder, rules Rules) (Plan, error) {
	plan := Build(holders, Snapshot(), Protected())
	plan.describe()
	return plan.Vet(rules)
}

// Build is the structural part of a plan, a pure function of the holders
// and a process table:
//   - every holder whose process is in the table (a holder that already
//     exited needs nothing), once, whatever else it is to the others (a
//     reloader or a pre-fork master that holds the socket too);
//   - above each holder, its launchers, upwards while each has evidence
//     in its command that it exists to run the server (launcherEvidence),
//     is in the holder's process group, is not protected, is not a
//     terminal's session leader (a login shell), and has no child of its
//     own outside the plan (concurrently, make -j, a script that starts
//     two servers);
//   - the first ancestor above the launchers that is none of those, as a
//     watcher, if it too has no other child;
//   - the ancestors the walk stopped at because they run other things, as
//     kept.
func Build(holders []detect.Holder, tbl Table, protected map[int]bool) Plan {
	var plan Plan
	index := map[int]int{} // PID → index in plan.Targets
	seenContainer := map[string]bool{}
	for _, h := range holders {
		if c := h.Container; c != nil {
			if !seenContainer[c.ID] {
				seenContainer[c.ID] = true
				plan.Containers = append(plan.Containers, *c)
				if plan.containerPorts == nil {
					plan.containerPorts = map[string]int{}
				}
				plan.containerPorts[c.ID] = h.Port
			}
			continue
		}
		if !h.Visible() {
			plan.Unseen = append(plan.Unseen, h)
			continue
		}
		p, ok := tbl.proc(h.PID)
		if !ok || (!h.Started.IsZero() && !p.Started.IsZero() && !sameSecond(p, h)) {
			continue // gone since detection, or its PID names another process now
		}
		if i, ok := index[h.PID]; ok {
			t := &plan.Targets[i]
			t.Ports = appendNew(t.Ports, h.Port)
			t.Inodes = append(t.Inodes, h.Inode)
			continue
		}
		p.fillFrom(h)
		index[h.PID] = len(plan.Targets)
		plan.Targets = append(plan.Targets, Target{Proc: p, Role: RoleHolder, Ports: []int{h.Port}, Inodes: []uint64{h.Inode}})
	}
	holderCount := len(plan.Targets)
	for i := range plan.Targets {
		plan.Targets[i].Evidence = "holds " + portsString(plan.Targets[i].Ports)
	}
	inPlan := func(pid int) bool { _, ok := index[pid]; return ok }
	isHolder := func(pid int) bool { i, ok := index[pid]; return ok && i >= 0 && i < holderCount }
	var launchersOf [][]Target // per holder, bottom-up
	for i := range holderCount {
		holder := plan.Targets[i]
		var chain []Target
		below := holder.Proc
		for {
			a, ok := tbl.proc(below.PPID)
			if !ok || a.PID <= 1 || protected[a.PID] || a.sessionLeaderOnTTY() || isHolder(a.PID) {
				break
			}
			if others := tbl.otherChildren(a.PID, below.PID, inPlan); len(others) > 0 {
				plan.keep(a, holder.PID, "it also runs "+names(others, tbl, 3))
				break
			}
			a = tbl.withArgv(a)
			why := launcherEvidence(a, tbl.withArgv(below))
			if why == "" || a.PGID != holder.PGID {
				plan.watch(a, holder)
				break
			}
			chain = append(chain, Target{Proc: a, Role: RoleLauncher, Ports: holder.Ports, For: []int{holder.PID}, Evidence: why})
			index[a.PID] = -1 // counts as planned for the launchers above
			below = a
		}
		launchersOf = append(launchersOf, chain)
	}
	plan.Targets = append(mergeLaunchers(launchersOf), plan.Targets...)
	return plan
}

// mergeLaunchers lists every holder's launchers once, outermost first, a
// launcher shared by two holders (one npm, two listeners) with both.
func mergeLaunchers(chains [][]Target) []Target {
	var out []Target
	at := map[int]int{}
	for _, chain := range chains {
		for i := len(chain) - 1; i >= 0; i-- {
			l := chain[i]
			if j, ok := at[l.PID]; ok {
				out[j].For = appendNew(out[j].For, l.For...)
				out[j].Ports = appendNew(out[j].Ports, l.Ports...)
				continue
			}
			at[l.PID] = len(out)
			l.Ports = slices.Clone(l.Ports)
			out = append(out, l)
		}
	}
	return out
}

func (plan *Plan) keep(p Proc, holder int, why string) {
	for i := range plan.Kept {
		if plan.Kept[i].PID == p.PID {
			plan.Kept[i].For = appendNew(plan.Kept[i].For, holder)
			return
		}
	}
	plan.Kept = append(plan.Kept, Kept{Proc: p, For: []int{holder}, Why: why})
}

func (plan *Plan) watch(p Proc, holder Target) {
	for i := range plan.Watchers {
		if w := &plan.Watchers[i]; w.PID == p.PID {
			w.For = appendNew(w.For, holder.PID)
			w.Ports = appendNew(w.Ports, holder.Ports...)
			return
		}
	}
	plan.Watchers = append(plan.Watchers, Watcher{Target: Target{Proc: p, Role: RoleWatcher, Ports: slices.Clone(holder.Ports), For: []int{holder.PID},
		Evidence: "signalled only if it starts the server again"}})
}

// otherChildren are pid's live children other than below that the plan
// does not hold.
func (t Table) otherChildren(pid, below int, inPlan func(int) bool) []int {
	var out []int
	for _, k := range t.childrenOf(pid) {
		if k != below && !inPlan(k) {
			out = append(out, k)
		}
	}
	return out
}

func names(pids []int, tbl Table, max int) string {
	var parts []string
	for i, pid := range pids {
		if i == max {
			parts = append(parts, fmt.Sprintf("%d more", len(pids)-max))
			break
		}
		p, _ := tbl.proc(pid)
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ", ")
}

// describe fills in, for the processes a plan found above the holders,
// what the prompt shows and the checks need: owner, command line.
func (plan *Plan) describe() {
	fill := func(p *Proc) {
		if d, ok := detect.Process(p.PID); ok {
			p.fillFrom(d)
		} else {
			p.UID = -1
		}
	}
	for i := range plan.Targets {
		if plan.Targets[i].Role != RoleHolder {
			fill(&plan.Targets[i].Proc)
		}
		plan.Targets[i].signalUIDs = signalUIDs(plan.Targets[i].PID)
	}
	for i := range plan.Watchers {
		fill(&plan.Watchers[i].Proc)
		plan.Watchers[i].signalUIDs = signalUIDs(plan.Watchers[i].PID)
	}
	for i := range plan.Kept {
		fill(&plan.Kept[i].Proc)
	}
}

// fillFrom takes the details a detect.Holder carries, its name among
// them: the program's own, where the kernel's is cut at 15 characters.
func (p *Proc) fillFrom(h detect.Holder) {
	p.UID, p.User, p.Cwd = h.UID, h.User, h.Cwd
	if len(h.Cmdline) > 0 {
		p.Cmdline = h.Cmdline
	}
	if h.Name != "" {
		p.Name = h.Name
	}
}

// Holders are the plan's holder targets.
func (plan Plan) Holders() []Target { return plan.byRole(RoleHolder) }

// Launchers are the plan's launcher targets, outermost first.
func (plan Plan) Launchers() []Target { return plan.byRole(RoleLauncher) }

func (plan Plan) byRole(r Role) []Target {
	var out []Target
	for _, t := range plan.Targets {
		if t.Role == r {
			out = append(out, t)
		}
	}
	return out
}

// Empty reports whether the plan signals nothing and stops no container.
func (plan Plan) Empty() bool { return len(plan.Targets) == 0 && len(plan.Containers) == 0 }

// Names are the names a process is known by, for the project's never list:
// its kernel name, and the base name of each word of its command line that
// is not a flag, words of a shell's -c string included. A node-run server
// is named node, but its command says vite (node …/.bin/vite, npm run dev
// → sh -c vite): never = ["vite"] protects it.
func (p Proc) Names() []string {
	out := []string{p.Name}
	add := func(word string) {
		if word == "" || strings.HasPrefix(word, "-") {
			return
		}
		if b := filepath.Base(word); !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	for _, w := range strings.Fields(p.Name) {
		add(w)
	}
	for _, arg := range p.Cmdline {
		// One word a line, whatever it holds: npm's retitled "npm run
		// dev", a -c string "vite --port 3000".
		for _, w := range strings.Fields(arg) {
			add(w)
		}
	}
	return withNormalNames(out)
}

// programNames are the names of the program a process runs: its kernel
// name, that name's first word, and its argv[0]'s base name; what the
// system-service names are matched with.
func (p Proc) programNames() []string {
	out := []string{p.Name}
	if first, _, _ := strings.Cut(p.Name, " "); first != p.Name {
		out = append(out, first)
	}
	if len(p.Cmdline) > 0 {
		prog, _, _ := strings.Cut(p.Cmdline[0], " ")
		out = append(out, filepath.Base(prog))
	}
	return withNormalNames(out)
}

func withNormalNames(names []string) []string {
	for _, n := range slices.Clone(names) {
		if norm := normalName(runtime.GOOS, n); norm != n {
			names = append(names, norm)
		}
	}
	return names
}

// normalName is a process name as a user writes it: on Windows, where
// names keep their .exe and case does not matter, "postgres" for
// "Postgres.EXE", so that never = ["postgres"] and the system-service
// names match there too.
func normalName(goos, name string) string {
	if goos != "windows" {
		return name
	}
	lower := strings.ToLower(name)
	return strings.TrimSuffix(lower, ".exe")
}

func appendNew[T comparable](s []T, vs ...T) []T {
	for _, v := range vs {
		if !slices.Contains(s, v) {
			s = append(s, v)
		}
	}
	return s
}

func portsString(ports []int) string {
	// A server on thousands of ports is one line in the plan, not a page.
	const shown = 4
	parts := make([]string, 0, min(len(ports), shown))
	for _, p := range ports[:min(len(ports), shown)] {
		parts = append(parts, fmt.Sprintf(":%d", p))
	}
	if len(ports) > shown {
		return strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", len(ports)-shown)
	}
	return strings.Join(parts, ", ")
}

// sessionLeaderOnTTY: a terminal's session leader is the login shell or a
// terminal window's shell. A session leader with no terminal is a
// daemonised job (setsid, nohup &, ssh host cmd) and may be a launcher.
func (p Proc) sessionLeaderOnTTY() bool { return p.SID == p.PID && p.tty != 0 }

// sameSecond reports whether the table's process started when the holder
// portguard looked at started, to the second that both are known to.
func sameSecond(p Proc, h detect.Holder) bool {
	d := p.Started.Sub(h.Started)
	return d > -1e9 && d < 1e9
}
