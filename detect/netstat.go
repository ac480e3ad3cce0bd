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
// socket bound to it. Every row is read by the header above it
// (netstatLayout), since the PID column has moved twice: rxbytes and
// txbytes came before it on macOS 15, and macOS 26 prints process:pid in
// its place. Tools that read a fixed column took rhiwat, a buffer size,
// for the PID, and a kill by that number reaches some other process
// (detect/testdata/netstat/SOURCES.md).
func parseNetstat(out []byte, proto Protocol, port int) []Holder {
	var holders []Holder
	for _, r := range netstatRows(out) {
		if !strings.HasPrefix(r.proto, string(proto)) {
			continue
		}
		if proto == TCP && r.state != "LISTEN" {
			continue
		}
		addr, at, ok := netstatAddr(r.local, r.proto)
		if !ok || at != port {
			continue
		}
		holders = append(holders, Holder{Port: port, Protocol: proto, Addr: addr, PID: r.pid, Name: r.name})
	}
	return holders
}

// netstatRow is one socket row of `netstat -anv` that could be read: its
// protocol (tcp4, tcp46, udp6, …), local address as netstat writes it,
// TCP state ("" for UDP), owning PID and, where the layout names it
// (macOS 26), the process name.
type netstatRow struct {
	proto, local, state string
	pid                 int
	name                string
}

// netstatRows reads every socket row under a header. A row is refused,
// never guessed at, when no header came before it, when its fields do not
// line up with the header's columns, or when its PID is not a positive
// integer: a wrong PID here is a process killed by mistake.
func netstatRows(out []byte) []netstatRow {
	var rows []netstatRow
	layout := noLayout // until a header comes
	for line := range strings.SplitSeq(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "Proto" {
			layout = netstatColumns(line)
			continue
		}
		if !strings.HasPrefix(fields[0], "tcp") && !strings.HasPrefix(fields[0], "udp") {
			continue
		}
		if r, ok := layout.row(fields); ok {
			rows = append(rows, r)
		}
	}
	return rows
}

// netstatLayout is where a header puts the columns portguard reads, as
// field indexes of a row that has every column.
type netstatLayout struct {
	local, state, pid int // -1 when the header lacks the column
	columns           int
	// named: the PID column is process:pid (macOS 26), whose process
	// name is printed as it is and may hold spaces ("Autodesk Fusion").
	named bool
}

// noLayout reads no row.
var noLayout = netstatLayout{local: -1, state: -1, pid: -1}

// netstatColumns reads a header line. "Local Address" and "Foreign
// Address" are two words each; (state) is the TCP state, which macOS
// leaves blank on UDP rows (and one recording spells "(State)"); the PID
// column is "pid" up to macOS 15 and "process:pid" on macOS 26.
func netstatColumns(header string) netstatLayout {
	l := noLayout
	words := strings.Fields(header)
	col := 0
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case (w == "Local" || w == "Foreign") && i+1 < len(words) && words[i+1] == "Address":
			if w == "Local" {
				l.local = col
			}
			i++
		case strings.EqualFold(w, "(state)"):
			l.state = col
		case w == "pid":
			l.pid = col
		case w == "process:pid":
			l.pid, l.named = col, true
		}
		col++
	}
	l.columns = col
	if l.local < 0 || l.pid < 0 || l.pid < l.local || (l.state >= 0 && (l.state < l.local || l.state > l.pid)) {
		return noLayout // no column can be trusted
	}
	return l
}

// row reads a row's fields by the layout. A UDP row has no state (macOS
// prints blanks there), so the columns after it move one field left: the
// state is taken as present only when the field in its place is a state
// name. The PID field is then found from the left where the row has
// exactly the header's columns; on macOS 26, where the process name may
// add fields, it is counted from the right, the columns after it being
// always printed.
func (l netstatLayout) row(fields []string) (netstatRow, bool) {
	if l.pid < 0 || len(fields) <= l.local {
		return netstatRow{}, false
	}
	r := netstatRow{proto: fields[0], local: fields[l.local]}
	shift := 0
	if l.state >= 0 {
		if l.state < len(fields) && isTCPState(fields[l.state]) {
			r.state = fields[l.state]
		} else {
			shift = 1
		}
	}
	want := l.columns - shift
	var pid string
	switch {
	case !l.named && len(fields) == want:
		pid = fields[l.pid-shift]
	case l.named && len(fields) >= want:
		end := len(fields) - (l.columns - l.pid) // the field that ends in :pid
		name, p, ok := cutLast(fields[end], ":")
		if !ok {
			return netstatRow{}, false
		}
		r.name = strings.Join(append(fields[l.pid-shift:end:end], name), " ")
		r.name = strings.TrimSpace(r.name)
		pid = p
	default:
		return netstatRow{}, false
	}
	n, ok := positiveInt(pid)
	if !ok {
		return netstatRow{}, false
	}
	r.pid = n
	return r, true
}

// isTCPState: netstat's TCP states are upper-case words (LISTEN,
// FIN_WAIT_1); the fields that follow a blank UDP state are numbers.
func isTCPState(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// positiveInt accepts decimal digits only (no sign, no hex) naming a
// number above 0: the kernel's PID 0 is no process portguard could ask
// about, and a zero there is as likely a shifted column.
func positiveInt(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// cutLast is strings.Cut at the last sep: a process name may hold a colon.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
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
