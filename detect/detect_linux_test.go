package detect

import (
	"cmp"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// listen opens a real listener on a loopback address and returns its port.
func listen(t *testing.T, addr string) int {
	t.Helper()
	// tcp4/tcp6, not tcp: Go makes "0.0.0.0" under "tcp" a dual-stack [::].
	network := "tcp4"
	if addr[0] == '[' {
		network = "tcp6"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func TestHoldersFindsThisProcess(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "0.0.0.0:0", "[::]:0"} {
		t.Run(addr, func(t *testing.T) {
			port := listen(t, addr)
			if Free(port) {
				t.Fatalf("Free(%d) = true with a listener on %s", port, addr)
			}
			hs, err := Holders(port)
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != 1 {
				t.Fatalf("Holders(%d) = %+v, want one", port, hs)
			}
			h := hs[0]
			if h.PID != os.Getpid() || h.Port != port || h.Inode == 0 || h.Cwd == "" || h.Started.IsZero() || len(h.Cmdline) == 0 {
				t.Errorf("holder = %+v", h)
			}
			host, _, _ := net.SplitHostPort(h.Addr)
			wantHost, _, _ := net.SplitHostPort(addr)
			if net.ParseIP(host).String() != net.ParseIP(wantHost).String() {
				t.Errorf("Addr = %s, want host %s", h.Addr, wantHost)
			}
		})
	}
}

func TestFreePort(t *testing.T) {
	port := listen(t, "127.0.0.1:0")
	// Close it: now nothing listens there.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	free := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	hs, err := Holders(free)
	if err != nil || len(hs) != 0 {
		t.Fatalf("Holders(free port %d) = %v, %v", free, hs, err)
	}
	if !Free(free) || Free(port) {
		t.Fatalf("Free: free port %d %v, held port %d %v", free, Free(free), port, Free(port))
	}
}

// A client connection to the port (and the TIME_WAIT it leaves) is not a
// holder: only listening sockets are.
func TestClientConnectionIsNotAHolder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	defer c.Close()
	hs, err := Holders(port)
	if err != nil || len(hs) != 0 {
		t.Fatalf("Holders(%d) = %+v, %v; want none", port, hs, err)
	}
}

func TestBadPort(t *testing.T) {
	for _, p := range []int{0, -1, 65536} {
		if _, err := Holders(p); err == nil {
			t.Errorf("Holders(%d): no error", p)
		}
	}
}

func TestParseProcNetLine(t *testing.T) {
	tests := []struct {
		line  string
		addr  string
		port  int
		state int
		uid   int
		inode uint64
		ok    bool
	}{
		{"   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0",
			"127.0.0.1:3000", 3000, 0x0A, 1000, 12345, true},
		{"   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0",
			"0.0.0.0:8080", 8080, 0x0A, 0, 777, true},
		{"   0: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0",
			"[::1]:3000", 3000, 0x0A, 1000, 4242, true},
		{"   2: 0000000000000000FFFF00000100007F:1F40 00000000000000000000000000000000:0000 06 00000000:00000000 03:00000A5C 00000000     0        0 0 3 0000000000000000",
			"127.0.0.1:8000", 8000, 0x06, 0, 0, true},
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", "", 0, 0, 0, 0, false},
		{"   0: 0100007F 00000000:0000 0A", "", 0, 0, 0, 0, false},
	}
	for _, tt := range tests {
		s, port, state, ok := parseProcNetLine(tt.line)
		if ok != tt.ok {
			t.Errorf("%q: ok = %v", tt.line, ok)
			continue
		}
		if ok && (s.addr != tt.addr || port != tt.port || state != tt.state || s.uid != tt.uid || s.inode != tt.inode) {
			t.Errorf("%q: got %+v port %d state %x, want %s port %d state %x uid %d inode %d", tt.line, s, port, state, tt.addr, tt.port, tt.state, tt.uid, tt.inode)
		}
	}
}

// netlink and the /proc/net fallback must see the same sockets.
func TestNetlinkAgreesWithProcNet(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "0.0.0.0:0", "[::]:0"} {
		port := listen(t, addr)
		for _, proto := range []Protocol{TCP, UDP} {
			viaNetlink, err := diagSockets(proto, port)
			if err != nil {
				t.Skipf("netlink sock_diag refused here: %v", err)
			}
			viaProc, err := procNetSockets(proto, port)
			if err != nil {
				t.Fatal(err)
			}
			sortSockets(viaNetlink)
			sortSockets(viaProc)
			if !slices.Equal(viaNetlink, viaProc) {
				t.Errorf("%s %s: netlink %+v, /proc/net %+v", proto, addr, viaNetlink, viaProc)
			}
			if proto == TCP && len(viaNetlink) != 1 {
				t.Errorf("%s: %d listening sockets, want 1", addr, len(viaNetlink))
			}
		}
	}
}

// A dump of every listening socket spans several replies of the kernel
// (it fills at most 32 KiB a read, about 300 sockets): all of them are
// read, and they are the ones /proc/net lists.
func TestNetlinkReadsTheWholeDump(t *testing.T) {
	mine := map[int]bool{}
	for range 700 {
		mine[listen(t, "127.0.0.1:0")] = true
	}
	viaNetlink, err := diagSockets(TCP, 0)
	if err != nil {
		t.Skipf("netlink sock_diag refused here: %v", err)
	}
	viaProc, err := procNetSockets(TCP, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours := func(socks []socket) []socket {
		var out []socket
		for _, s := range socks {
			if mine[s.port] && strings.HasPrefix(s.addr, "127.0.0.1:") {
				out = append(out, s)
			}
		}
		sortSockets(out)
		return out
	}
	got, want := ours(viaNetlink), ours(viaProc)
	if len(got) != len(mine) || !slices.Equal(got, want) {
		t.Errorf("netlink read %d of this test's %d listeners, /proc/net %d", len(got), len(mine), len(want))
	}
}

// A dump the kernel cannot make ends with its errno in the DONE message
// (here: a protocol no diag module handles), which is an error, so that
// the caller falls back to /proc/net rather than report no sockets.
func TestNetlinkFailedDumpIsAnError(t *testing.T) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		t.Skipf("netlink sock_diag refused here: %v", err)
	}
	defer unix.Close(fd)
	err = dump(fd, make([]byte, 64<<10), 1, diagRequest{Family: unix.AF_INET, Protocol: 200}, func([]byte) error { return nil })
	if !errors.Is(err, unix.ENOENT) {
		t.Fatalf("a dump of protocol 200: %v, want ENOENT", err)
	}
}

func sortSockets(s []socket) {
	slices.SortFunc(s, func(a, b socket) int { return cmp.Compare(a.inode, b.inode) })
}

// The free path: one bind probe.
func BenchmarkHoldersFree(b *testing.B) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for b.Loop() {
		if hs, err := Holders(port); err != nil || len(hs) != 0 {
			b.Fatal(hs, err)
		}
	}
}

// The held path: sock_diag, the fd scan and /proc reads of the holder.
func BenchmarkHoldersHeld(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	for b.Loop() {
		if hs, err := Holders(port); err != nil || len(hs) != 1 {
			b.Fatal(hs, err)
		}
	}
}

// The sockets alone, through netlink and through /proc/net.
func BenchmarkSockets(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	b.Run("netlink", func(b *testing.B) {
		for b.Loop() {
			if s, err := diagSockets(TCP, port); err != nil || len(s) != 1 {
				b.Fatal(s, err)
			}
		}
	})
	b.Run("procnet", func(b *testing.B) {
		for b.Loop() {
			if s, err := procNetSockets(TCP, port); err != nil || len(s) != 1 {
				b.Fatal(s, err)
			}
		}
	})
}

// InUse answers from the probe and the socket table alone, for TCP
// listeners on either family and for bound UDP sockets.
func TestInUse(t *testing.T) {
	for _, tt := range []struct {
		proto   Protocol
		network string
		addr    string
	}{
		{TCP, "tcp4", "127.0.0.1:0"},
		{TCP, "tcp6", "[::1]:0"},
		{UDP, "udp4", "127.0.0.1:0"},
	} {
		var port int
		var closer interface{ Close() error }
		if tt.proto == TCP {
			ln, err := net.Listen(tt.network, tt.addr)
			if err != nil {
				t.Skipf("%s: %v", tt.network, err)
			}
			port, closer = ln.Addr().(*net.TCPAddr).Port, ln
		} else {
			conn, err := net.ListenPacket(tt.network, tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			port, closer = conn.LocalAddr().(*net.UDPAddr).Port, conn
		}
		if used, err := InUse(tt.proto, port); err != nil || !used {
			t.Errorf("%s :%d held: InUse = %v, %v", tt.network, port, used, err)
		}
		closer.Close()
		if used, err := InUse(tt.proto, port); err != nil || used {
			t.Errorf("%s :%d closed: InUse = %v, %v", tt.network, port, used, err)
		}
	}
	if _, err := InUse(TCP, 70000); err == nil {
		t.Error("InUse(70000): no error")
	}
}

// Many ports at once (one scan) find exactly what a look at each finds,
// and leave the free ones out.
func TestHoldersOfManyPortsAgreesWithEachPort(t *testing.T) {
	var ports []int
	for range manyPorts + 4 {
		ports = append(ports, listen(t, "127.0.0.1:0"))
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	many, err := HoldersOfPorts(TCP, append(slices.Clone(ports), free))
	if err != nil {
		t.Fatal(err)
	}
	if hs, ok := many[free]; ok {
		t.Errorf(":%d is free, and many ports gave %+v", free, hs)
	}
	for _, p := range ports {
		each, err := Holders(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(many[p]) != len(each) || len(each) != 1 || many[p][0].PID != each[0].PID || many[p][0].Inode != each[0].Inode || many[p][0].Addr != each[0].Addr {
			t.Errorf(":%d: many ports gave %+v, one port %+v", p, many[p], each)
		}
	}
	if _, err := HoldersOfPorts(TCP, []int{0}); err == nil {
		t.Error("port 0 was accepted")
	}
}
