// Package terminate stops the processes that hold a port: SIGTERM, a grace
// period, SIGKILL if needed, then a check that the port really is free.
//
// It never hits the wrong process. Each process is opened as a pidfd and
// re-checked through it (it still holds the socket, it started when the
// one portguard looked at started) before any signal, so a PID reused in
// the meantime is never signalled. It refuses to signal PID 1, portguard
// itself and portguard's ancestors (the shell that runs it, make, an
// editor's task runner), and stops a launcher or watcher above the holder
// (npm → sh → node), so the port is not taken again at once.
package terminate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/portguard/portguard/detect"
)

// Result says how one process ended.
type Result struct {
	PID  int
	Name string
	// Signal is the last signal sent: SIGTERM or SIGKILL, or 0 when the
	// process was gone before portguard signalled it.
	Signal  syscall.Signal
	Elapsed time.Duration
}

func (r Result) String() string {
	who := fmt.Sprintf("%s (pid %d)", r.Name, r.PID)
	if r.Signal == 0 {
		return who + " exited by itself"
	}
	return fmt.Sprintf("terminated %s with %s after %s", who, signalName(r.Signal), round(r.Elapsed))
}

// RefusedError means the holder is a process portguard must never signal.
type RefusedError struct {
	Port   int
	PID    int
	Name   string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to terminate %s (pid %d), which holds :%d: %s", e.Name, e.PID, e.Port, e.Reason)
}

// PermissionError means portguard may not signal the holder: it belongs to
// another user, or it is a system service and --force was not given.
type PermissionError struct {
	Port int
	PID  int
	Name string
	User string
	// Forcible: --force (with sudo where needed) would allow it.
	Forcible bool
	Reason   string
}

func (e *PermissionError) Error() string {
	switch {
	case e.PID == 0:
		return fmt.Sprintf(":%d is held by a process of user %s that portguard cannot see", e.Port, e.User)
	case e.Reason != "":
		return fmt.Sprintf("not terminating %s (pid %d), which holds :%d: %s", e.Name, e.PID, e.Port, e.Reason)
	}
	return fmt.Sprintf("not allowed to terminate %s (pid %d) of user %s, which holds :%d", e.Name, e.PID, e.User, e.Port)
}

// StillHeldError means the port did not come free: the holder survived
// SIGKILL, or another process took the port at once.
type StillHeldError struct {
	Port int
	PID  int
	Name string
}

func (e *StillHeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf(":%d is still held after its holders were terminated", e.Port)
	}
	return fmt.Sprintf(":%d is still held by %s (pid %d)", e.Port, e.Name, e.PID)
}

// Options tune Holders.
type Options struct {
	// Grace is how long a process has to exit after SIGTERM before SIGKILL.
	Grace time.Duration
	// Force allows terminating system services and, under sudo, other
	// users' processes.
	Force bool
	// Respawn is how long to watch the port after its holder is gone,
	// when the holder's parent could start it again; 0 means a second.
	Respawn time.Duration
}

// settle is how long a killed process and the port may take to clear.
const settle = time.Second

// Holders terminates every holder of one port (and the launchers that
// would restart them) and waits until the port can be bound. It checks
// first and signals nothing when any holder may not be terminated.
// Cancelling ctx stops the waiting; the error is then ctx.Err().
func Holders(ctx context.Context, holders []detect.Holder, opt Options) ([]Result, error) {
	if len(holders) == 0 {
		return nil, nil
	}
	if err := Check(holders, opt.Force); err != nil {
		return nil, err
	}
	if opt.Respawn <= 0 {
		opt.Respawn = time.Second
	}
	port, proto := holders[0].Port, holders[0].Protocol
	plan := NewPlan(holders)
	results, err := stopAll(ctx, port, plan.targets(), opt.Grace)
	if err != nil {
		return results, err
	}
	if err := waitFree(ctx, proto, port); err != nil {
		return results, err
	}
	if len(plan.Chain) > 0 {
		return results, nil // the launchers are stopped: nothing is left to restart the server
	}
	more, err := watchRespawn(ctx, proto, port, holders, opt)
	return append(results, more...), err
}

// target is one process to stop; inode is the socket a holder must still
// hold, 0 for a launcher.
type target struct {
	proc  Proc
	inode uint64
}

// stopAll sends SIGTERM to every target, waits up to grace for all of
// them, then sends SIGKILL to those left.
func stopAll(ctx context.Context, port int, targets []target, grace time.Duration) ([]Result, error) {
	start := time.Now()
	var handles []*handle
	var results []Result
	defer func() {
		for _, h := range handles {
			h.close()
		}
	}()
	for _, t := range targets {
		h, err := open(t.proc, t.inode)
		if errors.Is(err, errGone) {
			results = append(results, Result{PID: t.proc.PID, Name: t.proc.Name})
			continue
		}
		if err != nil {
			return results, err
		}
		handles = append(handles, h)
	}
	signalled := make([]Result, len(handles))
	for i, h := range handles {
		signalled[i] = Result{PID: h.PID, Name: h.Name}
		switch err := h.signal(syscall.SIGTERM); {
		case errors.Is(err, errGone):
		case errors.Is(err, syscall.EPERM):
			return results, &PermissionError{Port: port, PID: h.PID, Name: h.Name, User: "another user"}
		case err != nil:
			return results, fmt.Errorf("sending SIGTERM to %s (pid %d): %w", h.Name, h.PID, err)
		default:
			signalled[i].Signal = syscall.SIGTERM
		}
	}
	left, err := waitExit(ctx, handles, grace)
	if err != nil {
		return results, err
	}
	for _, i := range left {
		if err := handles[i].signal(syscall.SIGKILL); err == nil {
			signalled[i].Signal = syscall.SIGKILL
		}
	}
	left, err = waitExit(ctx, handles, settle)
	for i := range signalled {
		signalled[i].Elapsed = time.Since(start)
	}
	results = append(results, signalled...)
	if err != nil {
		return results, err
	}
	if len(left) > 0 {
		h := handles[left[0]]
		return results, &StillHeldError{Port: port, PID: h.PID, Name: h.Name}
	}
	return results, nil
}

// waitExit waits up to limit for every handle to exit and returns the
// indexes of those still running.
func waitExit(ctx context.Context, hs []*handle, limit time.Duration) ([]int, error) {
	deadline := time.Now().Add(limit)
	for {
		var left []int
		for i, h := range hs {
			if !h.exited() {
				left = append(left, i)
			}
		}
		if len(left) == 0 || !time.Now().Before(deadline) {
			return left, nil
		}
		select {
		case <-ctx.Done():
			return left, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// waitFree waits until the port can be bound again, or is at least no
// longer listed with a holder.
func waitFree(ctx context.Context, proto detect.Protocol, port int) error {
	if proto == "" {
		proto = detect.TCP
	}
	deadline := time.Now().Add(settle)
	for {
		if detect.FreeOf(proto, port) {
			return nil
		}
		holders, err := detect.HoldersOf(proto, port)
		if err == nil && len(holders) == 0 {
			return nil
		}
		if !time.Now().Before(deadline) {
			if len(holders) > 0 {
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

// watchRespawn watches the port for a while after its holders are gone,
// when their parent is alive and could start the server again (a watcher
// portguard does not know by name). If the port is taken again by a
// descendant of that parent, the parent is a watcher: it is stopped too,
// with the new holder.
func watchRespawn(ctx context.Context, proto detect.Protocol, port int, old []detect.Holder, opt Options) ([]Result, error) {
	protected := protectedPIDs()
	parents := map[int]Proc{}
	for _, h := range old {
		if p, ok := readProc(h.PPID); ok && mayStop(p, protected) {
			parents[p.PID] = p
		}
	}
	if len(parents) == 0 {
		return nil, nil
	}
	deadline := time.Now().Add(opt.Respawn)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
		holders, err := detect.HoldersOf(proto, port)
		if err != nil || len(holders) == 0 {
			continue
		}
		watcher, ok := ancestorIn(holders, parents)
		if !ok {
			return nil, &StillHeldError{Port: port, PID: holders[0].PID, Name: holders[0].Name}
		}
		if err := Check(holders, opt.Force); err != nil {
			return nil, err
		}
		plan := NewPlan(holders)
		plan.Chain = []Proc{watcher}
		plan.Group = safeGroup(watcher, protected)
		results, err := stopAll(ctx, port, plan.targets(), opt.Grace)
		if err != nil {
			return results, err
		}
		return results, waitFree(ctx, proto, port)
	}
	return nil, nil
}

// ancestorIn finds, among the ancestors of the holders, one of parents.
func ancestorIn(holders []detect.Holder, parents map[int]Proc) (Proc, bool) {
	for _, h := range holders {
		for pid, n := h.PID, 0; pid > 1 && n < 64; n++ {
			p, ok := readProc(pid)
			if !ok {
				break
			}
			if w, ok := parents[p.PID]; ok && w.start == p.start {
				return w, true
			}
			pid = p.PPID
		}
	}
	return Proc{}, false
}

// Check reports, without signalling anything, whether portguard may
// terminate the holders: a *RefusedError or *PermissionError when not.
func Check(holders []detect.Holder, force bool) error {
	self := os.Getpid()
	euid := os.Geteuid()
	ancestors := ancestorsOf(self)
	owner, who := InvokingUser()
	for _, h := range holders {
		switch {
		case !h.Visible():
			return &PermissionError{Port: h.Port, User: h.User}
		case h.PID == 1:
			return &RefusedError{Port: h.Port, PID: h.PID, Name: h.Name, Reason: "it is PID 1, the system's init"}
		case h.PID == self:
			return &RefusedError{Port: h.Port, PID: h.PID, Name: h.Name, Reason: "it is portguard itself"}
		case ancestors[h.PID]:
			return &RefusedError{Port: h.Port, PID: h.PID, Name: h.Name, Reason: "it is one of portguard's own parents (the shell or tool that started it)"}
		case h.UID != owner && euid != 0:
			return &PermissionError{Port: h.Port, PID: h.PID, Name: h.Name, User: h.User}
		case h.UID != owner && !force:
			// root may signal anyone, but acts for one user: the one
			// who ran sudo, or root itself.
			return &PermissionError{Port: h.Port, PID: h.PID, Name: h.Name, User: h.User, Forcible: true,
				Reason: fmt.Sprintf("it belongs to %s, not to you (%s)", h.User, who)}
		}
		if why := SystemService(h); why != "" && !force {
			return &PermissionError{Port: h.Port, PID: h.PID, Name: h.Name, User: h.User, Forcible: true, Reason: why}
		}
	}
	return nil
}

// InvokingUser is the user portguard acts for: under sudo, the one who
// ran sudo (SUDO_UID); otherwise whoever runs it, root included (as in CI).
func InvokingUser() (uid int, who string) {
	euid := os.Geteuid()
	if euid == 0 {
		var n int
		if _, err := fmt.Sscan(os.Getenv("SUDO_UID"), &n); err == nil {
			name := os.Getenv("SUDO_USER")
			if name == "" {
				name = "uid " + strconv.Itoa(n)
			}
			return n, name + ", who ran sudo"
		}
	}
	return euid, "uid " + strconv.Itoa(euid)
}

// systemDaemons are services whoever runs portguard must not stop with
// --yes alone: stopping them cuts off logins or every container.
var systemDaemons = map[string]string{
	"sshd":         "remote logins",
	"dockerd":      "every Docker container",
	"containerd":   "every container",
	"docker-proxy": "a Docker container's published port (use docker stop)",
	"systemd":      "the system or your login session",
}

// SystemService says why h is a system service that needs --force, or ""
// when it is not: a well-known daemon, or the main process of a systemd
// system unit (its parent is PID 1 and its cgroup is in system.slice).
func SystemService(h detect.Holder) string {
	if what, ok := systemDaemons[h.Name]; ok {
		return fmt.Sprintf("it is the system service %s, and stopping it affects %s; add --force to do it anyway", h.Name, what)
	}
	if h.PPID == 1 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", h.PID)); err == nil && strings.Contains(string(b), "/system.slice/") {
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
