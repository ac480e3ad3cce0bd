//go:build unix

package detect

import (
	"net"
	"testing"
)

// Each system's list of probe binds, run here against real listeners:
// the macOS list (two binds) must be at least as strict as Linux's.
func TestProbeBinds(t *testing.T) {
	for _, goos := range []string{"linux", "darwin"} {
		for _, addr := range []string{"127.0.0.1:0", "0.0.0.0:0", "[::1]:0", "[::]:0"} {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Logf("%s: %v", addr, err)
				continue
			}
			port := ln.Addr().(*net.TCPAddr).Port
			if probeWith(probeBinds(goos), TCP, port) {
				t.Errorf("%s's probe says :%d is free while %s listens", goos, port, addr)
			}
			ln.Close()
			if !probeWith(probeBinds(goos), TCP, port) {
				t.Errorf("%s's probe says :%d is held after %s closed", goos, port, addr)
			}
		}
	}
	if n := len(probeBinds("darwin")); n != 2 {
		t.Errorf("the macOS probe makes %d binds, want [::] with V6ONLY and 0.0.0.0", n)
	}
}
