// Package infer works out which TCP ports a command will listen on, from
// its argv, its environment and its working directory, and says where each
// answer came from.
package infer

import (
	"net"
	"strconv"
	"strings"
)

// Port is one inferred port and the reason for it, for --explain.
type Port struct {
	Port   int
	Source string
}

// Ports returns the ports argv will listen on, given the environment env
// ("KEY=VALUE" entries, as os.Environ) and the working directory dir. An
// empty result means nothing could be inferred.
func Ports(argv, env []string, dir string) []Port {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	// KEY=VAL words in front of the command, as `env` and shells take them.
	for len(argv) > 0 {
		k, v, ok := strings.Cut(argv[0], "=")
		if !ok || k == "" || strings.ContainsAny(k, "/-") {
			break
		}
		vars[k] = v
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return nil
	}
	if p, src, ok := fromFlags(argv[1:]); ok {
		return []Port{{p, src}}
	}
	if p, ok := parsePort(vars["PORT"]); ok {
		return []Port{{p, "PORT=" + vars["PORT"] + " in the environment"}}
	}
	return nil
}

// fromFlags finds -p N, --port N, --port=N, -pN and a positional host:port.
func fromFlags(args []string) (int, string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		var val string
		switch {
		case a == "-p" || a == "--port":
			if i+1 < len(args) {
				val = args[i+1]
			}
		case strings.HasPrefix(a, "--port="):
			val = strings.TrimPrefix(a, "--port=")
		case strings.HasPrefix(a, "-p") && len(a) > 2:
			val = a[2:]
		case strings.Contains(a, ":") && !strings.HasPrefix(a, "-"):
			if _, port, err := net.SplitHostPort(a); err == nil {
				val = port
			}
		}
		if p, ok := parsePort(val); ok {
			return p, "the command's argument " + strconv.Quote(a), true
		}
	}
	return 0, "", false
}

func parsePort(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535
}
