package infer

import (
	"bufio"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// CommandLine is a whole line typed at an interactive shell, as the shell
// hooks pass it to portguard before the shell runs it.
type CommandLine struct {
	Text string
	// Shell is bash, zsh or fish. zsh lines are parsed as zsh; bash and
	// fish lines as bash, which fish's simple commands, pipes, && and
	// VAR=value prefixes also are.
	Shell string
	// Aliases are the shell's aliases of the line's words, name to text.
	Aliases map[string]string
}

// Ports returns the ports the line will listen on when the shell in the
// working directory dir runs it with the environment env. Everything on
// the line counts: `cd web && npm run dev` reads web/package.json, and
// `make dev` or `./bin/dev` are followed into the Makefile's recipe or
// the project's shell script. An error means the line is not shell syntax
// (fish's own, or unfinished); nothing is ever run.
func (l CommandLine) Ports(env []string, dir string) ([]Port, error) {
	ports, _, err := l.Explain(env, dir)
	return ports, err
}

// Explain is Ports with notes for --explain (see Explain).
func (l CommandLine) Explain(env []string, dir string) ([]Port, []string, error) {
	r, err := l.Read(env, dir)
	return r.Ports, r.Notes, err
}

// LineResult is what reading a line found.
type LineResult struct {
	Ports []Port
	Notes []string
	// RunsScript: the line runs one of its project's package.json scripts
	// (npm run dev), which is what a project's own ports setting is for.
	RunsScript bool
}

// Read reads the line: its ports, notes, and whether it runs a script.
func (l CommandLine) Read(env []string, dir string) (LineResult, error) {
	if tooDeep(l.Text) {
		return LineResult{}, fmt.Errorf("the line nests more than %d levels deep", maxNesting)
	}
	variant := syntax.LangBash
	if l.Shell == "zsh" {
		variant = syntax.LangZsh
	}
	f, err := syntax.NewParser(syntax.Variant(variant)).Parse(strings.NewReader(l.Text), "")
	if err != nil {
		return LineResult{}, fmt.Errorf("reading the line as %s: %w", variant, err)
	}
	w := newWalker(dir)
	w.aliases = maps.Clone(l.Aliases)
	w.stmts(newScope(env, dir), f.Stmts)
	return LineResult{Ports: w.out, Notes: w.notes, RunsScript: w.ranScript}, nil
}

// maxScript bounds what is read of a project's own script.
const maxScript = 256 << 10

// localScript follows a shell script of the project run by its path
// (./bin/dev, scripts/serve.sh): its commands are inferred as a
// package.json script's are. It reports whether path is such a script.
func (w *walker) localScript(s scope, path string) bool {
	path = join(s.dir, path)
	b, ok := w.read(path)
	if !ok || len(b) > maxScript || !isShellScript(b) {
		return false
	}
	if w.first("script " + path) {
		w.script(s.deeper(" (script "+w.rel(path)+")"), string(b))
	}
	return true
}

// isShellScript reads the #! line: /bin/sh, /usr/bin/env bash, ….
func isShellScript(b []byte) bool {
	first, _, _ := strings.Cut(string(b), "\n")
	interp, ok := strings.CutPrefix(first, "#!")
	if !ok {
		return false
	}
	fields := strings.Fields(interp)
	if len(fields) > 1 && filepath.Base(fields[0]) == "env" {
		fields = fields[1:]
		for len(fields) > 1 && strings.HasPrefix(fields[0], "-") {
			fields = fields[1:]
		}
	}
	if len(fields) == 0 {
		return false
	}
	switch filepath.Base(fields[0]) {
	case "sh", "bash", "zsh", "dash", "ash", "ksh":
		return true
	}
	return false
}

// make follows `make TARGET…` into the recipes of those targets (or of
// the first one), each recipe line a shell command run in the Makefile's
// directory, as make runs them. Variables are expanded from the
// Makefile's simple assignments, the command line and the environment;
// make's functions ($(shell …), $(wildcard …)) expand to nothing.
func (w *walker) make(s scope, args []string) {
	if why := makeDryRun(args); why != "" {
		w.note("%s: no port", why)
		return
	}
	dir, file := s.dir, ""
	var targets []string
	vars := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "-C" || a == "--directory") && i+1 < len(args):
			i++
			dir = join(dir, args[i])
		case strings.HasPrefix(a, "--directory="):
			dir = join(dir, strings.TrimPrefix(a, "--directory="))
		case (a == "-f" || a == "--file" || a == "--makefile") && i+1 < len(args):
			i++
			file = args[i]
		case (a == "-j" || a == "--jobs" || a == "-l") && i+1 < len(args) && isDigits(args[i+1]):
			i++
		case strings.HasPrefix(a, "-"):
		case strings.Contains(a, "="):
			k, v, _ := strings.Cut(a, "=")
			vars[strings.TrimSpace(k)] = v
		default:
			targets = append(targets, a)
		}
	}
	names := []string{"GNUmakefile", "makefile", "Makefile"}
	if file != "" {
		names = []string{file}
	}
	path, text, err := readFile(dir, names...)
	if err != nil {
		w.noteSkipped(path, err)
		return
	}
	mk := parseMakefile(text)
	for k, v := range vars { // the command line overrides the Makefile
		mk.vars[k] = v
	}
	if len(targets) == 0 && mk.first != "" {
		targets = []string{mk.first}
	}
	base := s.deeper("") // the Makefile's variables beat the environment
	base.dir = filepath.Dir(path)
	for _, k := range mk.exported {
		base = base.with(k, mk.expand(mk.vars[k], s.env, 0))
	}
	for _, t := range targets {
		if !w.first("make " + path + " " + t) {
			continue // $(MAKE) that loops, or a target named twice
		}
		sub := base.deeper(fmt.Sprintf(" (make target %q in %s)", t, w.rel(path)))
		for _, line := range mk.recipes[t] {
			w.script(sub, mk.expand(line, sub.env, 0))
		}
	}
}

type makefile struct {
	spent    int // bytes produced by expansion so far, against maxExpansion
	vars     map[string]string
	exported []string
	recipes  map[string][]string
	first    string
}

var (
	makeAssign = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(::=|:=|\?=|\+=|!=|=)\s*(.*)$`)
	})
	makeRule = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([^\s:=#][^:=#]*?)\s*::?(.*)$`)
	})
	makeRef = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\$(?:\(([^()$]*)\)|\{([^{}$]*)\}|([A-Za-z@<^]))`)
	})
)

// parseMakefile reads what inference needs of a Makefile: simple variable
// assignments and each rule's recipe lines. Conditionals and includes are
// not followed.
func parseMakefile(text string) *makefile {
	mk := &makefile{vars: map[string]string{"MAKE": "make"}, recipes: map[string][]string{}}
	var current []string // the targets whose recipe is being read
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, maxScript)
	var pending string
	for sc.Scan() {
		line := pending + sc.Text()
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`) + " "
			continue
		}
		pending = ""
		if strings.HasPrefix(line, "\t") {
			recipe := strings.TrimLeft(strings.TrimSpace(line), "@-+")
			for _, t := range current {
				mk.recipes[t] = append(mk.recipes[t], recipe)
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if m := makeAssign().FindStringSubmatch(trimmed); m != nil {
			current = nil
			switch m[3] {
			case "?=":
				if _, ok := mk.vars[m[2]]; !ok {
					mk.vars[m[2]] = m[4]
				}
			case "+=":
				mk.vars[m[2]] = strings.TrimSpace(mk.vars[m[2]] + " " + m[4])
			case "!=":
			default:
				mk.vars[m[2]] = m[4]
			}
			if strings.HasPrefix(m[1], "export") {
				mk.exported = append(mk.exported, m[2])
			}
			continue
		}
		if m := makeRule().FindStringSubmatch(trimmed); m != nil && !strings.HasPrefix(m[2], "=") {
			current = strings.Fields(m[1])
			if mk.first == "" && !strings.HasPrefix(current[0], ".") && !strings.Contains(current[0], "%") {
				mk.first = current[0]
			}
			if _, recipe, ok := strings.Cut(m[2], ";"); ok {
				for _, t := range current {
					mk.recipes[t] = append(mk.recipes[t], strings.TrimSpace(recipe))
				}
			}
			continue
		}
		current = nil
	}
	return mk
}

// expand replaces $(NAME), ${NAME} and $X with the variable's value, and
// $$ with $, as make does before handing a recipe line to the shell.
func (mk *makefile) expand(s string, env map[string]string, depth int) string {
	const escaped = "\x00"
	s = strings.ReplaceAll(s, "$$", escaped)
	if depth < 8 {
		s = makeRef().ReplaceAllStringFunc(s, func(ref string) string {
			m := makeRef().FindStringSubmatch(ref)
			name := m[1] + m[2] + m[3]
			if strings.ContainsAny(name, " \t,") { // a function call
				return ""
			}
			v, ok := mk.vars[name]
			if ok {
				v = mk.expand(v, env, depth+1)
			} else {
				v = env[name]
			}
			// Variables that refer to each other twice over double at
			// every level: past the budget they expand to nothing.
			if mk.spent += len(v); mk.spent > maxExpansion {
				return ""
			}
			return v
		})
	}
	return strings.ReplaceAll(s, escaped, "$")
}
