package detect

import (
	"net"
	"os"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

// The free path on Windows: a listener's port is in use by the socket
// table, and once it is closed the exclusive bind probe (the check for an
// excluded port range) finds it free, not reserved. The holder is this
// process, except under Wine, whose table has no owning PIDs.
func TestInUseOnWindows(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if inUse, err := InUse(TCP, port); !inUse || err != nil {
		t.Fatalf("InUse(:%d) with a listener = %v, %v; want in use", port, inUse, err)
	}
	holders, err := Holders(port)
	if err != nil || len(holders) != 1 {
		t.Fatalf("Holders(%d) = %+v, %v; want one", port, holders, err)
	}
	want := os.Getpid()
	if _, wine := winetest.Wine(); wine {
		want = 0 // GetExtendedTcpTable's rows have no owner there: unseen
	}
	if holders[0].PID != want || holders[0].Addr != ln.Addr().String() {
		t.Errorf("Holders(%d) = pid %d at %s, want pid %d at %s", port, holders[0].PID, holders[0].Addr, want, ln.Addr())
	}
	ln.Close()
	if inUse, err := InUse(TCP, port); inUse || err != nil {
		t.Fatalf("InUse(:%d) once closed = %v, %v; want free", port, inUse, err)
	}
}
