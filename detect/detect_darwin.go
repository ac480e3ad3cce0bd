package detect

import (
	"context"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/portguard/portguard/internal/outside"
)

// probeReuseAddr: BSD lets SO_REUSEADDR bind a wildcard beside a listener
// on one address, so the probe goes without it; a TIME_WAIT remnant then
// reads as "not proven free", and lookup finds no listener.
const probeReuseAddr = false

// bound asks lsof, and where it sees nobody netstat, which sees every
// user's sockets.
func bound(proto Protocol, port int) (bool, error) {
	holders, err := lsofHolders(proto, port)
	if err == nil && len(holders) == 0 {
		holders = unseenHolders(nil, netstatHolders(proto, port))
	}
	return len(holders) > 0, err
}

// lookup asks lsof, which macOS ships, for the sockets on the port and
// their processes: macOS offers no socket-to-process interface without
// cgo (libproc). lsof sees only the caller's processes unless it runs as
// root; where it sees nobody, netstat -anv names the other users' holders
// (netstat.go). The rest of each holder comes from sysctl, which answers
// for every process.
func lookup(proto Protocol, port int) ([]Holder, error) {
	holders, err := lsofHolders(proto, port)
	if err != nil {
		return nil, err
	}
	if port != 0 {
		holders = unseenHolders(holders, netstatHolders(proto, port))
	}
	if len(holders) == 0 {
		return nil, nil
	}
	cwds := lsofCwds(holders)
	for i := range holders {
		describe(&holders[i])
		holders[i].Cwd = cwds[holders[i].PID]
	}
	return holders, nil
}

func describe(h *Holder) {
	if kp, err := unix.SysctlKinfoProc("kern.proc.pid", h.PID); err == nil {
		h.PPID = int(kp.Eproc.Ppid)
		h.UID = int(kp.Eproc.Ucred.Uid)
		h.Started = time.Unix(kp.Proc.P_starttime.Unix())
		if h.Name == "" {
			h.Name = unix.ByteSliceToString(kp.Proc.P_comm[:])
		}
	}
	if h.User == "" {
		h.User = userName(h.UID)
	}
	if raw, err := unix.SysctlRaw("kern.procargs2", h.PID); err == nil {
		h.Cmdline, _ = parseProcArgs(raw)
	}
}

// lsofCwds asks lsof once for the working directories of the holders.
func lsofCwds(holders []Holder) map[int]string {
	var pids []string
	for _, h := range holders {
		pids = append(pids, strconv.Itoa(h.PID))
	}
	cwds := map[int]string{}
	if len(pids) == 0 {
		return cwds
	}
	out, _ := runLsof("-b", "-w", "-a", "-d", "cwd", "-p", strings.Join(pids, ","), "-Fpn")
	pid := 0
	for line := range strings.SplitSeq(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "p"):
			pid, _ = strconv.Atoi(line[1:])
		case strings.HasPrefix(line, "n") && pid > 0:
			cwds[pid] = line[1:]
		}
	}
	return cwds
}

// listAll is lookup for every port (0), for portguard ls.
func listAll(proto Protocol) ([]Holder, error) { return lookup(proto, 0) }

// netstatPath is macOS's own netstat.
const netstatPath = "/usr/sbin/netstat"

// netstatHolders asks netstat -anv for the holders of the port, within
// lsof's timeout; a netstat that fails or hangs names nobody.
func netstatHolders(proto Protocol, port int) []Holder {
	ctx, cancel := context.WithTimeout(context.Background(), lsofTimeout)
	defer cancel()
	out, err := outside.Command(ctx, netstatPath, netstatArgs(proto)...).Output()
	if err != nil {
		return nil
	}
	return parseNetstat(out, proto, port)
}
