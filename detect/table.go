package detect

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// tableRow is one row of Windows's socket tables with owning PIDs
// (GetExtendedTcpTable with TCP_TABLE_OWNER_PID_LISTENER,
// GetExtendedUdpTable with UDP_TABLE_OWNER_PID), as parseOwnerTable reads
// them. The parser is portable so that it is tested everywhere; only the
// call that fills the buffer is Windows's.
type tableRow struct {
	ip    netip.Addr
	port  int
	state uint32 // TCP only; 2 is MIB_TCP_STATE_LISTEN
	pid   int
}

const tcpStateListen = 2

// Row sizes of MIB_TCPROW_OWNER_PID, MIB_TCP6ROW_OWNER_PID,
// MIB_UDPROW_OWNER_PID and MIB_UDP6ROW_OWNER_PID: all DWORDs, but for
// the 16-byte IPv6 addresses.
var rowSize = map[Protocol][2]int{TCP: {24, 56}, UDP: {12, 28}}

// parseOwnerTable reads a MIB_*TABLE_OWNER_PID: a DWORD count, then the
// rows. Addresses and ports are in network byte order (the port in the
// low two bytes of its DWORD); the rest is little-endian, as on every
// Windows machine.
func parseOwnerTable(b []byte, proto Protocol, ipv6 bool) ([]tableRow, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("socket table: %d bytes", len(b))
	}
	le := binary.LittleEndian
	n := int(le.Uint32(b))
	size := rowSize[proto][0]
	if ipv6 {
		size = rowSize[proto][1]
	}
	if len(b) < 4+n*size {
		return nil, fmt.Errorf("socket table: %d rows do not fit in %d bytes", n, len(b))
	}
	port := func(dw []byte) int { return int(binary.BigEndian.Uint16(dw)) }
	rows := make([]tableRow, 0, n)
	for i := range n {
		r := b[4+i*size : 4+(i+1)*size]
		var row tableRow
		switch {
		case proto == TCP && !ipv6: // state, local addr, local port, remote addr, remote port, pid
			row = tableRow{ip: netip.AddrFrom4([4]byte(r[4:8])), port: port(r[8:]), state: le.Uint32(r), pid: int(le.Uint32(r[20:]))}
		case proto == TCP: // local addr[16], scope, local port, remote addr[16], scope, remote port, state, pid
			row = tableRow{ip: netip.AddrFrom16([16]byte(r[0:16])), port: port(r[20:]), state: le.Uint32(r[48:]), pid: int(le.Uint32(r[52:]))}
		case !ipv6: // local addr, local port, pid
			row = tableRow{ip: netip.AddrFrom4([4]byte(r[0:4])), port: port(r[4:]), pid: int(le.Uint32(r[8:]))}
		default: // local addr[16], scope, local port, pid
			row = tableRow{ip: netip.AddrFrom16([16]byte(r[0:16])), port: port(r[20:]), pid: int(le.Uint32(r[24:]))}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// holdersFromTable keeps the rows on port (listening, for TCP).
func holdersFromTable(rows []tableRow, proto Protocol, port int) []Holder {
	var hs []Holder
	for _, r := range rows {
		if (port != 0 && r.port != port) || (proto == TCP && r.state != tcpStateListen) {
			continue // port 0: every port, for portguard ls
		}
		hs = append(hs, Holder{Port: r.port, Protocol: proto, Addr: formatAddr(r.ip, r.port), PID: r.pid})
	}
	return hs
}
