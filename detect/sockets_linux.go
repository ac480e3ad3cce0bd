package detect

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/portguard/portguard/internal/proc"
)

// socket is one socket bound to the port, as the kernel reports it.
type socket struct {
	inode uint64
	addr  string
	uid   int
	port  int
}

// boundSockets asks the kernel for the sockets on port: TCP sockets in
// LISTEN state (not TIME_WAIT remnants, not client connections), or every
// UDP socket bound to it. It asks through netlink sock_diag, as ss does,
// and falls back to /proc/net where netlink is refused (some sandboxes).
func boundSockets(proto Protocol, port int) ([]socket, error) {
	socks, err := diagSockets(proto, port)
	if err == nil {
		return socks, nil
	}
	socks, perr := procNetSockets(proto, port)
	if perr != nil {
		return nil, fmt.Errorf("listing sockets on :%d: %w (and netlink: %v)", port, perr, err)
	}
	return socks, nil
}

// The request and reply of NETLINK_SOCK_DIAG for inet sockets, as
// linux/inet_diag.h lays them out; golang.org/x/sys does not define them.
// Ports and addresses are in network byte order, the rest native.
type diagSockID struct {
	SrcPort [2]byte
	DstPort [2]byte
	Src     [16]byte
	Dst     [16]byte
	If      uint32
	Cookie  [2]uint32
}

type diagRequest struct { // struct inet_diag_req_v2
	Family   uint8
	Protocol uint8
	Ext      uint8
	_        uint8
	States   uint32
	ID       diagSockID
}

type diagMessage struct { // struct inet_diag_msg
	Family  uint8
	State   uint8
	Timer   uint8
	Retrans uint8
	ID      diagSockID
	Expires uint32
	RQueue  uint32
	WQueue  uint32
	UID     uint32
	Inode   uint32
}

const tcpListen = 10 // TCP_LISTEN in include/net/tcp_states.h

// diagSockets asks for the sockets with the port as source port (every
// port: 0). For TCP it asks for the LISTEN state only, which lets the
// kernel walk its listening hash and skip the table of connections, the
// walk that makes reading /proc/net/tcp cost milliseconds on a busy
// machine; the kernel also filters by the source port given in the
// request.
//
// The exchange is one request and its replies on a blocking socket, made
// with golang.org/x/sys/unix alone: a netlink library would bring the net
// package and the runtime's poller, whose start-up cost more than the
// exchange itself.
func diagSockets(proto Protocol, port int) ([]socket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	// The kernel answers a dump at once; the timeout is for one that never
	// does, so that the caller falls back to /proc/net instead of hanging.
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 2}); err != nil {
		return nil, err
	}
	req := diagRequest{Protocol: unix.IPPROTO_TCP, States: 1 << tcpListen}
	if proto == UDP {
		req.Protocol, req.States = unix.IPPROTO_UDP, ^uint32(0)
	}
	binary.BigEndian.PutUint16(req.ID.SrcPort[:], uint16(port))
	var socks []socket
	buf := make([]byte, 64<<10) // the kernel fills at most 32 KiB a read
	for i, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		req.Family = family
		seq := uint32(i + 1)
		err := dump(fd, buf, seq, req, func(data []byte) error {
			var d diagMessage
			if _, err := binary.Decode(data, binary.NativeEndian, &d); err != nil {
				return fmt.Errorf("sock_diag reply: %w", err)
			}
			got := int(binary.BigEndian.Uint16(d.ID.SrcPort[:]))
			if port != 0 && got != port {
				return nil // a kernel that ignores the port in the request
			}
			ip := netip.AddrFrom16(d.ID.Src)
			if d.Family == unix.AF_INET {
				ip = netip.AddrFrom4([4]byte(d.ID.Src[:4]))
			}
			socks = append(socks, socket{inode: uint64(d.Inode), addr: formatAddr(ip, got), uid: int(d.UID), port: got})
			return nil
		})
		if errors.Is(err, unix.ENOENT) && family == unix.AF_INET6 {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			return nil, err
		}
	}
	return socks, nil
}

// dump sends req as dump request seq and calls fn with the payload of
// each reply, until the kernel says the dump is done. An error reply is
// returned as its errno.
func dump(fd int, buf []byte, seq uint32, req diagRequest, fn func(data []byte) error) error {
	body, err := binary.Append(nil, binary.NativeEndian, req)
	if err != nil {
		return err
	}
	msg := binary.NativeEndian.AppendUint32(nil, uint32(unix.NLMSG_HDRLEN+len(body)))
	msg = binary.NativeEndian.AppendUint16(msg, unix.SOCK_DIAG_BY_FAMILY)
	msg = binary.NativeEndian.AppendUint16(msg, unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	msg = binary.NativeEndian.AppendUint32(msg, seq)
	msg = binary.NativeEndian.AppendUint32(msg, 0) // the port ID: the kernel assigns ours
	msg = append(msg, body...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	for {
		n, from, err := unix.Recvfrom(fd, buf, unix.MSG_TRUNC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n > len(buf) {
			return fmt.Errorf("sock_diag reply of %d bytes is larger than %d", n, len(buf))
		}
		if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
			continue // only the kernel's replies count
		}
		for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			// struct nlmsghdr: length, type, flags, sequence, port ID.
			size := int(binary.NativeEndian.Uint32(b))
			typ := binary.NativeEndian.Uint16(b[4:])
			got := binary.NativeEndian.Uint32(b[8:])
			if size < unix.NLMSG_HDRLEN || size > len(b) {
				return fmt.Errorf("sock_diag reply: message of %d bytes in %d", size, len(b))
			}
			data := b[unix.NLMSG_HDRLEN:size]
			b = b[min(len(b), (size+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1)):]
			if got != seq {
				continue // a reply to an earlier request
			}
			switch typ {
			case unix.NLMSG_DONE:
				// A dump that failed ends with its errno here (a protocol
				// whose diag module is not loaded, say): not an empty dump.
				return replyErrno(data)
			case unix.NLMSG_ERROR:
				if len(data) < 4 {
					return errors.New("sock_diag: short error reply")
				}
				if err := replyErrno(data); err != nil {
					return err
				}
			default:
				if err := fn(data); err != nil {
					return err
				}
			}
		}
	}
}

// procNetSockets reads /proc/net/{tcp,tcp6} or {udp,udp6}.
func procNetSockets(proto Protocol, port int) ([]socket, error) {
	var socks []socket
	for _, table := range []string{string(proto), string(proto) + "6"} {
		b, err := proc.ReadFile("/proc/net/" + table)
		if errors.Is(err, unix.ENOENT) {
			continue // no IPv6 on this machine
		}
		if err != nil {
			return nil, err
		}
		lines := bytes.Split(b, []byte("\n"))
		for _, line := range lines[min(1, len(lines)):] {
			s, p, state, ok := parseProcNetLine(string(line))
			if ok && (port == 0 || p == port) && (proto == UDP || state == tcpListen) {
				socks = append(socks, s)
			}
		}
	}
	return socks, nil
}

// parseProcNetLine parses one line of /proc/net/tcp and its kin:
//
//	sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
//	0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 12345 …
//
// Addresses are hex words in host byte order, ports big-endian hex.
func parseProcNetLine(line string) (s socket, port, state int, ok bool) {
	f := strings.Fields(line)
	if len(f) < 10 {
		return socket{}, 0, 0, false
	}
	hexIP, hexPort, found := strings.Cut(f[1], ":")
	p, err1 := strconv.ParseUint(hexPort, 16, 16)
	st, err2 := strconv.ParseUint(f[3], 16, 8)
	uid, err3 := strconv.Atoi(f[7])
	inode, err4 := strconv.ParseUint(f[9], 10, 64)
	raw, err5 := hex.DecodeString(hexIP)
	if !found || errors.Join(err1, err2, err3, err4, err5) != nil || (len(raw) != 4 && len(raw) != 16) {
		return socket{}, 0, 0, false
	}
	for i := 0; i < len(raw); i += 4 { // each word as %08X prints a host-order one
		binary.NativeEndian.PutUint32(raw[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	ip, _ := netip.AddrFromSlice(raw)
	return socket{inode: inode, addr: formatAddr(ip, int(p)), uid: uid, port: int(p)}, int(p), int(st), true
}

// replyErrno is the error a DONE or ERROR message carries: a negated
// errno in its first four bytes, 0 (or nothing) for none.
func replyErrno(data []byte) error {
	if len(data) >= 4 {
		if errno := -int32(binary.NativeEndian.Uint32(data)); errno > 0 {
			return unix.Errno(errno)
		}
	}
	return nil
}
