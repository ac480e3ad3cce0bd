package identify

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/internal/outside"
)

// Known is a holder that terminating would not help, or would do more
// than the user may think: what it is, and the right way out.
type Known struct {
	What   string // "the macOS AirPlay Receiver"
	WayOut string // a hint, one sentence
	// Refuse: terminate nothing (exit 75). Otherwise terminating is
	// allowed and the prompt warns (a tunnel closes).
	Refuse bool
}

// knownHolders is the table of holders to explain, as data: each row
// matches by system, program name, port or arguments, and says where the
// fact comes from.
var knownHolders = []struct {
	source string
	match  func(h detect.Holder, goos string) bool
	known  func(h detect.Holder) Known
}{
	{
		// Apple: macOS 12 and later run an AirPlay Receiver in
		// ControlCenter on ports 5000 and 7000 (support.apple.com,
		// "Use AirPlay to stream", and the Flask/Next issues it caused).
		source: "macOS 12+: ControlCenter's AirPlay Receiver listens on 5000 and 7000",
		match: func(h detect.Holder, goos string) bool {
			return goos == "darwin" && strings.HasPrefix(h.Name, "ControlCe") && (h.Port == 5000 || h.Port == 7000)
		},
		known: func(h detect.Holder) Known {
			return Known{What: "the macOS AirPlay Receiver (ControlCenter), which launchd starts again at once", Refuse: true,
				WayOut: "turn it off in System Settings > General > AirDrop & Handoff > AirPlay Receiver, or use another port (--next-free)"}
		},
	},
	{
		// systemd.socket(5): PID 1 holds a socket unit's listening
		// socket and starts the service on the first connection.
		source: "systemd.socket(5): PID 1 listens for socket-activated services",
		match:  func(h detect.Holder, goos string) bool { return goos == "linux" && h.PID == 1 },
		known: func(h detect.Holder) Known {
			unit := socketUnit(h.Port)
			k := Known{What: "a systemd socket unit: PID 1 listens for it, and would start its service again on the next connection", Refuse: true,
				WayOut: fmt.Sprintf("find it with systemctl list-sockets | grep :%d, then sudo systemctl stop UNIT.socket", h.Port)}
			if unit != "" {
				k.What = fmt.Sprintf("the systemd socket unit %s: PID 1 listens for it, and would start its service again on the next connection", unit)
				k.WayOut = "sudo systemctl stop " + unit
			}
			return k
		},
	},
	{
		// Windows: PID 4 (System) holds ports that http.sys serves for
		// URL reservations (IIS, WinRM, SQL Server Reporting, …).
		source: "Windows: PID 4 (System) is http.sys serving a URL reservation",
		match:  func(h detect.Holder, goos string) bool { return goos == "windows" && h.PID == 4 },
		known: func(h detect.Holder) Known {
			return Known{What: "http.sys, the Windows kernel's HTTP service, for a URL reservation", Refuse: true,
				WayOut: "find the service that owns it with netsh http show servicestate (in an elevated terminal) and stop that"}
		},
	},
	{
		// WSL 2 forwards localhost ports of servers inside Linux.
		source: "WSL 2: wslrelay.exe and wslhost.exe forward ports of servers running inside Linux",
		match: func(h detect.Holder, goos string) bool {
			n := strings.ToLower(h.Name)
			return goos == "windows" && (n == "wslrelay.exe" || n == "wslhost.exe" || n == "wslrelay" || n == "wslhost")
		},
		known: func(h detect.Holder) Known {
			return Known{What: "WSL's port relay: the server runs inside WSL", Refuse: true,
				WayOut: fmt.Sprintf("free it inside WSL: wsl portguard free %d", h.Port)}
		},
	},
	{
		// ssh(1) -L: a local forward listens for the tunnel.
		source: "ssh(1) -L port:host:hostport",
		match:  func(h detect.Holder, _ string) bool { return program(h) == "ssh" && tunnelSpec(h, "-L") != "" },
		known: func(h detect.Holder) Known {
			return Known{What: "an ssh tunnel (ssh -L " + tunnelSpec(h, "-L") + "); terminating it closes the tunnel",
				WayOut: "close the ssh session, or give the command another port"}
		},
	},
	{
		// kubectl port-forward TYPE/NAME [LOCAL:]REMOTE.
		source: "kubectl port-forward",
		match: func(h detect.Holder, _ string) bool {
			return program(h) == "kubectl" && slices.Contains(h.Cmdline, "port-forward")
		},
		known: func(h detect.Holder) Known {
			target := ""
			if i := slices.Index(h.Cmdline, "port-forward"); i+1 < len(h.Cmdline) {
				target = " to " + h.Cmdline[i+1]
			}
			return Known{What: "kubectl port-forward" + target + "; terminating it closes the forward",
				WayOut: "stop the port-forward, or give the command another port"}
		},
	},
}

// Explain says what a holder is when it is one of the known ones, on goos.
func Explain(h detect.Holder, goos string) (Known, bool) {
	for _, row := range knownHolders {
		if row.match(h, goos) {
			return row.known(h), true
		}
	}
	return Known{}, false
}

func program(h detect.Holder) string {
	if len(h.Cmdline) > 0 {
		return filepath.Base(h.Cmdline[0])
	}
	return h.Name
}

// tunnelSpec is the value of ssh's forward flag whose local port is h's:
// "3000:localhost:3000" for -L 3000:localhost:3000.
func tunnelSpec(h detect.Holder, flag string) string {
	port := strconv.Itoa(h.Port)
	for i, a := range h.Cmdline {
		v, ok := strings.CutPrefix(a, flag)
		if !ok {
			continue
		}
		if v == "" && i+1 < len(h.Cmdline) {
			v = h.Cmdline[i+1]
		}
		parts := strings.Split(v, ":")
		// [bind_address:]port:host:hostport
		if len(parts) >= 3 && parts[len(parts)-3] == port {
			return v
		}
	}
	return ""
}

// socketUnit names the systemd socket unit that listens on port, from
// systemctl list-sockets, or "".
func socketUnit(port int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := outside.Command(ctx, "systemctl", "list-sockets", "--all", "--no-legend", "--no-pager").Output()
	if err != nil {
		return ""
	}
	return parseListSockets(string(out), port)
}

// parseListSockets reads `systemctl list-sockets --no-legend`: LISTEN UNIT
// ACTIVATES per line, LISTEN an address such as 127.0.0.1:631 or [::]:22.
func parseListSockets(out string, port int) string {
	suffix := ":" + strconv.Itoa(port)
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasSuffix(f[0], suffix) && strings.HasSuffix(f[1], ".socket") {
			return f[1]
		}
	}
	return ""
}
