package detect

import (
	"net"
	"os"
	"testing"
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
