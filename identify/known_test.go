package identify

import (
	"strings"
	"testing"

	"github.com/portguard/portguard/detect"
)

// Recorded holders of each kind, as detect reports them on their systems.
func TestExplain(t *testing.T) {
	tests := []struct {
		name   string
		goos   string
		h      detect.Holder
		what   string // "" when not a known holder
		refuse bool
	}{
		{"AirPlay on 5000", "darwin", detect.Holder{Port: 5000, PID: 512, Name: "ControlCenter", Cmdline: []string{"/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter"}}, "AirPlay Receiver", true},
		{"AirPlay on 7000", "darwin", detect.Holder{Port: 7000, PID: 512, Name: "ControlCenter"}, "AirPlay Receiver", true},
		{"ControlCenter on another port", "darwin", detect.Holder{Port: 5001, PID: 512, Name: "ControlCenter"}, "", false},
		{"ControlCenter name on Linux", "linux", detect.Holder{Port: 5000, PID: 512, Name: "ControlCenter"}, "", false},
		{"a socket unit", "linux", detect.Holder{Port: 631, PID: 1, Name: "systemd"}, "systemd socket unit", true},
		{"http.sys", "windows", detect.Holder{Port: 80, PID: 4, Name: "System"}, "http.sys", true},
		{"WSL relay", "windows", detect.Holder{Port: 3000, PID: 9120, Name: "wslrelay.exe"}, "inside WSL", true},
		{"ssh -L", "linux", detect.Holder{Port: 5432, PID: 77, Name: "ssh", Cmdline: []string{"ssh", "-N", "-L", "5432:db.internal:5432", "bastion"}}, "ssh tunnel (ssh -L 5432:db.internal:5432)", false},
		{"ssh -L joined, with a bind address", "linux", detect.Holder{Port: 8080, PID: 77, Name: "ssh", Cmdline: []string{"ssh", "-L127.0.0.1:8080:localhost:80", "box"}}, "ssh tunnel", false},
		{"ssh without a forward of this port", "linux", detect.Holder{Port: 2222, PID: 77, Name: "ssh", Cmdline: []string{"ssh", "-L", "5432:db:5432", "box"}}, "", false},
		{"kubectl port-forward", "linux", detect.Holder{Port: 8080, PID: 88, Name: "kubectl", Cmdline: []string{"kubectl", "port-forward", "svc/api", "8080:80"}}, "kubectl port-forward to svc/api", false},
		{"a node server", "linux", detect.Holder{Port: 3000, PID: 99, Name: "node", Cmdline: []string{"node", "server.js"}}, "", false},
	}
	for _, tt := range tests {
		k, ok := Explain(tt.h, tt.goos)
		if ok != (tt.what != "") || ok && (!strings.Contains(k.What, tt.what) || k.Refuse != tt.refuse || k.WayOut == "") {
			t.Errorf("%s: Explain = %+v, %v; want %q (refuse %v)", tt.name, k, ok, tt.what, tt.refuse)
		}
	}
}

func TestParseListSockets(t *testing.T) {
	out := `/run/dbus/system_bus_socket dbus.socket dbus.service
127.0.0.1:631               cups.socket  cups.service
[::]:22                     ssh.socket   ssh@.service
`
	for port, want := range map[int]string{631: "cups.socket", 22: "ssh.socket", 80: ""} {
		if got := parseListSockets(out, port); got != want {
			t.Errorf("parseListSockets(:%d) = %q, want %q", port, got, want)
		}
	}
}
