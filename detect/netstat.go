package detect

import (
	"strconv"
	"strings"
)

// macOS's lsof lists only the caller's own processes unless it runs as
// root, so a port held by root or another user (nginx on 80, a launchd
// daemon) looks unheld to it. `netstat -anv` needs no privileges and lists
// every socket with the PID that owns it, so it says whether a port whose
// probe failed really is held, and by whom, where lsof found nobody; a
// probe that failed on a TIME_WAIT remnant (macOS probes without
// SO_REUSEADDR) has no LISTEN row there and stays free.

// netstatArgs are the arguments of that call for proto.
func netstatArgs(proto Protocol) []string {
	if proto == UDP {
		return []string{"-anv", "-p", "udp"}
	}
	return []string{"-anv", "-p", "tcp"}
}

// parseNetstat reads `netstat -anv -p tcp|udp` output as macOS prints it
// and returns the holders of port: for TCP the LISTEN rows, for UDP every
// socket bound to it. Columns are found by the header (Local Address,
// (state), pid), since they moved between macOS releases; a row that
// cannot be read is skipped.
func parseNetstat(out []byte, proto Protocol, port int) []Holder {
	var holders []Holder
	local, state, pid := -1, -1, -1
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 && fields[0] == "Proto" {
			local, state, pid = netstatColumns(line)
			continue
		}
		if local < 0 || pid < 0 || len(fields) == 0 || !strings.HasPrefix(fields[0], string(proto)) {
			continue
		}
		if len(fields) <= max(local, pid, state) {
			continue
		}
		if proto == TCP && (state < 0 || fields[state] != "LISTEN") {
			continue
		}
		addr, at, ok := netstatAddr(fields[local], fields[0])
		if !ok || at != port {
			continue
		}
		n, err := strconv.Atoi(fields[pid])
		if err != nil || n < 0 {
			continue
		}
		holders = append(holders, Holder{Port: port, Protocol: proto, Addr: addr, PID: n})
	}
	return holders
}

// netstatColumns finds the field indexes of the local address, the state
// and the PID in netstat's header. "Local Address" and "Foreign Address"
// are two words each, so the header's words are counted with that in mind.
func netstatColumns(header string) (local, state, pid int) {
	local, state, pid = -1, -1, -1
	words := strings.Fields(header)
	col := 0
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case (w == "Local" || w == "Foreign") && i+1 < len(words) && words[i+1] == "Address":
			if w == "Local" {
				local = col
			}
			i++
		case w == "(state)":
			state = col
		case w == "pid":
			pid = col
		}
		col++
	}
	return local, state, pid
}

// netstatAddr turns netstat's address (127.0.0.1.5432, *.80, ::1.8080,
// fe80::1%lo0.22) into portguard's form and its port. netstat separates
// the port with the last dot; tcp46 and udp46 rows are dual-stack.
func netstatAddr(s, proto string) (string, int, bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", 0, false
	}
	port, err := strconv.Atoi(s[i+1:])
	if err != nil || port < 1 || port > 65535 {
		return "", 0, false
	}
	host := s[:i]
	switch {
	case host == "*" && strings.HasSuffix(proto, "4"):
		host = "0.0.0.0"
	case host == "*":
		host = "[::]"
	case strings.Contains(host, ":"):
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port), port, true
}

// unseenHolders decides what a failed probe means when the process table
// (lsof) named nobody: the holders the privilege-free socket table knows
// of (their PID, when it shows one, so that the owner rule can refuse or
// the user can be told), or, when that table has no socket either, none:
// the probe failed on a remnant and the port is free.
func unseenHolders(lsof []Holder, table []Holder) []Holder {
	if len(lsof) > 0 {
		return lsof
	}
	return table
}
