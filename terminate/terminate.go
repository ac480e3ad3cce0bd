// Package terminate stops the processes that hold a port: SIGTERM, a grace
// period, SIGKILL if needed, then a check that the port really is free.
//
// Everything it signals is in one Plan, built once before anything is
// shown: the holders, the launchers above them that exist for them alone,
// and the watchers that are stopped only if they start a server again.
// Every planned process passes the same checks (Vet), and Execute signals
// exactly the plan. Each process is opened as a pidfd and re-checked
// through it (the same start time; for a holder, the same socket) before
// any signal, so a PID reused in the meantime is never signalled, and
// nothing found from a process that is gone is signalled either.
package terminate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/internal/display"
	"github.com/portguard/portguard/internal/owner"
)

// Result says how one planned process ended.
type Result struct {
	PID  int
	Name string
	Role Role
	// Signal is the last signal sent: SIGTERM or SIGKILL, or 0 when none
	// was sent.
	Signal  syscall.Signal
	Elapsed time.Duration
	// Skipped says why no signal was sent, when none was.
	Skipped string
	// Running: the signal was sent, and the process still ran when the
	// wait for it was interrupted.
	Running bool
}

func (r Result) String() string {
	who := fmt.Sprintf("%s (pid %d)", r.Name, r.PID)
	if r.Signal == 0 {
		return who + " " + r.Skipped
	}
	if r.Running {
		return fmt.Sprintf("sent %s to %s, which still runs: the wait for it was interrupted", signalName(r.Signal), who)
	}
	return fmt.Sprintf("terminated %s with %s after %s", who, signalName(r.Signal), round(r.Elapsed))
}

// Why no signal was sent.
const (
	exitedByItself = "exited by itself"
	replaced       = "was gone before its signal; its pid now names another process, which was left alone"
	serverGone     = "was left running: the server it started was gone before the signal"
	// gainedChild is a launcher that started something else since the
	// plan was made: it no longer exists for the server alone.
	gainedChild = "was left running: it started %s since the plan was made"
)

// RefusedError means a holder is a process portguard must never signal.
type RefusedError struct {
	Port   int
	PID    int
	Name   string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to terminate %s (pid %d), which holds :%d: %s", e.Name, e.PID, e.Port, e.Reason)
}

// PermissionError means portguard may not signal a planned process: it
// belongs to another user, or it is a system service and --force was not
// given.
type PermissionError struct {
	Port int
	PID  int
	Name string
	User string
	// Forcible: --force (with sudo where needed) would allow it.
	Forcible bool
	Reason   string
	// Signalled lists what had already been sent SIGTERM when the
	// permission was refused in the middle of a stop; empty when nothing
	// was signalled.
	Signalled []string
}

func (e *PermissionError) Error() string {
	var msg string
	switch {
	case e.PID == 0:
		msg = display.Unseen(e.Port, e.User)
	case e.Reason != "":
		msg = fmt.Sprintf("not terminating %s (pid %d) for :%d: %s", e.Name, e.PID, e.Port, e.Reason)
	default:
		msg = fmt.Sprintf("not allowed to terminate %s (pid %d) of user %s, for :%d", e.Name, e.PID, e.User, e.Port)
	}
	if len(e.Signalled) > 0 {
		msg += "; SIGTERM was already sent to " + strings.Join(e.Signalled, ", ")
	}
	return msg
}

// SparedError means a planned holder is one the project's settings say
// never to terminate.
type SparedError struct {
	Port  int
	PID   int
	Name  string
	Entry string // the never entry that matched
}

func (e *SparedError) Error() string {
	return fmt.Sprintf("portguard will not terminate %s (pid %d) on :%d: it is listed under never as %q", e.Name, e.PID, e.Port, e.Entry)
}

// WatcherError means the server was started again by a watcher that
// portguard may not stop.
type WatcherError struct {
	Port    int
	Watcher Proc
	Server  detect.Holder
	Reason  error
}

func (e *WatcherError) Error() string {
	return fmt.Sprintf("%s started the server on :%d again (%s, pid %d), and portguard leaves it alone: %v",
		e.Watcher, e.Port, e.Server.Name, e.Server.PID, e.Reason)
}

func (e *WatcherError) Unwrap() error { return e.Reason }

// StillHeldError means the port did not come free: the holder survived
// SIGKILL, or another process took the port at once.
type StillHeldError struct {
	Port int
	PID  int
	Name string
	// Again: the port came free, then was taken again at once;
	// LeftBehind: by a process its holder left in its process group.
	Again, LeftBehind bool
}

func (e *StillHeldError) Error() string {
	switch {
	case e.LeftBehind:
		return fmt.Sprintf(":%d was taken again by %s (pid %d), which its holder left behind as it exited; it was not signalled", e.Port, e.Name, e.PID)
	case e.Again:
		return fmt.Sprintf(":%d was taken again by %s (pid %d) right after its holder exited", e.Port, e.Name, e.PID)
	case e.PID == 0:
		return fmt.Sprintf(":%d is still held after its holders were terminated", e.Port)
	}
	return fmt.Sprintf(":%d is still held by %s (pid %d)", e.Port, e.Name, e.PID)
}

// DescriptorsError means portguard ran out of file descriptors while it
// opened the plan's processes to check them: nothing was signalled, and
// none of them is taken for gone.
type DescriptorsError struct {
	Port    int
	Targets int // how many processes the plan holds open at once
	Err     error
}

func (e *DescriptorsError) Error() string {
	return fmt.Sprintf("portguard ran out of file descriptors while checking the %d processes it would signal for :%d (%v); nothing was signalled",
		e.Targets, e.Port, e.Err)
}

func (e *DescriptorsError) Unwrap() error { return e.Err }

// Rules are the checks every planned process passes.
type Rules struct {
	// Force allows terminating system services and, under sudo, other
	// users' processes.
	Force bool
	// Allowed are processes the user was warned about and chose to
	// terminate anyway: they pass as if with Force, and nothing else does.
	Allowed []Proc
	// Never reports the entry of the project's never list that one of a
	// process's names matches; nil when there is no list.
	Never func(names ...string) (string, bool)
}

func (r Rules) forced(p Proc) bool {
	return r.Force || slices.ContainsFunc(r.Allowed, func(a Proc) bool { return a.PID == p.PID && a.start == p.start })
}

// Vet applies the rules to every process of the plan:
//   - a holder that fails them refuses the whole plan (an error); one that
//     needs --force is marked (NeedsForce) unless Force allows it, for the
//     caller to ask about or refuse;
//   - a launcher that fails them is left running, with those above it;
//   - a watcher that fails them keeps its refusal, reported only if it
//     starts the server again.
func (plan Plan) Vet(rules Rules) (Plan, error) {
	protected := Protected()
	owner, who := InvokingUser()
	if len(plan.Unseen) > 0 {
		h := plan.Unseen[0]
		return plan, &PermissionError{Port: h.Port, User: h.User}
	}
	// A container is stopped with docker stop, but never is never all the
	// same: its name or its image.
	for _, c := range plan.Containers {
		if rules.Never == nil {
			break
		}
		if entry, ok := rules.Never(c.Name, c.Image); ok {
			return plan, &SparedError{Port: plan.containerPorts[c.ID], Name: "container " + c.Name, Entry: entry}
		}
	}
	for i := range plan.Targets {
		t := &plan.Targets[i]
		if t.Role != RoleHolder {
			continue
		}
		err := check(t.Proc, t.Ports[0], rules, protected, owner, who)
		var denied *PermissionError
		if errors.As(err, &denied) && denied.Forcible {
			t.NeedsForce = denied.Reason
			continue
		}
		if err != nil {
			return plan, err
		}
	}
	// Launchers, per holder from the bottom up: the first that fails
	// leaves itself and those above it running for that holder.
	cut := map[int]map[int]bool{} // launcher PID → holders it is cut for
	for _, h := range plan.Holders() {
		chain := plan.chainOf(h.PID)
		for i, l := range chain {
			err := check(l.Proc, h.Ports[0], rules, protected, owner, who)
			var denied *PermissionError
			if errors.As(err, &denied) && denied.Forcible && rules.forced(l.Proc) {
				err = nil
			}
			if err == nil {
				continue
			}
			plan.keep(l.Proc, h.PID, reasonOf(err))
			for _, above := range chain[i:] {
				if cut[above.PID] == nil {
					cut[above.PID] = map[int]bool{}
				}
				cut[above.PID][h.PID] = true
			}
			break
		}
	}
	kept := plan.Targets[:0:0]
	for _, t := range plan.Targets {
		if t.Role == RoleLauncher {
			t.For = slices.DeleteFunc(slices.Clone(t.For), func(pid int) bool { return cut[t.PID][pid] })
			if len(t.For) == 0 {
				continue
			}
		}
		kept = append(kept, t)
	}
	plan.Targets = kept
	for i := range plan.Watchers {
		w := &plan.Watchers[i]
		err := check(w.Proc, w.Ports[0], rules, protected, owner, who)
		var denied *PermissionError
		if errors.As(err, &denied) && denied.Forcible && rules.Force {
			err = nil
		}
		w.Refusal = err
	}
	return plan, nil
}

// chainOf is the launchers above a holder, from the bottom up.
func (plan Plan) chainOf(holder int) []Target {
	var chain []Target
	for _, t := range plan.Targets {
		if t.Role == RoleLauncher && slices.Contains(t.For, holder) {
			chain = append([]Target{t}, chain...)
		}
	}
	return chain
}

func reasonOf(err error) string {
	var refused *RefusedError
	var denied *PermissionError
	var spared *SparedError
	switch {
	case errors.As(err, &refused):
		return refused.Reason
	case errors.As(err, &denied) && denied.Reason != "":
		return denied.Reason
	case errors.As(err, &denied):
		return "it belongs to " + denied.User
	case errors.As(err, &spared):
		return fmt.Sprintf("it is listed under never as %q", spared.Entry)
	}
	return err.Error()
}

// check is the one test every planned process passes: not protected, not
// spared by the project's never list, the user's own (or allowed by
// Force), and not a system service (or allowed by Force).
func check(p Proc, port int, rules Rules, protected map[int]bool, owner int, who string) error {
	self := os.Getpid()
	switch {
	case p.PID == 1:
		return &RefusedError{Port: port, PID: p.PID, Name: p.Name, Reason: "it is PID 1, the system's init"}
	case p.PID == self:
		return &RefusedError{Port: port, PID: p.PID, Name: p.Name, Reason: "it is portguard itself"}
	case protected[p.PID]:
		return &RefusedError{Port: port, PID: p.PID, Name: p.Name, Reason: "it is one of portguard's own parents (the shell or tool that started it)"}
	}
	if rules.Never != nil {
		if entry, ok := rules.Never(p.Names()...); ok {
			return &SparedError{Port: port, PID: p.PID, Name: p.Name, Entry: entry}
		}
	}
	euid := os.Geteuid()
	user := p.User
	if user == "" {
		user = "uid " + strconv.Itoa(p.UID)
	}
	if !ownersByUID(runtime.GOOS) {
		// Windows: no UIDs (Geteuid is -1 there); owners are SIDs.
		if err := sidOwnerCheck(p, port, rules, user, selfOwner()); err != nil {
			return err
		}
		return systemServiceCheck(p, port, rules, user)
	}
	// The user's own process is one kill(2) would let them signal: its
	// real or saved ID is theirs. A root process that only lowered its
	// effective ID to the user's is not.
	mine := p.UID == owner
	if len(p.signalUIDs) > 0 {
		mine = slices.Contains(p.signalUIDs, owner)
	}
	switch {
	case !mine && euid != 0:
		return &PermissionError{Port: port, PID: p.PID, Name: p.Name, User: user}
	case !mine && !rules.forced(p):
		// root may signal anyone, but acts for one user: the one who
		// ran sudo, or root itself.
		return &PermissionError{Port: port, PID: p.PID, Name: p.Name, User: user, Forcible: true,
			Reason: fmt.Sprintf("it belongs to %s, not to you (%s)", user, who)}
	}
	return systemServiceCheck(p, port, rules, user)
}

func systemServiceCheck(p Proc, port int, rules Rules, user string) error {
	if why := SystemService(p); why != "" && !rules.forced(p) {
		return &PermissionError{Port: port, PID: p.PID, Name: p.Name, User: user, Forcible: true, Reason: why}
	}
	return nil
}

// ownersByUID says whether goos names a process's owner by UID, which the
// owner rule compares. Windows names it by the token's user SID
// (sidOwnerCheck).
func ownersByUID(goos string) bool { return goos != "windows" }

// sidOwnerCheck is the owner rule where owners are SIDs: another user's
// process is refused unless --force allows it (from an elevated terminal,
// where Windows lets portguard stop it). An owner that could not be read
// (an elevated process's token is closed to a normal one) is left to the
// system, which then refuses TerminateProcess, reported with the hint to
// run elevated.
func sidOwnerCheck(p Proc, port int, rules Rules, user, self string) error {
	if p.Owner == "" || self == "" || p.Owner == self || rules.forced(p) {
		return nil
	}
	return &PermissionError{Port: port, PID: p.PID, Name: p.Name, User: user, Forcible: true,
		Reason: fmt.Sprintf("it belongs to %s, not to you", user)}
}

// ElevateHint is what to do when the system refused to let portguard
// signal a process: sudo on Unix, an elevated terminal on Windows.
func ElevateHint(goos string, port int) string {
	if goos == "windows" {
		return fmt.Sprintf("run portguard free %d from an elevated terminal (Run as administrator)", port)
	}
	return fmt.Sprintf("sudo portguard free %d", port)
}

// Options tune Execute.
type Options struct {
	// Grace is how long a process has to exit after SIGTERM before SIGKILL.
	Grace time.Duration
	// Rules vet a server that a watcher starts again, and the watcher.
	Rules Rules
	// Respawn is how long to watch the ports after their holders are gone,
	// when a watcher could start the server again; 0 means a second.
	Respawn time.Duration
	// Protocol of the ports; "" is TCP.
	Protocol detect.Protocol
	// Waiting, when set, hears about a grace that takes a while: once a
	// second after the first, with what still runs and how long it has
	// left before SIGKILL, and once with nil when the wait ends. A
	// server that stops in a moment is not worth a line.
	Waiting func(running []string, left time.Duration)
}

// settleTime is how long a killed process and the port may take to clear.
const settleTime = time.Second

// Execute signals exactly the plan's targets and waits until their ports
// can be bound. Every target is opened and checked to be the planned
// process first; if any may not be signalled, nothing is. A holder that is
// gone or replaced is skipped, and so are the launchers found above it.
// Cancelling ctx stops the waiting; the error is then ctx.Err().
func Execute(ctx context.Context, plan Plan, opt Options) ([]Result, error) {
	if opt.Respawn <= 0 {
		opt.Respawn = time.Second
	}
	if opt.Protocol == "" {
		opt.Protocol = detect.TCP
	}
	// Only a process that joins the holders' groups as they go, or a child
	// of a signalled process, can be one they left behind: note the
	// children now, and when the signals start (a few reads, not a scan),
	// and the last process ID handed out before, so that those started
	// since are found without reading every process.
	mark := pidMark()
	kids := map[int]bool{}
	live := Snapshot()
	for _, t := range plan.Targets {
		for _, k := range live.childrenOf(t.PID) {
			kids[k] = true
		}
	}
	signalled := time.Now()
	results, err := stop(ctx, plan.Targets, opt.Grace, opt.Waiting)
	if err != nil {
		return results, err
	}
	var ports []int
	for _, t := range plan.Holders() {
		ports = appendNew(ports, t.Ports...)
	}
	if err := waitFree(ctx, opt.Protocol, ports); err != nil {
		return results, err
	}
	if len(plan.Watchers) == 0 && len(plan.Kept) == 0 {
		// A holder may leave a process behind in its group (forked as it
		// went) that takes the port again: the command would then fail to
		// bind. Watch the ports a moment while one lives.
		left := leftBehind(plan, kids, signalled, mark)
		if len(left) == 0 {
			return results, nil
		}
		return results, watchLeftBehind(ctx, ports, left, opt)
	}
	more, err := watchRespawn(ctx, plan, ports, opt)
	return append(results, more...), err
}

// stop opens every target, skips those that are no longer the planned
// process (and the launchers of a skipped holder), then sends SIGTERM to
// the rest, waits up to grace, and sends SIGKILL to those left.
func stop(ctx context.Context, targets []Target, grace time.Duration, waiting func([]string, time.Duration)) ([]Result, error) {
	var results []Result
	var handles []*handle
	var roles []Role
	defer func() {
		for _, h := range handles {
			h.close()
		}
	}()
	gone := map[int]bool{}
	// Holders first, so that their launchers can be skipped when they
	// are gone.
	order := slices.Clone(targets)
	slices.SortStableFunc(order, func(a, b Target) int { return boolInt(a.Role != RoleHolder) - boolInt(b.Role != RoleHolder) })
	opened := map[int]*handle{}
	for _, t := range order {
		if t.Role == RoleLauncher && !slices.ContainsFunc(t.For, func(pid int) bool { return !gone[pid] }) {
			results = append(results, Result{PID: t.PID, Name: t.Name, Role: t.Role, Skipped: serverGone})
			continue
		}
		h, err := open(t.Proc, t.Inodes)
		if errors.Is(err, errGone) {
			gone[t.PID] = true
			why := exitedByItself
			if now, ok := readProc(t.PID); ok && now.start != t.start {
				why = replaced
			}
			results = append(results, Result{PID: t.PID, Name: t.Name, Role: t.Role, Skipped: why})
			continue
		}
		if errors.Is(err, syscall.EPERM) {
			return results, &PermissionError{Port: t.Ports[0], PID: t.PID, Name: t.Name, User: userOf(t.Proc)}
		}
		if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
			return results, &DescriptorsError{Port: t.Ports[0], Targets: len(targets), Err: err}
		}
		if err != nil {
			return results, err
		}
		opened[t.PID] = h
	}
	// A launcher is one because its only child was the server: checked
	// again now, after the prompt, against what the plan signals.
	planned := map[int]bool{}
	for _, t := range targets {
		planned[t.PID] = true
	}
	live := Snapshot()
	for _, t := range targets {
		h, ok := opened[t.PID]
		if !ok || t.Role != RoleLauncher {
			continue
		}
		if others := live.otherChildren(t.PID, 0, func(pid int) bool { return planned[pid] }); len(others) > 0 {
			results = append(results, Result{PID: t.PID, Name: t.Name, Role: t.Role, Skipped: fmt.Sprintf(gainedChild, names(others, live, 3))})
			h.close()
			delete(opened, t.PID)
		}
	}
	// Signal in the plan's order: launchers outermost first, so that none
	// is left to start its server again while the holder goes.
	var signalled []string
	var impolite []*handle // the polite request could not be delivered: no grace
	for _, t := range targets {
		h, ok := opened[t.PID]
		if !ok {
			continue
		}
		switch err := h.signal(syscall.SIGTERM); {
		case errors.Is(err, errNoPoliteStop):
			impolite = append(impolite, h)
		case errors.Is(err, errGone):
			results = append(results, Result{PID: t.PID, Name: t.Name, Role: t.Role, Skipped: exitedByItself})
			h.close()
			continue
		case errors.Is(err, syscall.EPERM):
			h.close()
			return results, &PermissionError{Port: t.Ports[0], PID: t.PID, Name: t.Name, User: userOf(t.Proc), Signalled: signalled}
		case err != nil:
			h.close()
			return results, fmt.Errorf("sending SIGTERM to %s (pid %d): %w", t.Name, t.PID, err)
		}
		h.resume()
		signalled = append(signalled, t.String())
		handles = append(handles, h)
		roles = append(roles, t.Role)
	}
	start := time.Now()
	sent := make([]syscall.Signal, len(handles))
	for i := range sent {
		sent[i] = syscall.SIGTERM
	}
	for i, h := range handles {
		if slices.Contains(impolite, h) && h.signal(syscall.SIGKILL) == nil {
			sent[i] = syscall.SIGKILL
		}
	}
	if len(impolite) == len(handles) {
		grace = 0 // nothing to wait for: every one was stopped at once
	}
	left, err := waitExit(ctx, handles, grace, waiting)
	if err != nil {
		// Interrupted: say what was signalled, and what still runs.
		running := map[int]bool{}
		for _, i := range left {
			running[i] = true
		}
		for i, h := range handles {
			results = append(results, Result{PID: h.PID, Name: h.Name, Role: roles[i], Signal: sent[i], Elapsed: time.Since(start), Running: running[i]})
		}
		return results, err
	}
	for _, i := range left {
		if err := handles[i].signal(syscall.SIGKILL); err == nil {
			sent[i] = syscall.SIGKILL
		}
	}
	if len(left) > 0 {
		left, err = waitExit(ctx, handles, settleTime, nil)
	}
	elapsed := time.Since(start)
	for i, h := range handles {
		results = append(results, Result{PID: h.PID, Name: h.Name, Role: roles[i], Signal: sent[i], Elapsed: elapsed})
	}
	if err != nil {
		return results, err
	}
	if len(left) > 0 {
		h := handles[left[0]]
		port := 0
		for _, t := range targets {
			if t.PID == h.PID {
				port = t.Ports[0]
			}
		}
		return results, &StillHeldError{Port: port, PID: h.PID, Name: h.Name}
	}
	return results, nil
}

// waitExit waits up to limit for every handle to exit and returns the
// indexes of those still running. It sleeps in the kernel until one of
// them exits (pollExit), waking at least every 100 ms to notice ctx, and
// tells waiting (when set) what it is waiting for once a second.
func waitExit(ctx context.Context, hs []*handle, limit time.Duration, waiting func([]string, time.Duration)) ([]int, error) {
	start := time.Now()
	deadline := start.Add(limit)
	told := start
	if waiting != nil {
		defer func() {
			if told != start {
				waiting(nil, 0)
			}
		}()
	}
	for {
		var left []int
		var running []*handle
		for i, h := range hs {
			if !h.exited() {
				left = append(left, i)
				running = append(running, h)
			}
		}
		if len(left) == 0 || !time.Now().Before(deadline) {
			return left, nil
		}
		if err := ctx.Err(); err != nil {
			return left, err
		}
		if now := time.Now(); waiting != nil && now.Sub(told) >= time.Second {
			told = now
			var procs []string
			for _, h := range running {
				procs = append(procs, fmt.Sprintf("%s (pid %d)", h.Name, h.PID))
			}
			waiting(procs, deadline.Sub(now))
		}
		pollExit(running, min(time.Until(deadline), 100*time.Millisecond))
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func userOf(p Proc) string {
	if p.User != "" {
		return p.User
	}
	return "another user"
}

// waitFree waits until every port can be bound again, or is at least no
// longer listed in the socket table.
func waitFree(ctx context.Context, proto detect.Protocol, ports []int) error {
	deadline := time.Now().Add(settleTime)
	for _, port := range ports {
		for {
			used, err := detect.InUse(proto, port)
			if err == nil && !used {
				break
			}
			if !time.Now().Before(deadline) {
				if holders, err := detect.HoldersOf(proto, port); err == nil && len(holders) > 0 {
					return &StillHeldError{Port: port, PID: holders[0].PID, Name: holders[0].Name}
				}
				return &StillHeldError{Port: port}
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pollInterval):
			}
		}
	}
	return nil
}

// groupOf lists the live processes in the process groups of the plan's
// holders that the plan does not signal, other than portguard and its
// ancestors (a shell job may share a group with the server).
func groupOf(plan Plan, mark int, kids map[int]bool) map[int]Proc {
	pgids := map[int]bool{}
	planned := map[int]bool{}
	for _, t := range plan.Targets {
		planned[t.PID] = true
		if t.Role == RoleHolder && t.PGID > 0 {
			pgids[t.PGID] = true
		}
	}
	members := map[int]Proc{}
	if len(pgids) == 0 {
		return members
	}
	ours := ancestorsOf(os.Getpid())
	ours[os.Getpid()] = true
	for _, p := range groupMembers(pgids, mark, kids) {
		if !planned[p.PID] && !ours[p.PID] {
			members[p.PID] = p
		}
	}
	return members
}

// leftBehind are the processes in the holders' groups now that started
// as the signals went out (forked as a holder went), or were children of
// a signalled process: what may take the port again. The rest of a group
// (an editor, make's other recipes, a test harness) is not.
func leftBehind(plan Plan, kids map[int]bool, signalled time.Time, mark int) []Proc {
	// Start times are kept in clock ticks: a process started in the tick
	// before the first signal may read as started with it.
	since := signalled.Add(-20 * time.Millisecond)
	var left []Proc
	for pid, p := range groupOf(plan, mark, kids) {
		if kids[pid] || !p.Started.Before(since) {
			left = append(left, p)
		}
	}
	return left
}

// watchLeftBehind watches the ports for the respawn window; a port taken
// again is still held, and the error names who took it.
func watchLeftBehind(ctx context.Context, ports []int, left []Proc, opt Options) error {
	port, holders, err := retaken(ctx, ports, opt)
	if err != nil || holders == nil {
		return err
	}
	e := &StillHeldError{Port: port, PID: holders[0].PID, Name: holders[0].Name, Again: true}
	e.LeftBehind = slices.ContainsFunc(left, func(p Proc) bool { return p.PID == holders[0].PID })
	return e
}

// retaken waits the respawn window for one of the ports to be held again,
// and returns it with its holders; none when the window passes.
func retaken(ctx context.Context, ports []int, opt Options) (int, []detect.Holder, error) {
	for deadline := time.Now().Add(opt.Respawn); time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(pollInterval):
		}
		for _, port := range ports {
			if used, err := detect.InUse(opt.Protocol, port); err != nil || !used {
				continue
			}
			if holders, err := detect.HoldersOf(opt.Protocol, port); err == nil && len(holders) > 0 {
				return port, holders, nil
			}
		}
	}
	return 0, nil, nil
}

// watchRespawn watches the ports for a while after their holders are
// gone, when a watcher (or a kept parent) could start the server again.
// If a port is taken again by a descendant of a watcher, the watcher and
// the new server are stopped, when the rules allow; otherwise portguard
// stops and says which process respawns the server and why it is left.
func watchRespawn(ctx context.Context, plan Plan, ports []int, opt Options) ([]Result, error) {
	port, holders, err := retaken(ctx, ports, opt)
	if err != nil || holders == nil {
		return nil, err
	}
	return respawned(ctx, plan, port, holders, opt)
}

// respawned handles a port taken again after its holders were stopped.
func respawned(ctx context.Context, plan Plan, port int, holders []detect.Holder, opt Options) ([]Result, error) {
	w, found := ancestorIn(holders, plan.Watchers)
	if !found {
		for _, k := range plan.Kept {
			if kw, ok := ancestorIn(holders, []Watcher{{Target: Target{Proc: k.Proc}}}); ok {
				return nil, &WatcherError{Port: port, Watcher: kw.Proc, Server: holders[0], Reason: errors.New(k.Why)}
			}
		}
		return nil, &StillHeldError{Port: port, PID: holders[0].PID, Name: holders[0].Name}
	}
	if w.Refusal != nil {
		return nil, &WatcherError{Port: port, Watcher: w.Proc, Server: holders[0], Reason: w.Refusal}
	}
	// The new server is vetted as a holder is; the watcher was vetted
	// when the plan was made and shown.
	again := Build(holders, Snapshot(), Protected())
	again.describe()
	again, err := again.Vet(Rules{Force: opt.Rules.Force, Never: opt.Rules.Never})
	if err != nil {
		return nil, &WatcherError{Port: port, Watcher: w.Proc, Server: holders[0], Reason: err}
	}
	for _, t := range again.Targets {
		if t.NeedsForce != "" {
			return nil, &WatcherError{Port: port, Watcher: w.Proc, Server: holders[0], Reason: errors.New(t.NeedsForce)}
		}
	}
	targets := append([]Target{w.Target}, again.Holders()...)
	targets[0].Role = RoleWatcher
	results, err := stop(ctx, targets, opt.Grace, opt.Waiting)
	if err != nil {
		return results, err
	}
	return results, waitFree(ctx, opt.Protocol, []int{port})
}

// ancestorIn finds, among the ancestors of the holders, one of the
// watchers: the same process (PID and start time) the plan named.
func ancestorIn(holders []detect.Holder, watchers []Watcher) (Watcher, bool) {
	for _, h := range holders {
		for pid, n := h.PID, 0; pid > 1 && n < 64; n++ {
			p, ok := readProc(pid)
			if !ok {
				break
			}
			for _, w := range watchers {
				if w.PID == p.PID && (w.start == 0 || w.start == p.start) {
					return w, true
				}
			}
			pid = p.PPID
		}
	}
	return Watcher{}, false
}

// InvokingUser is the user portguard acts for: under sudo, the one who
// ran sudo; otherwise whoever runs it.
func InvokingUser() (uid int, who string) { return owner.Invoking() }

// systemDaemons are services whoever runs portguard must not stop with
// --yes alone: stopping them cuts off logins or every container.
var systemDaemons = map[string]string{
	"sshd": "remote logins",
	// OpenSSH 9.8 and later run each session, and its -R tunnels, as
	// sshd-session (and authenticate as sshd-auth from 10.0).
	"sshd-session": "someone's SSH session and the tunnels it holds",
	"sshd-auth":    "an SSH login in progress",
	"dockerd":      "every Docker container",
	"containerd":   "every container",
	"docker-proxy": "a Docker container's published port (use docker stop)",
	"systemd":      "the system or your login session",
}

// SystemService says why p is a system service that needs --force, or ""
// when it is not: a well-known daemon, a launchd job (macOS, launchd.go),
// or the main process of a systemd system unit (its parent is PID 1 and
// its cgroup is in system.slice).
func SystemService(p Proc) string {
	for _, name := range p.programNames() {
		if what, ok := systemDaemons[name]; ok {
			return fmt.Sprintf("it is the system service %s, and stopping it affects %s; add --force to do it anyway", name, what)
		}
	}
	if label := launchdLabel(p.PID); label != "" {
		return launchdReason(label)
	}
	if p.PPID == 1 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", p.PID)); err == nil && strings.Contains(string(b), "/system.slice/") {
			unit := string(b)[strings.Index(string(b), "/system.slice/")+len("/system.slice/"):]
			unit, _, _ = strings.Cut(unit, "/")
			unit = strings.TrimSpace(unit)
			return fmt.Sprintf("it is the main process of the system service %s; use systemctl stop %s, or add --force", unit, unit)
		}
	}
	return ""
}

// ancestorsOf returns the PIDs above pid up to init.
func ancestorsOf(pid int) map[int]bool {
	seen := map[int]bool{}
	for pid > 1 {
		p, ok := readProc(pid)
		if !ok || seen[p.PPID] {
			break
		}
		seen[p.PPID] = true
		pid = p.PPID
	}
	return seen
}

// SignalName is the signal as people write it: SIGTERM, SIGKILL.
func SignalName(s syscall.Signal) string { return signalName(s) }

// RoundElapsed rounds a time taken for a message: 10 ms steps under a
// second, 100 ms above.
func RoundElapsed(d time.Duration) time.Duration { return round(d) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	}
	return s.String()
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
