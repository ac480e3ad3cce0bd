package infer

import (
	"net/url"
	"strconv"
	"strings"
)

// inSet reports whether flag is in a space-separated list such as "-p --port".
func inSet(set, flag string) bool {
	for _, f := range strings.Fields(set) {
		if f == flag {
			return true
		}
	}
	return false
}

// flagValue reads the value of args[*i] when it is one of flags, in any of
// the usual spellings: "--port 4000", "--port=4000", and for one-letter
// flags "-p4000". A separate value advances *i past it.
func flagValue(args []string, i *int, flags string) (string, bool) {
	a := args[*i]
	if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
		return "", false
	}
	if name, v, ok := strings.Cut(a, "="); ok && inSet(flags, name) {
		return v, true
	}
	if inSet(flags, a) {
		if *i+1 < len(args) {
			*i++
			return args[*i], true
		}
		return "", false
	}
	// -p4000: a one-letter flag with its value attached. Only digits, so
	// that -pretty is not read as -p with "retty".
	if len(a) > 2 && a[1] != '-' && inSet(flags, a[:2]) && isDigits(a[2:]) {
		return a[2:], true
	}
	return "", false
}

// skipFlags drops the leading flags of a wrapper (and the values of those in
// valueFlags) and returns the wrapped command.
func skipFlags(args []string, valueFlags string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return args[i+1:]
		case !strings.HasPrefix(a, "-") || a == "-":
			return args[i:]
		case inSet(valueFlags, a):
			i++
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// addr is what an address argument says about listening.
type addr int

const (
	addrNone   addr = iota // no port in it (a bare host): the tool's default applies
	addrPort               // a TCP port
	addrNotTCP             // a unix socket, a pipe, a file descriptor: no TCP port at all
	addrZero               // port 0: the kernel picks a free port, which nothing else holds
)

// isZeroPort: "0" (or "00"), the port that asks the kernel for a free one.
func isZeroPort(s string) bool {
	return s != "" && strings.Trim(s, "0") == "" && len(s) <= 5
}

// parseAddr reads a listen address: 8000, :8000, 0.0.0.0:8000, [::1]:8000,
// localhost:8000, tcp://host:8000, http://+:5000, unix:/tmp/s.sock, or a
// bare host.
func parseAddr(s string) (int, addr) {
	s = strings.TrimSpace(s)
	if p, ok := parsePort(s); ok {
		return p, addrPort
	}
	if isZeroPort(s) {
		return 0, addrZero
	}
	for _, prefix := range []string{"unix:", "unix://", "pipe:", "fd://", "fd:"} {
		if strings.HasPrefix(s, prefix) {
			return 0, addrNotTCP
		}
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") {
		return 0, addrNotTCP // a socket path
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch scheme {
		case "tcp", "tcp4", "tcp6", "http", "https", "ws":
			if u, err := url.Parse("tcp://" + strings.Replace(rest, "+", "plus", 1)); err == nil && u.Port() != "" {
				if p, ok := parsePort(u.Port()); ok {
					return p, addrPort
				}
			}
			if scheme == "http" {
				return 80, addrPort
			}
			if scheme == "https" {
				return 443, addrPort
			}
			return 0, addrNone
		default:
			return 0, addrNotTCP
		}
	}
	if port, ok := hostPort(s); ok {
		if p, ok := parsePort(port); ok {
			return p, addrPort
		}
		if isZeroPort(port) {
			return 0, addrZero
		}
	}
	return 0, addrNone
}

// parsePublish reads a docker/podman -p value: [ip:]hostPort:containerPort
// [/proto], with ranges. A container port alone or an empty host port
// publishes on an ephemeral port, which cannot be known in advance.
func parsePublish(s string) []int {
	spec, proto, _ := strings.Cut(s, "/")
	if proto != "" && proto != "tcp" {
		return nil
	}
	if strings.HasPrefix(spec, "[") {
		end := strings.Index(spec, "]:")
		if end < 0 {
			return nil
		}
		spec = spec[end+2:]
	} else if parts := strings.Split(spec, ":"); len(parts) == 3 {
		spec = parts[1] + ":" + parts[2]
	}
	host, _, ok := strings.Cut(spec, ":")
	if !ok || host == "" {
		return nil
	}
	lo, hi, isRange := strings.Cut(host, "-")
	first, ok := parsePort(lo)
	if !ok {
		return nil
	}
	last := first
	if isRange {
		if last, ok = parsePort(hi); !ok || last < first || last-first > 1000 {
			return nil
		}
	}
	var ports []int
	for p := first; p <= last; p++ {
		ports = append(ports, p)
	}
	return ports
}

// parseForward reads a kubectl port-forward or ssh -L spec and returns the
// local port: 8080:80 and 8080 give 8080; :80 picks a random local port.
func parseForward(s string, fields int) (int, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < fields-1 || len(parts) > fields {
		return 0, false
	}
	// ssh -L [bind:]port:host:hostport: the local port is fourth from the
	// end; kubectl LOCAL[:REMOTE]: it is the first.
	idx := 0
	if fields == 4 {
		idx = len(parts) - 3
	}
	return parsePort(parts[idx])
}

func quoteArg(s string) string { return strconv.Quote(s) }

// hostPort is the port of "host:port" or "[v6]:port", split by the rules
// of net.SplitHostPort (a host with a colon must be in brackets), which
// would link the net package, and its start-up, for this one call.
func hostPort(s string) (port string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", false
	}
	host := s[:i]
	if strings.HasPrefix(host, "[") {
		inner, closed := strings.CutSuffix(host[1:], "]")
		if !closed || strings.ContainsAny(inner, "[]") {
			return "", false
		}
	} else if strings.ContainsAny(host, ":[]") {
		return "", false
	}
	if strings.ContainsAny(s[i+1:], "[]") {
		return "", false
	}
	return s[i+1:], true
}
