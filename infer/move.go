package infer

import (
	"slices"
	"strconv"
	"strings"

	"github.com/portguard/portguard/wrap"
)

// move is how to run a command on another port than the inferred one:
// set a variable the tool reads, rewrite the port flag or argument that
// named it, or add the tool's port flag. Inference records it only where
// the change is sure to reach the tool: a variable that no script sets
// itself, a flag on the command line as typed.
type move struct {
	env   string // set this variable
	flag  string // the port flag ("" with value: a positional argument)
	value string // the text that named the port, to rewrite; "" to add flag
	// forward, with flag, adds the flag through the package manager that
	// runs the script: npm after "--", yarn, pnpm and bun as they are.
	forward string
}

// envMove moves a port read from variable name, unless a script sets the
// variable itself, which the environment cannot override.
func envMove(s scope, name string) *move {
	if s.scripted[name] {
		return nil
	}
	return &move{env: name}
}

// flagMove moves a port read from the command line: rewritten where the
// user typed it; inside a script only through a variable the tool lets
// beat its flags.
func (t *tool) flagMove(s scope, f found, n int) *move {
	if s.depth == 0 && f.value != "" && n == 1 {
		return &move{flag: f.flag, value: f.value}
	}
	return nil
}

// defaultMove moves a default (or config) port: through the tool's
// variable, which beats both, or by adding its port flag to the command
// as typed.
func (t *tool) defaultMove(s scope) *move {
	if names := strings.Fields(t.env); len(names) > 0 && !strings.HasPrefix(names[0], "url:") {
		if m := envMove(s, names[0]); m != nil {
			return m
		}
	}
	flags := strings.Fields(t.port)
	if len(flags) == 0 {
		return nil
	}
	flag := flags[len(flags)-1] // the long spelling, listed last
	switch {
	case s.depth == 0:
		return &move{flag: flag}
	case s.depth == 1 && s.forward != "":
		// "dev": "vite": the package manager appends what follows the
		// script's name to its text, and so to vite.
		return &move{flag: flag, forward: s.forward}
	}
	return nil
}

// MoveTo returns argv and the variables to add to its environment so that
// the command listens on port to instead of p.Port, and says what was
// changed: "PORT=3001", "--port 3001". ok is false when that cannot be
// done for sure (the port is named twice, or inside a script).
func (p Port) MoveTo(argv []string, to int) (newArgv, env []string, what string, ok bool) {
	m := p.move
	if m == nil {
		return nil, nil, "", false
	}
	newArgv = append([]string(nil), argv...)
	port, next := strconv.Itoa(p.Port), strconv.Itoa(to)
	switch {
	case m.env != "":
		// PORT=3000 npm start, env PORT=3000 …, cross-env PORT=3000 …:
		// the assignment on the command line wins over the environment,
		// so it is the one to change.
		what = m.env + "=" + next
		at := -1
		for i, a := range newArgv {
			if k, _, isAssign := wrap.Assignment(a); isAssign && k == m.env {
				if at >= 0 {
					return nil, nil, "", false
				}
				at = i
			}
		}
		if at >= 0 {
			newArgv[at] = what
			return newArgv, nil, what, true
		}
		return newArgv, []string{what}, what, true
	case m.forward != "":
		if m.forward == "npm" && !slices.Contains(newArgv, "--") {
			newArgv = append(newArgv, "--") // npm passes a script only what follows --
		}
		newArgv = append(newArgv, m.flag, next)
		what = m.flag + " " + next
		if m.forward == "npm" {
			what = "-- " + what
		}
		return newArgv, nil, what, true
	case m.value == "":
		at := len(newArgv)
		for i, a := range newArgv {
			if a == "--" && i > 0 {
				at = i // what follows belongs to the app
				break
			}
		}
		newArgv = append(newArgv[:at], append([]string{m.flag, next}, newArgv[at:]...)...)
		return newArgv, nil, m.flag + " " + next, true
	}
	value, cut := strings.CutSuffix(m.value, port)
	if !cut {
		return nil, nil, "", false
	}
	value += next
	found := -1
	rewrite := func(i int, s string) bool {
		if found >= 0 {
			return false // named twice: which one listens is not sure
		}
		found = i
		newArgv[i] = s
		return true
	}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case m.flag == "" && a == m.value:
			ok = rewrite(i, value)
		case m.flag != "" && a == m.flag && i+1 < len(argv) && argv[i+1] == m.value:
			ok = rewrite(i+1, value)
			i++
		case m.flag != "" && a == m.flag+"="+m.value:
			ok = rewrite(i, m.flag+"="+value)
		case m.flag != "" && !strings.HasPrefix(m.flag, "--") && a == m.flag+m.value:
			ok = rewrite(i, m.flag+value)
		default:
			continue
		}
		if !ok {
			return nil, nil, "", false
		}
	}
	if found < 0 {
		return nil, nil, "", false
	}
	what = "argument " + value
	if m.flag != "" {
		what = m.flag + " " + value
	}
	return newArgv, nil, what, true
}
