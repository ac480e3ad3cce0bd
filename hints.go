package main

import (
	"strconv"
	"strings"
)

// The words people reach for when they mean one of portguard's commands.
// A word here leads to the command that does it, with its checks: never
// to "portguard -- kill 3000", which would signal whatever has PID 3000.
var intents = map[string]string{
	"kill": "free", "stop": "free", "term": "free", "terminate": "free", "release": "free", "clear": "free",
	"unblock": "free", "pkill": "free", "killall": "free", "fuser": "free", "close": "free",
	"who": "which", "whois": "which", "lsof": "which", "holder": "which", "holders": "which", "find": "which", "port": "which",
	"list": "ls", "ps": "ls", "status": "ls", "ports": "ls", "netstat": "ls", "ss": "ls",
}

// signallers are programs whose arguments are PIDs or names to signal:
// portguard never suggests running them.
var signallers = map[string]bool{
	"kill": true, "pkill": true, "killall": true, "fuser": true, "skill": true, "snice": true,
	"xkill": true, "tkill": true, "taskkill": true, "killall5": true,
}

// subcommands portguard has, for "did you mean".
var subcommands = []string{"which", "ls", "free", "infer", "check-line", "init", "completion", "version", "help"}

// unknownWordHint is the hint for `portguard WORD ARGS…` where WORD is no
// subcommand: the command the word stands for, the subcommand it is
// misspelt from, or, for a program on PATH that signals nothing, how to
// run it. "" when nothing fits.
func unknownWordHint(word string, args []string, onPath func(string) bool) string {
	lower := strings.ToLower(word)
	if sub, ok := intents[lower]; ok {
		return "did you mean: " + suggestion(sub, args)
	}
	if sub := nearestWord(lower, subcommands); sub != "" {
		return "did you mean: " + suggestion(sub, args)
	}
	if !signallers[lower] && onPath(word) {
		return "to run a program, put it after --: portguard -- " + strings.Join(append([]string{word}, args...), " ")
	}
	return "portguard --help lists the commands"
}

// suggestion writes `portguard SUB ARGS`, keeping only the arguments that
// are ports (the rest were the other program's), or a placeholder.
func suggestion(sub string, args []string) string {
	var ports []string
	for _, a := range args {
		if n, err := strconv.Atoi(strings.TrimPrefix(a, ":")); err == nil && n >= 1 && n <= 65535 {
			ports = append(ports, strconv.Itoa(n))
		}
	}
	switch {
	case sub == "ls" || sub == "version" || sub == "help" || sub == "completion" || sub == "init":
		return "portguard " + sub
	case len(ports) > 0:
		return "portguard " + sub + " " + strings.Join(ports, " ")
	case sub == "which" || sub == "free":
		return "portguard " + sub + " PORT"
	}
	return "portguard " + sub
}

// nearestWord is the word of list within two edits of w (one for short
// words), or "".
func nearestWord(w string, list []string) string {
	best, bestD := "", 3
	for _, c := range list {
		limit := 2
		if len(c) <= 3 {
			limit = 1
		}
		if d := editDistance(w, c); d <= limit && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
