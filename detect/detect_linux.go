package detect

import (
	"errors"
	"io/fs"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/procfs"
	"golang.org/x/sys/unix"
)

// tcpListen is the state number of TCP_LISTEN in /proc/net/tcp.
const tcpListen = 0x0A

// probeFree binds the dual-stack wildcard [::]:port. On Linux that bind
// conflicts with a listener on any address of either family (127.0.0.1,
// ::1, 0.0.0.0, [::]), so one syscall answers "free" for the common case.
// A probe on 127.0.0.1 alone would miss a holder on ::1, which is what
// Node 17+ binds for "localhost". For TCP, SO_REUSEADDR makes TIME_WAIT
// remnants count as free, as they do for the servers that will bind next;
// for UDP it would let the probe share the port, so it is left off.
// Any failure (EADDRINUSE, EACCES below 1024, no IPv6) means "not proven
// free", and the caller does the full lookup.
func probeFree(proto Protocol, port int) bool {
	typ := unix.SOCK_STREAM
	if proto == UDP {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET6, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return probeFree4(typ, port)
	}
	defer unix.Close(fd)
	if unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0) != nil {
		return false
	}
	if typ == unix.SOCK_STREAM && unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1) != nil {
		return false
	}
	return unix.Bind(fd, &unix.SockaddrInet6{Port: port}) == nil
}

// probeFree4 serves machines with IPv6 disabled, where no IPv6 holder can
// exist either.
func probeFree4(typ, port int) bool {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	if typ == unix.SOCK_STREAM && unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1) != nil {
		return false
	}
	return unix.Bind(fd, &unix.SockaddrInet4{Port: port}) == nil
}

// socket is one listening socket found in /proc/net/tcp{,6}.
type socket struct {
	addr string
	uid  int
}

// lookup reads the listening sockets on port from /proc/net/tcp and tcp6,
// then finds their owners by the socket inode in /proc/PID/fd.
func lookup(proto Protocol, port int) ([]Holder, error) {
	proc, err := procfs.NewFS(procfs.DefaultMountPoint)
	if err != nil {
		return nil, err
	}
	sockets, err := listeningSockets(proc, proto, port)
	if err != nil || len(sockets) == 0 {
		return nil, err
	}

	procs, err := proc.AllProcs()
	if err != nil {
		return nil, err
	}
	var holders []Holder
	owned := map[uint64]bool{}
	for _, p := range procs {
		// Errors here are other users' processes or ones that just
		// exited: neither is ours to report.
		targets, err := p.FileDescriptorTargets()
		if err != nil {
			continue
		}
		seen := map[uint64]bool{}
		for _, t := range targets {
			inode, ok := socketInode(t)
			if !ok || seen[inode] {
				continue
			}
			s, ok := sockets[inode]
			if !ok {
				continue
			}
			seen[inode] = true
			owned[inode] = true
			h := Holder{Port: port, Protocol: proto, Addr: s.addr, PID: p.PID, UID: s.uid, Inode: inode}
			describe(&h, p)
			holders = append(holders, h)
		}
	}
	for inode, s := range sockets {
		if !owned[inode] {
			holders = append(holders, Holder{Port: port, Protocol: proto, Addr: s.addr, UID: s.uid, User: userName(s.uid), Inode: inode})
		}
	}
	sort.Slice(holders, func(i, j int) bool {
		if holders[i].PID != holders[j].PID {
			return holders[i].PID < holders[j].PID
		}
		return holders[i].Addr < holders[j].Addr
	})
	return holders, nil
}

// listeningSockets reads the sockets that hold the port: TCP sockets in
// LISTEN state (not TIME_WAIT remnants, not client connections), or every
// UDP socket bound to it.
func listeningSockets(proc procfs.FS, proto Protocol, port int) (map[uint64]socket, error) {
	tables := []func() (procfs.NetTCP, error){proc.NetTCP, proc.NetTCP6}
	if proto == UDP {
		tables = []func() (procfs.NetTCP, error){
			func() (procfs.NetTCP, error) { u, err := proc.NetUDP(); return procfs.NetTCP(u), err },
			func() (procfs.NetTCP, error) { u, err := proc.NetUDP6(); return procfs.NetTCP(u), err },
		}
	}
	sockets := map[uint64]socket{}
	for _, read := range tables {
		lines, err := read()
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6 on this machine
		}
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if int(l.LocalPort) == port && (proto == UDP || l.St == tcpListen) {
				sockets[l.Inode] = socket{addr: formatAddr(l.LocalAddr, port), uid: int(l.UID)}
			}
		}
	}
	return sockets, nil
}

// socketInode parses the "socket:[12345]" link target of a socket fd.
func socketInode(target string) (uint64, bool) {
	rest, ok := strings.CutPrefix(target, "socket:[")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(rest, "]"), 10, 64)
	return n, err == nil
}

// describe fills in what /proc says about the holder's process. Each part
// is best effort: a process may exit while it is read.
func describe(h *Holder, p procfs.Proc) {
	if stat, err := p.Stat(); err == nil {
		h.Name = stat.Comm
		h.PPID = stat.PPID
		if start, err := stat.StartTime(); err == nil {
			h.Started = time.Unix(0, int64(start*float64(time.Second)))
		}
	}
	if status, err := p.NewStatus(); err == nil {
		h.UID = int(status.UIDs[1]) // effective: the one kill(2) checks
	}
	h.User = userName(h.UID)
	h.Cmdline, _ = p.CmdLine()
	h.Cwd, _ = p.Cwd()
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
