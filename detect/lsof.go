package detect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/portguard/portguard/internal/outside"
)

// lsofArgs are the arguments of the lsof call that finds the holders of a
// port where the system offers nothing better (macOS): numeric output
// (-nP), sockets on the port, for TCP only listening ones, and the
// machine-readable field output -F: p PID, c command, u uid, L login,
// t type (IPv4/IPv6), n name (the address).
//
// -b keeps lsof from the kernel calls that can block (stat of a stale
// network mount hangs it otherwise), and -w drops the warnings -b causes.
func lsofArgs(proto Protocol, port int) []string {
	on := ":" + strconv.Itoa(port)
	if port == 0 {
		on = "" // every port: portguard ls
	}
	if proto == UDP {
		return []string{"-b", "-w", "-nP", "-iUDP" + on, "-FpcLutn"}
	}
	return []string{"-b", "-w", "-nP", "-iTCP" + on, "-sTCP:LISTEN", "-FpcLutn"}
}

// lsofPath is macOS's own lsof, run by its path: a lsof earlier on PATH
// (a project's bin directory, a package manager's) is not asked. (A
// variable for the tests' recorded stand-in.)
var lsofPath = "/usr/sbin/lsof"

// lsofTimeout bounds a lookup that -b could not keep from hanging.
var lsofTimeout = 5 * time.Second

// runLsof runs macOS's lsof with args, within lsofTimeout.
func runLsof(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lsofTimeout)
	defer cancel()
	out, err := outside.Command(ctx, lsofPath, args...).Output()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s did not answer within %s", lsofPath, lsofTimeout)
	}
	return out, err
}

// lsofHolders runs lsof for the port and parses its answer. lsof exits 1,
// printing nothing, when nothing matches.
func lsofHolders(proto Protocol, port int) ([]Holder, error) {
	out, err := runLsof(lsofArgs(proto, port)...)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 1 && len(out) == 0:
		return nil, nil
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf(":%d is in use, but %s, which portguard asks for its holders here, is missing", port, lsofPath)
	case err != nil:
		return nil, fmt.Errorf("lsof for :%d: %w", port, err)
	}
	return parseLsof(out, proto, port)
}

// parseLsof reads lsof's field output (lsofArgs) into holders: one per
// process and address. Fields are one per line, the first character
// naming the field. A "p" line starts a process; the file fields that
// follow belong to it, a file's set running from its "f" (or, where lsof
// leaves "f" out, its "t" or "P") to the next file or process.
//
// Recorded macOS output (testdata/lsof-macos) carries fields lsofArgs
// does not ask for: "f" in every recording, and "P" (protocol) and "T"
// (TCP state, after the name) where a caller asked for them. A file
// whose protocol or state says it is not a holder of this kind is
// skipped, and so is a TCP name with a remote end ("local->remote"): a
// connection, not a listener.
func parseLsof(out []byte, proto Protocol, port int) ([]Holder, error) {
	var holders []Holder
	var cur Holder
	var file lsofFile
	type key struct {
		pid  int
		addr string
	}
	seen := map[key]bool{}
	emit := func() {
		defer func() { file = lsofFile{} }()
		if file.name == "" || !file.holds(proto) {
			return
		}
		addr, at, err := lsofAddr(file.name, file.family, port)
		if err != nil {
			// lsof -iUDP:P also lists sockets whose remote port is
			// P, and names it cannot parse (%lo0 zones): not a
			// holder of this port, and no reason to fail the rest.
			return
		}
		h := cur
		h.Addr, h.Port = addr, at
		if k := (key{h.PID, h.Addr}); !seen[k] { // the IPv4 and IPv6 "*:P" of one listener, without "t"
			seen[k] = true
			holders = append(holders, h)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		value := line[1:]
		switch line[0] {
		case 'p':
			emit()
			pid, err := strconv.Atoi(value)
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("lsof: bad PID line %q", line)
			}
			cur = Holder{Port: port, Protocol: proto, PID: pid}
			file = lsofFile{}
		case 'c':
			cur.Name = value
		case 'u':
			cur.UID, _ = strconv.Atoi(value)
		case 'L':
			cur.User = value
		case 'f':
			emit()
		case 't':
			if file.name != "" {
				emit()
			}
			file.family = value
		case 'P':
			if file.name != "" {
				emit()
			}
			file.protocol = value
		case 'n':
			if cur.PID == 0 {
				return nil, fmt.Errorf("lsof: address %q before any process", value)
			}
			if file.name != "" {
				emit()
			}
			file.name = value
		case 'T':
			if state, ok := strings.CutPrefix(value, "ST="); ok {
				file.state = state
			}
		}
	}
	emit()
	return holders, sc.Err()
}

// lsofFile is one open file of lsof's field output, as far as read.
type lsofFile struct {
	name     string // n: "127.0.0.1:3000", "*:3000", "[::1]:3000", "local->remote"
	family   string // t: IPv4, IPv6; lsof prints it only when asked
	protocol string // P: TCP, UDP; only when asked
	state    string // T ST=: LISTEN, ESTABLISHED; only when asked
}

// holds reports whether the file can be a holder of a proto port: what
// its own fields say, where lsof printed them, must not contradict it.
func (f lsofFile) holds(proto Protocol) bool {
	if f.protocol != "" && !strings.EqualFold(f.protocol, string(proto)) {
		return false
	}
	if proto == TCP {
		if f.state != "" && f.state != "LISTEN" {
			return false
		}
		if strings.Contains(f.name, "->") {
			return false
		}
	}
	return true
}

// lsofAddr turns lsof's name field into portguard's address form, and
// its port (which must be port, unless port is 0: any). lsof writes a
// wildcard as "*:PORT" for both families; the type field says which.
func lsofAddr(name, family string, port int) (string, int, error) {
	host, _, _ := strings.Cut(name, "->") // a connected UDP socket: local->remote
	i := strings.LastIndexByte(host, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("lsof: address %q has no port", name)
	}
	got, err := strconv.Atoi(host[i+1:])
	if err != nil || (port != 0 && got != port) {
		return "", 0, fmt.Errorf("lsof: address %q is not on port %d", name, port)
	}
	port = got
	h := strings.Trim(host[:i], "[]")
	if zone := strings.IndexByte(h, '%'); zone >= 0 {
		h = h[:zone] // fe80::1%lo0
	}
	if h == "*" {
		h = "0.0.0.0"
		if family == "IPv6" {
			h = "::"
		}
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return "", 0, fmt.Errorf("lsof: bad address %q", name)
	}
	return formatAddr(ip, port), port, nil
}

// parseProcArgs reads macOS's KERN_PROCARGS2 sysctl: argc as a 32-bit
// integer, the executable's path, NUL padding, then argc NUL-terminated
// arguments (the environment follows and is not read).
func parseProcArgs(b []byte) ([]string, error) {
	if len(b) < 4 {
		return nil, errors.New("procargs: too short")
	}
	argc := int(binary.NativeEndian.Uint32(b))
	rest := b[4:]
	end := bytes.IndexByte(rest, 0)
	if end < 0 {
		return nil, errors.New("procargs: no executable path")
	}
	rest = bytes.TrimLeft(rest[end:], "\x00")
	args := make([]string, 0, argc)
	for len(args) < argc && len(rest) > 0 {
		end := bytes.IndexByte(rest, 0)
		if end < 0 {
			end = len(rest)
		}
		args = append(args, string(rest[:end]))
		rest = rest[min(end+1, len(rest)):]
	}
	if len(args) != argc {
		return nil, fmt.Errorf("procargs: %d of %d arguments", len(args), argc)
	}
	return args, nil
}
