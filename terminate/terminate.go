// Package terminate stops the processes that hold a port: SIGTERM, a grace
// period, SIGKILL if needed, then a check that the port really is free.
//
// It refuses to signal PID 1, portguard itself and portguard's ancestors
// (the shell that runs it, make, an editor's task runner): killing those
// would take the user's session down with the port.
package terminate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/prometheus/procfs"
)

// Result says how one holder ended.
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
	Reason string // "it is PID 1", "it is portguard itself", "it is an ancestor of portguard"
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to terminate %s (pid %d), which holds :%d: %s", e.Name, e.PID, e.Port, e.Reason)
}

// PermissionError means the kernel would not let portguard signal the
// holder: it belongs to another user.
type PermissionError struct {
	Port int
	PID  int
	Name string
	User string
}

func (e *PermissionError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf(":%d is held by a process of user %s that portguard cannot see", e.Port, e.User)
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
	// Grace is how long a holder has to exit after SIGTERM before SIGKILL.
	Grace time.Duration
	// Poll is how often the holder is checked while waiting; 0 means 10ms.
	Poll time.Duration
}

// settle is how long the port may take to come free after its holders are
// gone: sockets of an exiting process close a moment after it is reaped.
const settle = time.Second

// Check reports, without signalling anything, whether portguard may
// terminate the holders: a *RefusedError or *PermissionError when not.
func Check(holders []detect.Holder) error {
	self := os.Getpid()
	euid := os.Geteuid()
	ancestors := ancestorsOf(self)
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
		case euid != 0 && h.UID != euid:
			return &PermissionError{Port: h.Port, PID: h.PID, Name: h.Name, User: h.User}
		}
	}
	return nil
}

// Holders terminates every holder of one port and then waits until the
// port can be bound. It checks first (see Check) and signals nothing when
// any holder may not be terminated. Cancelling ctx stops the waiting; the
// error is then ctx.Err().
func Holders(ctx context.Context, holders []detect.Holder, opt Options) ([]Result, error) {
	if len(holders) == 0 {
		return nil, nil
	}
	if err := Check(holders); err != nil {
		return nil, err
	}
	if opt.Poll <= 0 {
		opt.Poll = 10 * time.Millisecond
	}
	port := holders[0].Port
	var results []Result
	done := map[int]bool{}
	for _, h := range holders {
		if done[h.PID] {
			continue // one process holding several sockets on the port
		}
		done[h.PID] = true
		r, err := stop(ctx, h, opt)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	return results, waitFree(ctx, port, opt.Poll)
}

// stop sends SIGTERM, waits up to the grace period, then SIGKILL.
func stop(ctx context.Context, h detect.Holder, opt Options) (Result, error) {
	r := Result{PID: h.PID, Name: h.Name}
	start := time.Now()
	if err := syscall.Kill(h.PID, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return r, nil // gone by itself: what the user wanted
		}
		if errors.Is(err, syscall.EPERM) {
			return r, &PermissionError{Port: h.Port, PID: h.PID, Name: h.Name, User: h.User}
		}
		return r, fmt.Errorf("sending SIGTERM to %s (pid %d), which holds :%d: %w", h.Name, h.PID, h.Port, err)
	}
	r.Signal = syscall.SIGTERM
	gone, err := waitGone(ctx, h.PID, opt.Grace, opt.Poll)
	if gone || err != nil {
		r.Elapsed = time.Since(start)
		return r, err
	}
	if err := syscall.Kill(h.PID, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return r, fmt.Errorf("sending SIGKILL to %s (pid %d), which holds :%d: %w", h.Name, h.PID, h.Port, err)
	}
	r.Signal = syscall.SIGKILL
	gone, err = waitGone(ctx, h.PID, settle, opt.Poll)
	r.Elapsed = time.Since(start)
	if err != nil {
		return r, err
	}
	if !gone {
		return r, &StillHeldError{Port: h.Port, PID: h.PID, Name: h.Name}
	}
	return r, nil
}

func waitGone(ctx context.Context, pid int, limit, poll time.Duration) (bool, error) {
	deadline := time.Now().Add(limit)
	for {
		if exited(pid) {
			return true, nil
		}
		if !time.Now().Before(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// waitFree waits until the port can be bound again, or is at least no
// longer listed with a holder.
func waitFree(ctx context.Context, port int, poll time.Duration) error {
	deadline := time.Now().Add(settle)
	for {
		if detect.Free(port) {
			return nil
		}
		holders, err := detect.Holders(port)
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
		case <-time.After(poll):
		}
	}
}

// exited reports whether pid is gone. A zombie counts as gone: it has
// closed its sockets and only waits for its parent to reap it.
func exited(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	state, _, ok := procState(pid)
	return ok && (state == "Z" || state == "X")
}

// ancestorsOf returns the PIDs above pid up to init.
func ancestorsOf(pid int) map[int]bool {
	seen := map[int]bool{}
	for pid > 1 {
		_, ppid, ok := procState(pid)
		if !ok || seen[ppid] {
			break
		}
		seen[ppid] = true
		pid = ppid
	}
	return seen
}

// procState reads the state letter and parent PID from /proc/PID/stat.
func procState(pid int) (state string, ppid int, ok bool) {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return "", 0, false
	}
	st, err := p.Stat()
	if err != nil {
		return "", 0, false
	}
	return st.State, st.PPID, true
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
