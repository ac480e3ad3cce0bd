package terminate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// On macOS a server may be a launchd job: a Homebrew service
// (homebrew.mxcl.postgresql@16), a user agent, one of Apple's. launchd
// starts it again when it exits, so terminating it with --yes alone only
// restarts it, and the right stop is launchctl's (or brew services').
// launchd gives every process it starts the job's label in
// XPC_SERVICE_NAME; a shell in a terminal has "0" there, or nothing, and
// so do the servers started from it, even once their terminal is closed
// and launchd has adopted them.

// xpcServiceName reads XPC_SERVICE_NAME from a kern.procargs2 buffer:
// argc (int32), the executable's path, NUL padding, argc arguments, then
// the environment up to an empty string. "" when it is missing, "0", or
// an application's instance ("application.com.microsoft.VSCode.…", which
// every program started from that app's terminal inherits: no service).
func xpcServiceName(procargs []byte) string {
	if len(procargs) < 4 {
		return ""
	}
	argc := int(binary.LittleEndian.Uint32(procargs))
	rest := procargs[4:]
	// The executable's path and its padding.
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return ""
	}
	rest = rest[i:]
	for len(rest) > 0 && rest[0] == 0 {
		rest = rest[1:]
	}
	fields := bytes.Split(rest, []byte{0})
	if argc < 0 || argc > len(fields) {
		return ""
	}
	for _, f := range fields[argc:] {
		if len(f) == 0 {
			break // the end of the environment
		}
		if v, ok := strings.CutPrefix(string(f), "XPC_SERVICE_NAME="); ok {
			if v == "0" || strings.HasPrefix(v, "application.") {
				return ""
			}
			return v
		}
	}
	return ""
}

// launchdReason says why a launchd job needs --force, and how to stop it.
func launchdReason(label string) string {
	stop := fmt.Sprintf("launchctl bootout gui/$(id -u)/%s", label)
	if name, ok := strings.CutPrefix(label, "homebrew.mxcl."); ok {
		stop = "brew services stop " + name
	}
	return fmt.Sprintf("it is the launchd job %s, which launchd starts again when it exits; stop it with `%s`, or add --force", label, stop)
}
