// Package detect finds the processes that hold a TCP port.
//
// It knows nothing about prompts or signals: it answers "who listens on
// this port", and does so cheaply when nobody does.
//
// Each system supplies two functions, in its own file chosen by build
// tags: probeFree (a cheap "nobody holds it" answer, or "not proven") and
// lookup (the holders). Linux asks the kernel through netlink and /proc
// (detect_linux.go); macOS asks lsof and sysctl (detect_darwin.go);
// Windows reads the socket tables of the IP helper API
// (detect_windows.go). The parsers of the latter two are portable files,
// tested on every system.
package detect

import (
	"fmt"
	"net/netip"
	"os/user"
	"strconv"
	"time"
)

// Holder is one process that holds a listening socket on a port. Several
// holders may share one socket (a server that forked workers after listen)
// or hold different sockets on the same port (0.0.0.0 and [::] in two
// processes, or SO_REUSEPORT).
type Holder struct {
	Port     int
	Protocol Protocol
	// Addr is where the socket listens, as ss prints it: 127.0.0.1:3000,
	// [::1]:3000, 0.0.0.0:3000, [::]:3000.
	Addr string
	// PID is 0 when the socket's owner cannot be seen: another user's
	// process while portguard is not root.
	PID     int
	PPID    int
	UID     int
	User    string
	Name    string   // the short process name (comm)
	Cmdline []string // argv as the process sees it; empty for kernel threads and zombies
	Cwd     string   // empty when not visible
	Started time.Time
	// Inode is the socket's inode, which ties the socket to the process.
	Inode uint64
	// Container is set when the holder only forwards the port for a
	// container (docker-proxy): the container is what the user knows.
	// detect leaves it nil; package docker fills it in.
	Container *Container
}

// Container is a container that publishes a port through its holder.
type Container struct {
	ID      string
	Name    string // web-1
	Image   string // postgres:16
	Project string // the compose project, "" when not started by compose
}

// Visible reports whether the owner of the socket could be identified.
func (h Holder) Visible() bool { return h.PID > 0 }

// Command is the holder's command line for display: argv joined by spaces,
// or the process name in brackets when argv is empty (as ps does).
func (h Holder) Command() string {
	if len(h.Cmdline) == 0 {
		if h.Name == "" {
			return "?"
		}
		return "[" + h.Name + "]"
	}
	s := ""
	for i, a := range h.Cmdline {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// Process describes any process by its PID as a holder is described
// (command line, user, working directory, start time), without a port:
// the ancestors of a holder, say. ok is false when it cannot be read.
func Process(pid int) (h Holder, ok bool) {
	h.PID = pid
	describe(&h)
	return h, h.Name != "" || len(h.Cmdline) > 0
}

// Protocol is TCP or UDP.
type Protocol string

const (
	TCP Protocol = "tcp"
	UDP Protocol = "udp"
)

// Holders returns every process holding a listening TCP socket on port, on
// any local address, IPv4 and IPv6. An empty result means the port is free.
//
// A free port is answered with one bind and no scan: this runs in front of
// every dev-server start.
func Holders(port int) ([]Holder, error) { return HoldersOf(TCP, port) }

// HoldersOf is Holders for either protocol: for UDP, every process with a
// socket bound to the port.
func HoldersOf(proto Protocol, port int) ([]Holder, error) {
	if err := checkPort(port); err != nil {
		return nil, err
	}
	if probeFree(proto, port) {
		return nil, nil
	}
	return lookup(proto, port)
}

// manyPorts is how many ports make one scan of everything cheaper than a
// look at each: each look reads every process's fd table, so freeing
// thousands of ports one by one grew with the square of their number.
const manyPorts = 8

// HoldersOfPorts is HoldersOf for many ports at once, by port; free ports
// are left out. Past a few ports it reads the socket table and the
// processes once, whatever their number.
func HoldersOfPorts(proto Protocol, ports []int) (map[int][]Holder, error) {
	held := map[int][]Holder{}
	for _, p := range ports {
		if err := checkPort(p); err != nil {
			return nil, err
		}
	}
	if len(ports) <= manyPorts {
		for _, p := range ports {
			hs, err := HoldersOf(proto, p)
			if err != nil {
				return nil, err
			}
			if len(hs) > 0 {
				held[p] = hs
			}
		}
		return held, nil
	}
	want := map[int]bool{}
	for _, p := range ports {
		want[p] = true
	}
	hs, err := lookupPorts(proto, want)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		held[h.Port] = append(held[h.Port], h)
	}
	return held, nil
}

// Listeners returns every holder of every listening TCP socket (bound
// UDP socket) on the machine, by port: what `portguard ls` shows.
func Listeners(proto Protocol) ([]Holder, error) { return listAll(proto) }

// Free reports whether a TCP port can be bound right now. It is the cheap
// check Holders makes first, exported for callers that wait for a port to
// clear.
func Free(port int) bool { return FreeOf(TCP, port) }

// FreeOf is Free for either protocol.
func FreeOf(proto Protocol, port int) bool {
	if checkPort(port) != nil {
		return false
	}
	return probeFree(proto, port)
}

// InUse reports whether anything holds the port, without finding out
// who: the probe, then only the system's socket table. It is what callers
// that poll a port (waiting for it to clear, looking for the next free
// one) should ask, since naming the holders means reading every
// process's fd table.
func InUse(proto Protocol, port int) (bool, error) {
	if err := checkPort(port); err != nil {
		return false, err
	}
	if probeFree(proto, port) {
		return false, nil
	}
	return bound(proto, port)
}

func checkPort(port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("port %d is out of range 1-65535", port)
	}
	return nil
}

// formatAddr writes an address as "127.0.0.1:3000" or "[::1]:3000". An
// IPv4 address an IPv6 socket holds (::ffff:127.0.0.1) reads as IPv4.
func formatAddr(ip netip.Addr, port int) string {
	return netip.AddrPortFrom(ip.Unmap(), uint16(port)).String()
}

var userNames = map[int]string{}

func userName(uid int) string {
	if name, ok := userNames[uid]; ok {
		return name
	}
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	userNames[uid] = name
	return name
}
