package terminate

import (
	"encoding/binary"
	"strings"
	"testing"
)

// procargs2 lays out a kern.procargs2 buffer as XNU does: argc, the
// executable path, NUL padding, the arguments, the environment, an empty
// string, and the "apple" strings.
func procargs2(exe string, argv, env []string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(argv)))
	b = append(b, exe...)
	b = append(b, 0, 0, 0, 0)
	for _, s := range append(append(append([]string{}, argv...), env...), "", "executable_path="+exe, "ptr_munge=") {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

func TestLaunchdJobs(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"a Homebrew service", []string{"PATH=/usr/bin", "XPC_SERVICE_NAME=homebrew.mxcl.postgresql@16"}, "homebrew.mxcl.postgresql@16"},
		{"a user agent", []string{"XPC_SERVICE_NAME=com.example.devproxy"}, "com.example.devproxy"},
		{"started from a terminal", []string{"TERM=xterm-256color", "XPC_SERVICE_NAME=0"}, ""},
		{"started from VS Code's terminal", []string{"XPC_SERVICE_NAME=application.com.microsoft.VSCode.31.32"}, ""},
		{"no such variable", []string{"HOME=/Users/ana"}, ""},
		{"only in the apple strings, not the environment", nil, ""},
	}
	for _, tt := range tests {
		b := procargs2("/opt/homebrew/bin/postgres", []string{"postgres", "-D", "/opt/homebrew/var/postgresql@16"}, tt.env)
		if got := xpcServiceName(b); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// An argument that looks like the variable is an argument.
	if got := xpcServiceName(procargs2("/bin/sh", []string{"sh", "XPC_SERVICE_NAME=fake"}, nil)); got != "" {
		t.Errorf("an argument was read as the environment: %q", got)
	}
	for _, b := range [][]byte{nil, {1, 0}, {255, 255, 255, 127, 'x'}} {
		_ = xpcServiceName(b) // truncated and hostile buffers: no panic
	}
	if r := launchdReason("homebrew.mxcl.redis"); !strings.Contains(r, "brew services stop redis") {
		t.Errorf("a Homebrew service's reason: %s", r)
	}
	if r := launchdReason("com.example.devproxy"); !strings.Contains(r, "launchctl bootout gui/$(id -u)/com.example.devproxy") {
		t.Errorf("an agent's reason: %s", r)
	}
}
