// Package infer works out which TCP ports a command will listen on, from
// its argv, its environment and its working directory, and says where each
// answer came from.
//
// The knowledge of dev tools is data (tools.go: one row per tool, with its
// port flags, environment variables, .env scheme, config file, default and
// source); this file only walks the command: assignments, wrappers such as
// env, npx and bundle exec, shells' -c scripts, package-manager scripts from
// package.json (parsed with a real POSIX shell parser), concurrently and
// npm-run-all, and finally the tool table.
package infer

import (
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/portguard/portguard/wrap"
)

// Port is one inferred port and the reason for it, for --explain.
type Port struct {
	Port   int    `json:"port"`
	Source string `json:"source"`
	// Tool is the program that will listen ("next", "rails"); "" when the
	// port is only a PORT= set on an unknown command's line.
	Tool string `json:"tool,omitempty"`
	// Guess: nothing says the command listens at all, only that PORT is
	// set on its line (PORT=4000 ./run.sh). Acting without asking (--yes,
	// the hook) leaves such a port alone.
	Guess bool `json:"guess,omitempty"`
	// Host is the IP address the server binds, where its command says so
	// (--host 127.0.0.2, --bind ::1); "" when it does not, or names a host.
	Host string `json:"host,omitempty"`
	move *move
}

// Ports returns the ports argv will listen on, given the environment env
// ("KEY=VALUE" entries, as os.Environ) and the working directory dir. An
// empty result means nothing could be inferred: an unknown command, or one
// that listens on no TCP port.
func Ports(argv, env []string, dir string) []Port {
	ports, _ := Explain(argv, env, dir)
	return ports
}

// Explain is Ports with notes for --explain: the files it skipped and the
// limits it hit (see budget.go).
func Explain(argv, env []string, dir string) ([]Port, []string) {
	w := newWalker(dir)
	w.command(newScope(env, dir), argv)
	return w.out, w.notes
}

func newWalker(dir string) *walker {
	return &walker{root: dir, seen: map[int]bool{}}
}

func newScope(env []string, dir string) scope {
	vars := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return scope{env: vars, set: map[string]string{}, dir: dir}
}

// maxDepth bounds how far scripts that call scripts are followed, so that
// a script that runs itself cannot loop.
const maxDepth = 12

type walker struct {
	root    string // the directory inference started in, for readable paths
	out     []Port
	seen    map[int]bool
	aliases map[string]string // a typed line's aliases (CommandLine)

	// The walk's budget (budget.go).
	steps    int
	followed map[string]bool
	notes    []string
	packages map[string]*packageJSON // package.json by directory; nil entry: none there

	ranScript bool // a package.json script was followed
	// quiet counts the commands known to listen on nothing (vite build,
	// next lint): a runner that runs scripts one after another goes past
	// a script only when it is known not to serve.
	quiet int
}

// scope is what a command inherits: its environment, the variables set on
// the command line itself (PORT=4000 cmd, env, cross-env), its directory,
// and how inference got there (for --explain).
type scope struct {
	env   map[string]string
	set   map[string]string
	dir   string
	via   string
	depth int
	tool  string // the tool whose port is being read
	// scripted are the variables set by a script's text rather than on
	// the command line itself: the environment cannot override those.
	scripted map[string]bool
	// forward is the package manager that ran the script this command is
	// the last of, straight from the typed command: arguments added to
	// the typed command reach this command (npm run dev -- --port 5174).
	forward string
}

func (s scope) with(key, value string) scope {
	s.env = maps.Clone(s.env)
	s.set = maps.Clone(s.set)
	s.env[key] = value
	s.set[key] = value
	if s.depth > 0 {
		s.scripted = maps.Clone(s.scripted)
		if s.scripted == nil {
			s.scripted = map[string]bool{}
		}
		s.scripted[key] = true
	}
	return s
}

func (s scope) deeper(via string) scope {
	s.depth++
	s.via = via + s.via
	return s
}

func (w *walker) add(s scope, port int, source string) {
	w.addMovable(s, port, source, nil)
}

// addMovable adds a port with the way to move it elsewhere, if known.
func (w *walker) addMovable(s scope, port int, source string, m *move) {
	if port < 1 || port > 65535 || w.seen[port] {
		return
	}
	w.seen[port] = true
	w.out = append(w.out, Port{Port: port, Source: source + s.via, Tool: s.tool, move: m})
}

// rel shows a path relative to where inference started: ./web/package.json.
func (w *walker) rel(path string) string {
	if r, err := filepath.Rel(w.root, path); err == nil && !strings.HasPrefix(r, "..") {
		return "./" + filepath.ToSlash(r)
	}
	return path
}

// command infers the ports of one simple command.
func (w *walker) command(s scope, argv []string) {
	if s.depth > maxDepth || !w.step() {
		return
	}
	for len(argv) > 0 {
		k, v, ok := wrap.Assignment(argv[0])
		if !ok {
			break
		}
		s = s.with(k, v)
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return
	}
	name, args := filepath.Base(argv[0]), argv[1:]
	switch name {
	case "python", "python3", "py", "pypy3":
		// A script or module of the project's own: its source says where
		// it listens (pysource.go). Otherwise, as a tool (-m http.server).
		if w.pySource(s, args) {
			return
		}
	case "ruby":
		if w.rubySource(s, args) {
			return
		}
	}
	if rest, ok := unwrap(name, args); ok {
		w.command(s, rest)
		return
	}
	switch name {
	case "env":
		w.env(s, args)
	case "cross-env", "cross-env-shell":
		w.command(s, args)
	case "portguard":
		w.portguard(s, args)
	case "sh", "bash", "zsh", "dash", "ash", "ksh", "fish":
		if src, ok := shellScript(args); ok {
			w.script(s, src)
		}
	case "npm", "yarn", "pnpm", "bun":
		w.packageManager(s, name, args)
	case "concurrently":
		w.concurrently(s, args)
	case "turbo":
		w.turbo(s, args)
	case "npm-run-all", "run-p", "run-s", "npm-run-all2":
		w.runAll(s, name, args)
	case "foreman", "honcho", "overmind", "hivemind", "heroku":
		w.procfile(s, name, args)
	case "make", "gmake":
		w.make(s, args)
	case "docker-compose", "podman-compose":
		w.compose(s, args)
	default:
		if strings.ContainsRune(argv[0], '/') && !knownTool(name) && w.localScript(s, argv[0]) {
			return
		}
		w.tool(s, name, args)
	}
}

// unwrap sees through commands that only run another command: npx vite,
// bundle exec rails s, python -m http.server, php artisan serve, …, and
// rewrites argv to the command that will listen.
func unwrap(name string, args []string) ([]string, bool) {
	switch name {
	case "npx", "bunx", "pnpx":
		return skipFlags(args, "-p --package -c --call"), true
	case "timeout":
		// timeout [-s SIG] [-k DUR] [--preserve-status] DURATION COMMAND…
		rest := skipFlags(args, "-s --signal -k --kill-after")
		if len(rest) > 1 {
			return rest[1:], true
		}
	case "nohup", "time", "exec", "command", "nice", "caffeinate", "dotenvx":
		return skipFlags(args, "-n"), true
	case "sudo", "doas":
		return skipFlags(args, "-u -g -C -D -h -p -r -t -U"), true
	case "bundle", "poetry", "pipenv", "uv", "pdm", "hatch", "rye", "pixi":
		if len(args) > 0 && (args[0] == "exec" || args[0] == "run") {
			return skipFlags(args[1:], "--with --python -p -e --env"), true
		}
	case "dotenv":
		// dotenv-cli: dotenv [-e file] -- command
		if i := indexOf(args, "--"); i >= 0 {
			return args[i+1:], true
		}
	case "python", "python3", "python2", "py", "pypy3":
		for i := 0; i < len(args); i++ {
			switch a := args[i]; {
			case a == "-m" && i+1 < len(args):
				return append([]string{moduleCommand(args[i+1])}, args[i+2:]...), true
			case a == "-W" || a == "-X":
				i++
			case !strings.HasPrefix(a, "-"):
				if filepath.Base(a) == "manage.py" {
					return append([]string{"django-admin"}, args[i+1:]...), true
				}
				return nil, false
			}
		}
	case "php":
		if len(args) >= 1 && filepath.Base(args[0]) == "artisan" {
			return append([]string{"artisan"}, args[1:]...), true
		}
	case "ruby":
		if len(args) >= 1 && (filepath.Base(args[0]) == "rails" || filepath.Base(args[0]) == "rake") {
			return args, true
		}
	case "iex", "elixir":
		// iex -S mix phx.server
		if len(args) >= 2 && args[0] == "-S" {
			return args[1:], true
		}
	case "docker", "podman", "nerdctl":
		// docker container run == docker run
		if len(args) >= 2 && args[0] == "container" {
			return append([]string{name}, args[1:]...), true
		}
		// docker compose == docker-compose
		if len(args) >= 1 && args[0] == "compose" {
			return append([]string{"docker-compose"}, args[1:]...), true
		}
	case "jupyter-lab", "jupyter-notebook", "jupyter-server":
		return append([]string{"jupyter", strings.TrimPrefix(name, "jupyter-")}, args...), true
	case "manage.py":
		return append([]string{"django-admin"}, args...), true
	case "nuxi":
		return append([]string{"nuxt"}, args...), true
	}
	return nil, false
}

// moduleCommand maps `python -m MODULE` to the command it stands for.
func moduleCommand(module string) string {
	switch module {
	case "django":
		return "django-admin"
	case "SimpleHTTPServer":
		return "http.server"
	}
	return module
}

// env handles env(1): options, NAME=VALUE words, then the command.
func (w *walker) env(s scope, args []string) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "-i" || a == "--ignore-environment" || a == "-":
			s.env, s.set = map[string]string{}, map[string]string{}
		case a == "-u" || a == "--unset":
			if len(args) > 1 {
				s = s.with(args[1], "")
				args = args[1:]
			}
		case a == "-C" || a == "--chdir":
			if len(args) > 1 {
				s.dir = join(s.dir, args[1])
				args = args[1:]
			}
		case a == "-S" || a == "--split-string":
			if len(args) > 1 {
				w.script(s, strings.Join(args[1:], " "))
			}
			return
		case a == "--":
		case strings.HasPrefix(a, "-"):
		default:
			w.command(s, args)
			return
		}
		args = args[1:]
	}
}

// portguard inside the command: its own -p wins, else the command after --.
func (w *walker) portguard(s scope, args []string) {
	named := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if !named {
				w.command(s, args[i+1:])
			}
			return
		}
		if v, ok := flagValue(args, &i, "-p --port"); ok {
			for _, p := range strings.Split(v, ",") {
				if n, ok := parsePort(p); ok {
					w.add(s, n, "portguard -p "+p)
					named = true
				}
			}
		}
	}
}

func join(dir, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(dir, path)
}

func indexOf(args []string, s string) int {
	for i, a := range args {
		if a == s {
			return i
		}
	}
	return -1
}

// parsePort reads a port strictly: digits only, 1-65535.
func parsePort(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535
}

// parseEnvPort reads a port from an environment variable as every tool in
// the table would read it alike: blanks around it, an optional "+", decimal
// digits, 1-65535. Where the tools part ways (node's Number("0x1f90") is
// 8080, parseInt's 0, Python's int() an error; "4.15e4" is 41500 or 4),
// nothing is read: envPortProblem says why.
func parseEnvPort(s string) (int, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	if !isDigits(s) {
		return 0, false
	}
	return parsePort(strings.TrimLeft(s, "0"))
}

// envPortProblem says why a variable that is set gives no port to free, or
// "" when it is empty (unset: the tool falls back to its default) or a
// port. PORT=0 asks the system for any free port.
func envPortProblem(name, v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	if _, ok := parseEnvPort(v); ok {
		return ""
	}
	if t := strings.TrimPrefix(strings.TrimSpace(v), "+"); isDigits(t) && strings.Trim(t, "0") == "" {
		return fmt.Sprintf("%s=%s asks the system for any free port: nothing to free", name, v)
	}
	return fmt.Sprintf("%s=%q is not a port that every tool reads alike (decimal, 1-65535): no port", name, v)
}
