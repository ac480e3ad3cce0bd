//go:build unix

package detect

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// probeFree binds the dual-stack wildcard [::]:port. That bind conflicts
// with a listener on any address of either family (127.0.0.1, ::1,
// 0.0.0.0, [::]), so one syscall answers "free" for the common case. A
// probe on 127.0.0.1 alone would miss a holder on ::1, which is what Node
// 17+ binds for "localhost". SO_REUSEADDR is set where the system allows
// it without weakening the conflict (probeReuseAddr); for UDP it would
// let the probe share the port, so it is left off. Any failure
// (EADDRINUSE, EACCES below 1024, no IPv6) means "not proven free", and
// the caller does the full lookup. The probe's socket is closed before
// portguard execs, so it needs no close-on-exec.
func probeFree(proto Protocol, port int) bool {
	return probeWith(probeBinds(runtime.GOOS), proto, port)
}

// probeBind is one bind of the probe: the wildcard of a family.
type probeBind struct {
	family int // unix.AF_INET6 or unix.AF_INET
	v6only bool
}

// probeBinds are the binds that, all succeeding at once, prove a port
// free on goos. On Linux one dual-stack [::] bind conflicts with a
// listener of either family on any address. XNU lets a [::] bind succeed
// beside a socket on 0.0.0.0:P (bsd/netinet6/in6_pcb.c; nodejs/node#26274),
// so on macOS the probe binds [::] with IPV6_V6ONLY and 0.0.0.0 as well.
// Which rule holds there can only be proven on a Mac; the README's table
// says so.
func probeBinds(goos string) []probeBind {
	if goos == "darwin" {
		return []probeBind{{unix.AF_INET6, true}, {unix.AF_INET, false}}
	}
	return []probeBind{{unix.AF_INET6, false}}
}

// probeWith makes every bind of binds, keeping each open until all are
// made: the port is free only if all of them succeed.
func probeWith(binds []probeBind, proto Protocol, port int) bool {
	typ := unix.SOCK_STREAM
	if proto == UDP {
		typ = unix.SOCK_DGRAM
	}
	for _, b := range binds {
		fd, err := unix.Socket(b.family, typ, 0)
		if err != nil && b.family == unix.AF_INET6 && len(binds) == 1 {
			return probeFree4(typ, port) // no IPv6 on this machine
		}
		if err != nil {
			return false
		}
		defer unix.Close(fd)
		if !reuseAddr(fd, typ) {
			return false
		}
		var sa unix.Sockaddr = &unix.SockaddrInet4{Port: port}
		if b.family == unix.AF_INET6 {
			v6only := 0
			if b.v6only {
				v6only = 1
			}
			if unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only) != nil {
				return false
			}
			sa = &unix.SockaddrInet6{Port: port}
		}
		if unix.Bind(fd, sa) != nil {
			return false
		}
	}
	return true
}

// probeFree4 serves machines with IPv6 disabled, where no IPv6 holder can
// exist either.
func probeFree4(typ, port int) bool {
	fd, err := unix.Socket(unix.AF_INET, typ, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	if !reuseAddr(fd, typ) {
		return false
	}
	return unix.Bind(fd, &unix.SockaddrInet4{Port: port}) == nil
}

func reuseAddr(fd, typ int) bool {
	if !probeReuseAddr || typ != unix.SOCK_STREAM {
		return true
	}
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1) == nil
}
