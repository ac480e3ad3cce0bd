//go:build unix

package detect

import "golang.org/x/sys/unix"

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
	typ := unix.SOCK_STREAM
	if proto == UDP {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET6, typ, 0)
	if err != nil {
		return probeFree4(typ, port)
	}
	defer unix.Close(fd)
	if unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0) != nil || !reuseAddr(fd, typ) {
		return false
	}
	return unix.Bind(fd, &unix.SockaddrInet6{Port: port}) == nil
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
