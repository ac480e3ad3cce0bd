package terminate

import (
	"fmt"
	"os"
	"strings"

	"github.com/portguard/portguard/detect"
)

// launchers are programs that start a dev server as their child and may
// start it again: package managers, the shells they run scripts with,
// runtimes with a worker process, watchers and reloaders. Matched on the
// kernel's process name (at most 15 characters).
var launchers = map[string]bool{
	"npm": true, "npm exec": true, "npx": true, "yarn": true, "pnpm": true, "bun": true,
	"node": true, "deno": true, "nodemon": true, "ts-node-dev": true, "tsx": true, "concurrently": true,
	"sh": true, "bash": true, "dash": true, "zsh": true,
	"python": true, "python3": true, "flask": true, "uvicorn": true,
	"ruby": true, "rails": true, "puma": true, "bundle": true,
	"foreman": true, "overmind": true, "honcho": true, "hivemind": true,
	"watchexec": true, "air": true, "reflex": true, "cargo-watch": true, "entr": true,
	"dotnet": true, "dotnet-watch": true, "mix": true, "beam.smp": true,
}

// Plan is what terminating the holders of one port means: the holders,
// the launchers above them in their process group (outermost first), and
// that group's members when it is safe to stop it whole.
type Plan struct {
	Port    int
	Holders []detect.Holder
	Chain   []Proc
	Group   []Proc
}

// NewPlan finds, above each holder, the launchers in its process group:
// `npm run dev` → sh → node. Stopping only node would let npm's watcher
// (or nodemon, or a reloader) start it again.
func NewPlan(holders []detect.Holder) Plan {
	plan := Plan{Holders: holders}
	if len(holders) > 0 {
		plan.Port = holders[0].Port
	}
	protected := protectedPIDs()
	seen := map[int]bool{}
	for _, h := range holders {
		hp, ok := readProc(h.PID)
		if !ok {
			continue
		}
		var chain []Proc
		for p, ok := readProc(hp.PPID); ok && p.PGID == hp.PGID && launchers[p.Name] && mayStop(p, protected); p, ok = readProc(p.PPID) {
			chain = append([]Proc{p}, chain...)
		}
		for _, p := range chain {
			if !seen[p.PID] {
				seen[p.PID] = true
				plan.Chain = append(plan.Chain, p)
			}
		}
		if len(chain) > 0 && plan.Group == nil {
			plan.Group = safeGroup(chain[0], protected)
		}
	}
	return plan
}

// Tree shows the holders with the launchers above them:
// "npm (1200) → sh (1201) → node (1202) holds :3000".
func (p Plan) Tree() string {
	if len(p.Chain) == 0 {
		return ""
	}
	var parts []string
	for _, c := range p.Chain {
		parts = append(parts, c.String())
	}
	var holders []string
	for _, h := range p.Holders {
		holders = append(holders, fmt.Sprintf("%s (%d)", h.Name, h.PID))
	}
	return fmt.Sprintf("%s → %s holds :%d", strings.Join(parts, " → "), strings.Join(holders, ", "), p.Port)
}

// Stops says what will be stopped, for the user: "its process group (4
// processes)" or "npm (1200) and sh (1201) too".
func (p Plan) Stops() string {
	switch {
	case len(p.Group) > 0:
		return fmt.Sprintf("its process group (%d processes)", len(p.Group))
	case len(p.Chain) > 0:
		var names []string
		for _, c := range p.Chain {
			names = append(names, c.String())
		}
		return strings.Join(names, " and ") + " too"
	}
	return ""
}

// targets lists what to signal: the whole group when it is safe, else the
// launchers and the holders. Holders carry their socket's inode, so that
// each is re-checked before the signal.
func (p Plan) targets() []target {
	inodes := map[int]uint64{}
	for _, h := range p.Holders {
		inodes[h.PID] = h.Inode
	}
	var out []target
	seen := map[int]bool{}
	add := func(pr Proc) {
		if !seen[pr.PID] {
			seen[pr.PID] = true
			out = append(out, target{proc: pr, inode: inodes[pr.PID]})
		}
	}
	for _, pr := range p.Group {
		add(pr)
	}
	for _, pr := range p.Chain {
		add(pr)
	}
	for _, h := range p.Holders {
		if pr, ok := readProc(h.PID); ok {
			add(pr)
		}
	}
	return out
}

// protectedPIDs are never signalled: PID 1, portguard and its ancestors.
func protectedPIDs() map[int]bool {
	self := os.Getpid()
	protected := ancestorsOf(self)
	protected[self] = true
	protected[1] = true
	return protected
}

// mayStop: a launcher portguard may stop is not protected and is not a
// terminal's session leader (a login shell, the shell of a terminal
// window). A session leader with no terminal is a daemonised job (setsid,
// nohup &, ssh host cmd) and may be stopped.
func mayStop(p Proc, protected map[int]bool) bool {
	return !protected[p.PID] && p.PID > 1 && !(p.SID == p.PID && p.tty != 0)
}

// safeGroup returns the members of leader's process group when stopping
// the whole group is safe: it is not portguard's own group, and holds no
// protected process and no session leader. Otherwise nil.
func safeGroup(leader Proc, protected map[int]bool) []Proc {
	self, ok := readProc(os.Getpid())
	if !ok || leader.PGID == self.PGID || leader.PGID <= 1 {
		return nil
	}
	var members []Proc
	for _, p := range allProcs() {
		if p.PGID != leader.PGID {
			continue
		}
		if !mayStop(p, protected) {
			return nil
		}
		if p.state != "Z" {
			members = append(members, p)
		}
	}
	return members
}
