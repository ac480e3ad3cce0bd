package detect

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// probeFree never proves a port free on Windows: there a wildcard bind
// succeeds beside a listener on 127.0.0.1 (without SO_EXCLUSIVEADDRUSE),
// so a bind probe would miss holders. The socket tables are cheap to read.
func probeFree(Protocol, int) bool { return false }

var (
	iphlpapi            = windows.NewLazySystemDLL("iphlpapi.dll")
	getExtendedTcpTable = iphlpapi.NewProc("GetExtendedTcpTable")
	getExtendedUdpTable = iphlpapi.NewProc("GetExtendedUdpTable")
)

const (
	tcpTableOwnerPIDListener = 3 // TCP_TABLE_OWNER_PID_LISTENER
	udpTableOwnerPID         = 1 // UDP_TABLE_OWNER_PID
)

// bound reads the socket tables alone, without opening the owners; a
// port with no row is probed for a reservation.
func bound(proto Protocol, port int) (bool, error) {
	holders, err := tableHolders(proto, port)
	if err == nil && len(holders) == 0 && port != 0 {
		err = exclusiveProbe(proto, port)
	}
	return len(holders) > 0, err
}

// lookup reads the TCP (listeners only) or UDP table with owning PIDs, for
// IPv4 and IPv6, then describes each owner. A port with no row is probed:
// it may be reserved (reserved.go).
func lookup(proto Protocol, port int) ([]Holder, error) {
	holders, err := tableHolders(proto, port)
	if err != nil {
		return nil, err
	}
	if len(holders) == 0 && port != 0 {
		return nil, exclusiveProbe(proto, port)
	}
	for i := range holders {
		describe(&holders[i])
	}
	return holders, nil
}

// tableHolders are the table's rows for port, with PID and address only.
func tableHolders(proto Protocol, port int) ([]Holder, error) {
	var holders []Holder
	for _, ipv6 := range []bool{false, true} {
		b, err := ownerTable(proto, ipv6)
		if err != nil {
			return nil, fmt.Errorf("reading the %s table for :%d: %w", proto, port, err)
		}
		rows, err := parseOwnerTable(b, proto, ipv6)
		if err != nil {
			return nil, err
		}
		holders = append(holders, holdersFromTable(rows, proto, port)...)
	}
	return holders, nil
}

// ownerTable calls GetExtended{Tcp,Udp}Table, growing the buffer until
// the table fits (it may grow between the calls).
func ownerTable(proto Protocol, ipv6 bool) ([]byte, error) {
	call, class := getExtendedTcpTable, uintptr(tcpTableOwnerPIDListener)
	if proto == UDP {
		call, class = getExtendedUdpTable, udpTableOwnerPID
	}
	family := uintptr(windows.AF_INET)
	if ipv6 {
		family = windows.AF_INET6
	}
	size := uint32(16 << 10)
	for range 8 {
		buf := make([]byte, size)
		r, _, _ := call.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0, family, class, 0)
		switch windows.Errno(r) {
		case 0:
			return buf[:size], nil
		case windows.ERROR_INSUFFICIENT_BUFFER:
			continue // size now says what is needed
		default:
			return nil, windows.Errno(r)
		}
	}
	return nil, errors.New("the socket table kept growing")
}

// describe fills in the owner's image path, user and start time. The
// System process (PID 4) and protected processes cannot be opened; they
// keep their PID alone.
func describe(h *Holder) {
	if h.PID == 4 {
		h.Name, h.User = "System", "SYSTEM"
		return
	}
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(h.PID))
	if err != nil {
		return
	}
	defer windows.CloseHandle(p)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	size := uint32(len(buf))
	if windows.QueryFullProcessImageName(p, 0, &buf[0], &size) == nil {
		path := windows.UTF16ToString(buf[:size])
		h.Cmdline = []string{path}
		h.Name = baseName(path)
	}
	if args := commandLine(p); len(args) > 0 {
		h.Cmdline = args
	}
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(p, &created, &exited, &kernel, &user) == nil {
		h.Started = time.Unix(0, created.Nanoseconds())
	}
	var token windows.Token
	if windows.OpenProcessToken(p, windows.TOKEN_QUERY, &token) == nil {
		defer token.Close()
		if tu, err := token.GetTokenUser(); err == nil {
			if account, domain, _, err := tu.User.Sid.LookupAccount(""); err == nil {
				h.User = domain + `\` + account
			}
		}
	}
}

// commandLine asks Windows for the process's whole command line (Windows
// 8.1 and later) and splits it as CommandLineToArgvW does, which is how
// the C runtime of most programs split it. nil when the process keeps it
// from us (protected processes) or on older systems.
func commandLine(p windows.Handle) []string {
	size := uint32(4 << 10)
	for range 4 {
		buf := make([]byte, size)
		err := windows.NtQueryInformationProcess(p, windows.ProcessCommandLineInformation, unsafe.Pointer(&buf[0]), size, &size)
		switch {
		case err == nil:
			line, err := commandLineInfo(buf[:size], uintptr(unsafe.Pointer(&buf[0])), int(unsafe.Sizeof(uintptr(0))))
			if err != nil || line == "" {
				return nil
			}
			args, err := windows.DecomposeCommandLine(line)
			if err != nil {
				return nil
			}
			return args
		case errors.Is(err, windows.STATUS_INFO_LENGTH_MISMATCH), errors.Is(err, windows.STATUS_BUFFER_TOO_SMALL):
			continue // size now says what is needed
		default:
			return nil
		}
	}
	return nil
}

func baseName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '\\' || path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}

// listAll is lookup for every port (0), for portguard ls.
func listAll(proto Protocol) ([]Holder, error) { return lookup(proto, 0) }

// soExclusiveAddrUse is SO_EXCLUSIVEADDRUSE, ((int)(~SO_REUSEADDR)) in
// winsock2.h: the bind fails beside any other socket on the port.
const soExclusiveAddrUse = ^0x4

// exclusiveProbe binds the port on 0.0.0.0 and [::] with
// SO_EXCLUSIVEADDRUSE, and reports a reservation (reservedAfterProbe).
func exclusiveProbe(proto Protocol, port int) error {
	typ, ipproto := windows.SOCK_STREAM, windows.IPPROTO_TCP
	if proto == UDP {
		typ, ipproto = windows.SOCK_DGRAM, windows.IPPROTO_UDP
	}
	bind := func(family int, sa windows.Sockaddr) error {
		s, err := windows.Socket(family, typ, ipproto)
		if err != nil {
			return nil // no such family here: nothing to learn
		}
		defer windows.Closesocket(s)
		_ = windows.SetsockoptInt(s, windows.SOL_SOCKET, soExclusiveAddrUse, 1)
		return windows.Bind(s, sa)
	}
	return reservedAfterProbe(proto, port,
		bind(windows.AF_INET, &windows.SockaddrInet4{Port: port}),
		bind(windows.AF_INET6, &windows.SockaddrInet6{Port: port}))
}
