package infer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/portguard/portguard/internal/owner"
)

// packageJSON is the part of package.json inference reads.
type packageJSON struct {
	Name       string            `json:"name"`
	Main       string            `json:"main"`
	Scripts    map[string]string `json:"scripts"`
	Workspaces json.RawMessage   `json:"workspaces"`
	// PackageManager pins the package manager: "pnpm@9.1.0".
	PackageManager string `json:"packageManager"`

	path string
}

// findPackage returns the nearest package.json at or above dir, as npm,
// yarn, pnpm and bun find it.
func (w *walker) findPackage(dir string) (*packageJSON, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		// Not above a directory anyone may write to (/tmp): a
		// package.json planted there is nobody's project.
		if !owner.Trusted(d) {
			return nil, false
		}
		if pkg, ok := w.readPackage(d); ok {
			return pkg, true
		}
		if filepath.Dir(d) == d {
			return nil, false
		}
	}
}

// readPackage reads dir/package.json, once per walk.
func (w *walker) readPackage(dir string) (*packageJSON, bool) {
	if pkg, seen := w.packages[dir]; seen {
		return pkg, pkg != nil
	}
	if w.packages == nil {
		w.packages = map[string]*packageJSON{}
	}
	w.packages[dir] = nil
	p := filepath.Join(dir, "package.json")
	b, ok := w.read(p)
	if !ok {
		return nil, false
	}
	var pkg packageJSON
	if json.Unmarshal(b, &pkg) != nil {
		return nil, false
	}
	pkg.path = p
	w.packages[dir] = &pkg
	return &pkg, true
}

func (p *packageJSON) dir() string { return filepath.Dir(p.path) }

// workspacePatterns are root's workspaces: package.json's "workspaces": […]
// or {"packages": […]} (npm, yarn, bun), else the packages list of
// pnpm-workspace.yaml beside it (pnpm reads only that file).
func (w *walker) workspacePatterns(root *packageJSON) []string {
	var list []string
	if json.Unmarshal(root.Workspaces, &list) == nil && len(list) > 0 {
		return list
	}
	var obj struct {
		Packages []string `json:"packages"`
	}
	if json.Unmarshal(root.Workspaces, &obj) == nil && len(obj.Packages) > 0 {
		return obj.Packages
	}
	b, ok := w.read(filepath.Join(root.dir(), "pnpm-workspace.yaml"))
	if !ok {
		return nil
	}
	return pnpmPackages(string(b))
}

// pnpmPackages reads the top-level packages: list of a pnpm-workspace.yaml,
// as block items (- 'apps/*') or one flow list ([apps/*, packages/*]);
// exclusions (!…) are left out.
func pnpmPackages(text string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' && line[0] != '-' {
			key, value, _ := strings.Cut(trimmed, ":")
			in = key == "packages"
			if value = strings.TrimSpace(value); in && strings.HasPrefix(value, "[") {
				for _, item := range strings.Split(strings.Trim(value, "[]"), ",") {
					out = appendPattern(out, item)
				}
				in = false
			}
			continue
		}
		if item, ok := strings.CutPrefix(trimmed, "-"); in && ok {
			out = appendPattern(out, item)
		}
	}
	return out
}

func appendPattern(out []string, item string) []string {
	item = strings.Trim(strings.TrimSpace(item), `'"`)
	if item == "" || strings.HasPrefix(item, "!") || len(out) >= maxWorkspaces {
		return out
	}
	return append(out, item)
}

// findWorkspace resolves `yarn workspace NAME`, `npm -w NAME` and `pnpm
// --filter NAME`: a workspace package by name, or by directory.
func (w *walker) findWorkspace(dir, name string) (string, bool) {
	if pkg, ok := w.readPackage(join(dir, name)); ok {
		return pkg.dir(), true
	}
	root, ok := w.findPackage(dir)
	if !ok {
		return "", false
	}
	patterns := append(w.workspacePatterns(root), "packages/*", "apps/*")
	for _, pattern := range patterns {
		// A glob of many wildcards through a symlink loop lists the
		// same directories over and over: such a pattern is not
		// followed, and no pattern is read past maxWorkspaces matches.
		if strings.Count(pattern, "*") > maxWildcards || strings.Contains(pattern, "..") {
			w.note("skipped the workspace pattern %q: more than %d wildcards, or ..", pattern, maxWildcards)
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(root.dir(), pattern, "package.json"))
		if len(matches) > maxWorkspaces {
			w.note("read only the first %d of the %d workspaces %q matches", maxWorkspaces, len(matches), pattern)
			matches = matches[:maxWorkspaces]
		}
		for _, m := range matches {
			if pkg, ok := w.readPackage(filepath.Dir(m)); ok && pkg.Name == name {
				return pkg.dir(), true
			}
		}
	}
	return "", false
}

// workspaceDirs lists the directories of root's workspaces, within the
// same bounds as findWorkspace.
func (w *walker) workspaceDirs(root *packageJSON) []string {
	var dirs []string
	for _, pattern := range w.workspacePatterns(root) {
		if strings.Count(pattern, "*") > maxWildcards || strings.Contains(pattern, "..") {
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(root.dir(), pattern, "package.json"))
		for _, m := range matches[:min(len(matches), maxWorkspaces)] {
			dirs = append(dirs, filepath.Dir(m))
		}
	}
	return dirs
}

// Bounds on npm workspaces globs: real monorepos use one or two
// wildcards ("packages/*", "apps/*/*") and a few hundred packages.
const (
	maxWildcards  = 3
	maxWorkspaces = 1000
)

// builtins are the built-in commands of a package manager that are not
// scripts and start no server. (A switch, not a map: package-level maps
// are built at every start, on the free path too.)
func builtins(pm string) string {
	switch pm {
	case "yarn":
		return "add install remove upgrade up init info why workspaces config cache global link unlink pack publish version login logout outdated audit bin licenses list owner tag team import autoclean check generate-lock-entry policies"
	case "pnpm":
		return "add install i remove rm uninstall update up init why list ls outdated audit link unlink pack publish store config prune rebuild import fetch deploy patch licenses root bin setup env server"
	case "bun":
		return "add install i remove rm update link unlink pm init create build upgrade outdated publish audit patch why"
	}
	return ""
}

// packageManager follows npm, yarn, pnpm and bun to the script or binary
// they run.
func (w *walker) packageManager(s scope, pm string, args []string) {
	if why := packageManagerNotServing(pm, args); why != "" {
		w.note("%s: no port", why)
		return
	}
	// Global options: a directory or a workspace to run in, or all of
	// them (pnpm -r).
	recursive, filtered := false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "--" {
		i := 0
		if v, ok := flagValue(args, &i, "--prefix -C --dir --cwd"); ok {
			s.dir = join(s.dir, v)
		} else if v, ok := flagValue(args, &i, "-w --workspace --filter -F"); ok {
			filtered = true
			d, ok := w.findWorkspace(s.dir, v)
			if !ok {
				// !docs, web..., a glob: a selection portguard does not
				// resolve, and never the root's own script.
				w.note("no port: %s selects %q, which is not a workspace package portguard can find", pm, v)
				return
			}
			s.dir = d
		} else if pm == "pnpm" && (args[0] == "-r" || args[0] == "--recursive" || args[0] == "--parallel") {
			recursive = true
		}
		args = args[i+1:]
	}
	if pm == "pnpm" && len(args) > 1 && (args[0] == "run" || args[0] == "run-script") && (args[1] == "-r" || args[1] == "--recursive") {
		recursive, args = true, append([]string{args[0]}, args[2:]...) // pnpm run -r dev
	}
	if recursive && !filtered && len(args) > 0 {
		// pnpm -r [run] NAME: the script of every workspace package
		// that has it, the independent ones together (observed), each
		// with the arguments after the name.
		name, rest := args[0], args[1:]
		if (name == "run" || name == "run-script") && len(args) > 1 {
			name, rest = args[1], args[2:]
		}
		if root, ok := w.findPackage(s.dir); ok {
			for _, dir := range w.workspaceDirs(root) {
				if pkg, ok := w.readPackage(dir); ok && pkg.Scripts[name] != "" {
					// deeper: a port of one of several is not moved by
					// adding a flag to the command that runs them all
					ws := s.deeper(" (pnpm -r)")
					ws.dir = dir
					w.runScript(ws, pm, name, w.forwarded(s, pm, rest), false)
				}
			}
		}
		return
	}
	if len(args) == 0 {
		return
	}
	cmd, rest := args[0], args[1:]
	if pm == "npm" {
		switch cmd {
		case "start", "restart":
			w.runScript(s, pm, "start", npmForwarded(rest), false)
		case "test", "t", "tst":
			w.runScript(s, pm, "test", npmForwarded(rest), false)
		case "run", "run-script", "rum", "urn":
			name, after, ok := npmScriptName(rest)
			if !ok {
				return
			}
			// npm's own flags may come anywhere before "--": --prefix DIR
			// runs the script of DIR's package.json (observed: npm run dev
			// --prefix web), and -w NAME, --workspace=NAME and
			// --workspaces run it in those workspaces.
			for i := 0; i < len(rest) && rest[i] != "--"; i++ {
				if v, ok := flagValue(rest, &i, "--prefix"); ok {
					s.dir = join(s.dir, v)
				}
			}
			workspaces, all := npmWorkspaces(rest)
			switch {
			case all:
				root, ok := w.findPackage(s.dir)
				if !ok {
					return
				}
				// npm runs the workspaces one after another: the first
				// whose script serves blocks the rest (observed).
				for _, dir := range w.workspaceDirs(root) {
					if pkg, ok := w.readPackage(dir); ok && pkg.Scripts[name] != "" {
						ws := s
						ws.dir = dir
						if !w.thenNext(func() { w.runScript(ws, pm, name, npmForwarded(after), false) }) {
							break
						}
					}
				}
			case len(workspaces) > 0:
				for _, ws := range workspaces {
					if dir, ok := w.findWorkspace(s.dir, ws); ok {
						sub := s
						sub.dir = dir
						w.runScript(sub, pm, name, npmForwarded(after), false)
					}
				}
			default:
				w.runScript(s, pm, name, npmForwarded(after), false)
			}
		case "exec", "x":
			w.command(s, skipFlags(rest, "-p --package -c --call -w --workspace"))
		}
		return
	}
	switch {
	case cmd == "workspace" && pm == "yarn" && len(rest) > 0:
		if d, ok := w.findWorkspace(s.dir, rest[0]); ok {
			s.dir = d
			w.packageManager(s, pm, rest[1:])
		}
	case cmd == "run" || cmd == "run-script":
		rest = skipFlags(rest, "--filter -F --cwd")
		if len(rest) > 0 {
			w.runScript(s, pm, rest[0], w.forwarded(s, pm, rest[1:]), pm == "bun")
		}
	case cmd == "exec" || cmd == "dlx" || cmd == "x":
		w.command(s, skipFlags(rest, "-p --package -c"))
	case inSet(builtins(pm), cmd):
	default:
		// yarn dev, pnpm dev, bun dev: a script, or else a binary of
		// the project (yarn vite) or a file (bun server.ts).
		w.runScript(s, pm, cmd, w.forwarded(s, pm, rest), true)
	}
}

// npmScriptName finds the script name after `npm run`; flags before it are
// npm's own (the values of -w and --prefix among them).
func npmScriptName(args []string) (string, []string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return "", nil, false
		}
		if a == "-w" || a == "--workspace" || a == "--prefix" {
			i++
			continue
		}
		if !strings.HasPrefix(a, "-") {
			return a, args[i+1:], true
		}
	}
	return "", nil, false
}

// npmWorkspaces reads npm's workspace flags before "--": the named
// workspaces, or all of them (--workspaces, -ws).
func npmWorkspaces(args []string) (names []string, all bool) {
	for i := 0; i < len(args) && args[i] != "--"; i++ {
		if v, ok := flagValue(args, &i, "-w --workspace"); ok {
			names = append(names, v)
		} else if args[i] == "--workspaces" || args[i] == "-ws" || args[i] == "--workspaces=true" {
			all = true
		}
	}
	return names, all
}

// npmForwarded: npm passes a script only what comes after "--"; flags
// before it are npm's config (`npm run dev --port 4000` sets
// npm_config_port, it does not reach the script).
func npmForwarded(args []string) []string {
	if i := indexOf(args, "--"); i >= 0 {
		return args[i+1:]
	}
	return nil
}

// forwarded is what yarn, pnpm and bun pass the script: every argument
// after the script name. yarn 1 and bun swallow a first "--"; pnpm 7 and
// later pass it on (pnpm/pnpm#4291, observed with pnpm 12: `pnpm dev --
// --port N` runs `vite -- --port N`, and Vite ignores what follows "--"),
// where pnpm 6 swallowed it. The version is the project's packageManager
// field; without one, the newest behaviour holds.
func (w *walker) forwarded(s scope, pm string, args []string) []string {
	if len(args) == 0 || args[0] != "--" {
		return args
	}
	if pm == "pnpm" {
		if v, ok := w.pinnedManager(s.dir, "pnpm"); !ok || majorVersion(v) >= 7 {
			return args
		}
	}
	return args[1:]
}

// pinnedManager is the version of package manager pm the project pins in
// package.json's packageManager field ("pnpm@9.1.0").
func (w *walker) pinnedManager(dir, pm string) (string, bool) {
	pkg, ok := w.findPackage(dir)
	if !ok {
		return "", false
	}
	name, version, ok := strings.Cut(pkg.PackageManager, "@")
	if !ok || name != pm {
		return "", false
	}
	return version, true
}

// runScript runs a package.json script: its text, with the forwarded
// arguments appended as npm appends them, parsed as shell. When there is
// no such script, fallback runs name as a command (yarn vite, bun x.ts).
func (w *walker) runScript(s scope, pm, name string, args []string, fallback bool) {
	pkg, ok := w.findPackage(s.dir)
	script, has := "", false
	if ok {
		script, has = pkg.Scripts[name]
	}
	switch {
	case has && !w.first(fmt.Sprintf("script %s %s%s", pkg.path, name, shellQuote(args))):
		// Followed already: a script that runs itself, or one that
		// several others run.
	case has:
		w.ranScript = true
		sub := s.deeper(fmt.Sprintf(" (%s script %q in %s)", pm, name, w.rel(pkg.path)))
		sub.dir = pkg.dir()
		sub.forward = ""
		if s.depth == 0 {
			sub.forward = pm
		}
		w.script(sub, script+shellQuote(args))
	case pm == "npm" && name == "start":
		// npm start without a start script runs node server.js
		// (docs.npmjs.com/cli/commands/npm-start).
		dir := s.dir
		if ok {
			dir = pkg.dir()
		}
		if _, err := os.Stat(filepath.Join(dir, "server.js")); err == nil {
			s.dir = dir
			w.command(s.deeper(" (npm start without a start script)"), append([]string{"node", "server.js"}, args...))
		}
	case fallback && pm == "bun" && looksLikeFile(s.dir, name):
		w.tool(s, "bun", append([]string{name}, args...)) // bun server.ts
	case fallback:
		w.command(s, append([]string{name}, args...))
	case !ok:
		// Say why nothing follows, so that "no port" is told apart from
		// "not read".
		where := w.rel(s.dir)
		if where == "./." || where == "." {
			where = "this directory"
		}
		w.note("no package.json in %s or above it: %s run %s runs no script portguard can read", where, pm, name)
	default:
		w.note("%s has no script %q", w.rel(pkg.path), name)
	}
}

func looksLikeFile(dir, name string) bool {
	if strings.ContainsRune(name, '/') || filepath.Ext(name) != "" {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

// turbo runs a task in every workspace package that has a script of that
// name (turbo run dev, turbo dev), or in those --filter names; a dev
// server is a persistent task, and turbo runs them together (observed).
func (w *walker) turbo(s scope, args []string) {
	var task string
	var filters, passed []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			passed = args[i+1:] // turbo passes what follows -- to the tasks
			break
		}
		if v, ok := flagValue(args, &i, "--filter -F"); ok {
			filters = append(filters, v)
			continue
		}
		if strings.HasPrefix(a, "-") {
			if inSet("--cwd --concurrency --log-order --output-logs --cache-dir --env-mode --graph --profile --summarize --ui", a) {
				i++
			}
			continue
		}
		if a == "run" && task == "" {
			continue
		}
		if task == "" {
			task = a
		}
	}
	root, ok := w.findPackage(s.dir)
	if task == "" || !ok {
		return
	}
	for _, dir := range w.workspaceDirs(root) {
		pkg, ok := w.readPackage(dir)
		if !ok || pkg.Scripts[task] == "" {
			continue
		}
		if len(filters) > 0 && !slices.ContainsFunc(filters, func(f string) bool {
			return f == pkg.Name || filepath.Clean(join(root.dir(), f)) == dir
		}) {
			continue
		}
		ws := s.deeper(" (turbo)") // its ports are not moved through turbo's arguments
		ws.dir = dir
		w.runScript(ws, "turbo", task, passed, false)
	}
}

// denoTask runs a task of deno.json (or deno.jsonc without comments):
// its command, as a shell line.
func (w *walker) denoTask(s scope, args []string) {
	if len(args) == 0 {
		return
	}
	var cfg struct {
		Tasks map[string]json.RawMessage `json:"tasks"`
	}
	for _, name := range []string{"deno.json", "deno.jsonc"} {
		b, ok := w.read(filepath.Join(s.dir, name))
		if !ok || json.Unmarshal(b, &cfg) != nil {
			continue
		}
		raw, ok := cfg.Tasks[args[0]]
		if !ok {
			return
		}
		var command string
		if json.Unmarshal(raw, &command) != nil {
			var obj struct {
				Command string `json:"command"`
			}
			if json.Unmarshal(raw, &obj) != nil {
				return
			}
			command = obj.Command
		}
		if w.first("deno task " + args[0]) {
			w.script(s.deeper(fmt.Sprintf(" (deno task %q in %s)", args[0], name)), command+shellQuote(args[1:]))
		}
		return
	}
}

// concurrently runs each positional argument as a shell command;
// "npm:dev" is short for "npm run dev".
func (w *walker) concurrently(s scope, args []string) {
	values := "-n --names -c --prefix-colors -p --prefix -l --prefix-length -t --timestamp-format -m --max-processes --default-input-target --restart-tries --restart-after -s --success --kill-signal --teardown -P --pad-prefix"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && inSet(values, a) {
				i++
			}
			continue
		}
		if pm, name, ok := strings.Cut(a, ":"); ok && (pm == "npm" || pm == "yarn" || pm == "pnpm" || pm == "bun") && !strings.ContainsAny(a, " \t") {
			w.runScripts(s, pm, name)
			continue
		}
		w.script(s, a)
	}
}

// runAll handles npm-run-all, run-p and run-s: each positional is a script
// name or a glob of them ("dev:*"), in groups that run one after another
// (run-s, npm-run-all's default, -s) or together (run-p, -p). In a group
// run one after another, the first script that serves blocks the rest
// while it runs, and a group that serves blocks the groups after it
// (observed: run-s dev:* listens on the first script's port only).
func (w *walker) runAll(s scope, name string, args []string) {
	parallel := name == "run-p"
	var pending []string
	// flush runs the pending group; it reports whether the group blocks
	// the ones after it (it serves, or may).
	flush := func() (blocks bool) {
		before := len(w.out)
		for _, pattern := range pending {
			for _, script := range w.matchingScripts(s, pattern) {
				run := func() { w.runScript(s, "npm", script, nil, false) }
				if parallel {
					run()
				} else if !w.thenNext(run) {
					return true
				}
			}
		}
		pending = nil
		return len(w.out) > before
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			flush()
			return
		case (a == "-p" || a == "--parallel") && name != "run-s", a == "-s" || a == "--sequential" || a == "--serial":
			if name == "npm-run-all" || name == "npm-run-all2" {
				if flush() {
					return
				}
				parallel = a == "-p" || a == "--parallel"
			}
		case strings.HasPrefix(a, "-"):
			if inSet("--npm-path --max-parallel", a) {
				i++
			}
		default:
			pending = append(pending, a)
		}
	}
	flush()
}

// thenNext runs one step of a sequence run one after another, and reports
// whether the next step can start: only when this one is known to listen
// on nothing (a build). One that serves blocks the rest while it runs, and
// one that may serve on a port not inferred blocks them too, so that a
// later script's port is never taken for the running one's.
func (w *walker) thenNext(step func()) bool {
	before, quiet := len(w.out), w.quiet
	step()
	return len(w.out) == before && w.quiet > quiet
}

// matchingScripts are the names of the scripts of the package at s.dir
// that match pattern, with ":" as the glob separator, as npm-run-all and
// concurrently match them, in name order.
func (w *walker) matchingScripts(s scope, pattern string) []string {
	pkg, ok := w.findPackage(s.dir)
	if !ok {
		return nil
	}
	var out []string
	glob := strings.ReplaceAll(pattern, ":", "/")
	for _, n := range slices.Sorted(maps.Keys(pkg.Scripts)) {
		if ok, _ := path.Match(glob, strings.ReplaceAll(n, ":", "/")); ok {
			out = append(out, n)
		}
	}
	return out
}

// runScripts runs every script whose name matches pattern, with ":" as the
// glob separator, as npm-run-all and concurrently match them.
func (w *walker) runScripts(s scope, pm, pattern string) {
	for _, n := range w.matchingScripts(s, pattern) {
		w.runScript(s, pm, n, nil, false)
	}
}

// procfile follows `foreman start`, `honcho start`, `heroku local`,
// overmind and hivemind to the Procfile's processes. Each process type
// gets PORT = base + 100×its position, base 5000 (or PORT, or -p).
func (w *walker) procfile(s scope, name string, args []string) {
	switch name {
	case "heroku":
		if len(args) == 0 || args[0] != "local" {
			return
		}
		args = args[1:]
	case "hivemind":
	default:
		if len(args) == 0 || (args[0] != "start" && args[0] != "s") {
			return
		}
		args = args[1:]
	}
	base := 5000
	if p, ok := parseEnvPort(s.env["PORT"]); ok {
		base = p
	} else if why := envPortProblem("PORT", s.env["PORT"]); why != "" {
		w.note("%s", why)
		return
	}
	only, procfile := "", "Procfile"
	for i := 0; i < len(args); i++ {
		if v, ok := flagValue(args, &i, "-p --port"); ok {
			if p, ok := parsePort(v); ok {
				base = p
			}
		} else if v, ok := flagValue(args, &i, "-f --procfile"); ok {
			procfile = v // foreman, honcho and overmind: -f Procfile.dev
		} else if !strings.HasPrefix(args[i], "-") && only == "" {
			only = args[i]
		}
	}
	path, text, err := readFile(s.dir, procfile)
	if err != nil {
		w.noteSkipped(path, err)
		return
	}
	if !w.first("procfile " + path + " " + only) {
		return // a Procfile whose process runs foreman start again
	}
	index := 0
	for _, line := range strings.Split(text, "\n") {
		proc, cmd, ok := strings.Cut(line, ":")
		proc = strings.TrimSpace(proc)
		if !ok || proc == "" || strings.HasPrefix(proc, "#") || strings.ContainsAny(proc, " \t") {
			continue
		}
		port := base + 100*index
		index++
		if only != "" && proc != only {
			continue
		}
		sub := s.deeper(fmt.Sprintf(" (%q process in %s)", proc, w.rel(path))).with("PORT", strconv.Itoa(port))
		sub.set = s.set // PORT here is foreman's, not the user's command line
		w.script(sub, cmd)
	}
}

// configs read the config files that can name a port, where the config
// is plain data or a simple literal. Code that cannot be read safely is
// reported as existing, so --explain can say "config not read". The table
// is built on first use, like every regexp here, so that a run which
// infers nothing (-p) does not pay for it.
var configs = sync.OnceValue(func() map[string]func(dir string, args []string) configResult {
	return map[string]func(dir string, args []string) configResult{
		"angular":      angularConfig,
		"vite.server":  viteRoot(literalConfig("-c --config", `\bserver\s*:\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "vite.config.ts", "vite.config.js", "vite.config.mjs", "vite.config.mts", "vite.config.cjs", "vite.config.cts")),
		"vite.preview": viteRoot(literalConfig("-c --config", `\bpreview\s*:\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "vite.config.ts", "vite.config.js", "vite.config.mjs", "vite.config.mts", "vite.config.cjs", "vite.config.cts")),
		"astro":        literalConfig("--config", `\bserver\s*:\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts"),
		"nuxt":         literalConfig("", `\bdevServer\s*:\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs"),
		"vue":          literalConfig("", `\bdevServer\s*:\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "vue.config.js", "vue.config.cjs", "vue.config.mjs", "vue.config.ts"),
		"webpack":      literalConfig("-c --config", `\bdevServer\s*:\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "webpack.config.js", "webpack.config.cjs", "webpack.config.mjs", "webpack.config.ts"),
		"ember":        literalConfig("", `"port"\s*:\s*(\d+)`, ".ember-cli", ".ember-cli.js"),
		"puma":         literalConfig("-C --config", `(?m)^\s*(?:port\s+(?:ENV\.fetch\(\s*["'](?P<env>[A-Za-z_][A-Za-z0-9_]*)["']\s*(?:,\s*(\d+)\s*)?\)\s*(?:\{\s*(\d+)\s*\})?|(\d+))|bind\s+["']tcp://[^"'/]*:(\d+)["'])`, "config/puma.rb"),
		"hexo":         literalConfig("--config", `(?m)^server:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+port:\s*(\d+)`, "_config.yml", "_config.yaml"),
		"json-server":  literalConfig("-c --config", `"port"\s*:\s*(\d+)`, "json-server.json"),
		"eleventy":     literalConfig("--config", `setServerOptions\(\s*\{[^{}]*?\bport\s*:\s*(\d+)`, "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", ".eleventy.js"),
		"browser-sync": browserSyncConfig("--config", "bs-config.js"),
		"lite-server":  browserSyncConfig("-c --config", "bs-config.json", "bs-config.js"),
		"wrangler":     literalConfig("-c --config", `(?m)^\[dev\][ \t]*\n(?:[^\[\n].*\n|\n)*?port\s*=\s*(\d+)`, "wrangler.toml"),
		"wds":          exportedPortConfig("-c --config", "web-dev-server.config.mjs", "web-dev-server.config.js", "web-dev-server.config.cjs"),
		"lws":          exportedPortConfig("-c --config-file", "lws.config.js", "lws.config.cjs", "lws.config.mjs", ".local-web-server.json"),
		"pelican":      literalConfig("-s --settings", `(?m)^PORT\s*=\s*(\d+)\s*$`, "pelicanconf.py"),
		"rackup":       rackOptionsLine,
		"thin":         literalConfig("-C --config", `(?m)^port:\s*(\d+)`), // thin reads a config only with -C
		"mosquitto":    listenConfig("-c --config-file", `(?m)^\s*(?:listener|port)\s+(\d+)`),
		"nginx":        nginxConfig,
		"caddy":        caddyConfig,
		"jekyll":       literalConfig("--config", `(?m)^port:\s*(\d+)`, "_config.yml", "_config.yaml"),
		"mkdocs":       literalConfig("-f --config-file", `(?m)^dev_addr:\s*["']?[^"'\s]*:(\d+)`, "mkdocs.yml", "mkdocs.yaml"),
		"spring":       literalConfig("", `(?m)^\s*server\.port\s*[=:]\s*(\d+)|^server:\s*\n(?:[ \t]+.*\n)*?[ \t]+port:\s*(\d+)`, "src/main/resources/application.properties", "src/main/resources/application.yml", "src/main/resources/application.yaml"),
		"dotnet":       launchSettings,
		"redis":        redisConfig,
		"postgres":     postgresConfig,
	}
})

// literalConfig finds a port literal with re in the first of names that
// exists, or in the file the tool's config flag names (vite --config
// vite.dev.config.js: flags lists the tool's spellings of that flag); every
// capture group that matched is a candidate, the first wins.
func literalConfig(flags, re string, names ...string) func(string, []string) configResult {
	// Compiled on first use: these run only for projects with such a
	// config, and a dozen compiles at start-up would cost every
	// invocation of portguard a measurable share of its run.
	rx := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(re) })
	// set is re without its port literal: the config sets the port at
	// all, literal or not.
	set := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(strings.ReplaceAll(re, `(\d+)`, ``)) })
	// envShape is the one shape of code read in a JavaScript config: the
	// port is a variable of the environment with a literal fallback,
	// port: Number(process.env.WEB_PORT) || 5173 (also parseInt(…, 10),
	// the bare variable, and ??). Anything else stays code.
	var envShape func() *regexp.Regexp
	if prefix, ok := strings.CutSuffix(re, `port\s*:\s*(\d+)`); ok {
		envShape = sync.OnceValue(func() *regexp.Regexp {
			return regexp.MustCompile(prefix + `port\s*:\s*(?:Number\s*\(|parseInt\s*\()?\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*10\s*)?\)?\s*(?:\|\||\?\?)\s*['"]?(\d+)['"]?\s*[,}\n]`)
		})
	}
	return func(dir string, args []string) configResult {
		files := names
		for i := 0; i < len(args) && flags != ""; i++ {
			if v, ok := flagValue(args, &i, flags); ok {
				files = []string{v} // the tool reads this one, not its default
			}
		}
		path, text, err := readFile(dir, files...)
		if err != nil {
			return unread(path, err)
		}
		m := rx().FindStringSubmatch(text)
		for _, g := range m[min(1, len(m)):] {
			if ports := atoiAll([]string{g}); len(ports) > 0 {
				res := configResult{ports: ports, source: fmt.Sprintf("port %d in %s", ports[0], filepath.Base(path)), exists: true}
				// A group named env is the variable the config reads
				// first, the literal its fallback (puma.rb's
				// port ENV.fetch("PORT", 3000)).
				if i := rx().SubexpIndex("env"); i > 0 && m[i] != "" {
					res.env = m[i]
				}
				return res
			}
		}
		if envShape != nil {
			if m := envShape().FindStringSubmatch(text); m != nil {
				if ports := atoiAll(m[2:3]); len(ports) > 0 {
					return configResult{ports: ports, env: m[1], source: fmt.Sprintf("port %d in %s", ports[0], filepath.Base(path)), exists: true}
				}
			}
		}
		if set().MatchString(text) {
			// The config sets the port, but not as a literal: code that
			// portguard does not run (observed: Vite then listens where
			// the code says, not on its default). A wrong port could
			// stop an unrelated server, so none is inferred.
			return configResult{exists: true, none: fmt.Sprintf("%s sets the port in code, which portguard does not run (name it with -p)", filepath.Base(path))}
		}
		return configResult{exists: true}
	}
}

// browserSyncConfig reads Browsersync's options file (bs-config.js, or
// the JSON one lite-server reads): the port of the object it exports.
func browserSyncConfig(flags string, names ...string) func(string, []string) configResult {
	return exportedPortConfig(flags, names...)
}

// exportedPortConfig reads the port key of the object a JavaScript config
// exports (export default { port: 8000 }, module.exports = { … },
// defineConfig({ … })), or of a JSON config's top level: the object's own
// key, read with the tokenizer, so a nested one (a proxy's target) or one
// in a comment is not taken for it.
func exportedPortConfig(flags string, names ...string) func(string, []string) configResult {
	return func(dir string, args []string) configResult {
		files := names
		for i := 0; i < len(args); i++ {
			if v, ok := flagValue(args, &i, flags); ok {
				files = []string{v}
			}
		}
		path, text, err := readFile(dir, files...)
		if err != nil {
			return unread(path, err)
		}
		var port int
		if strings.HasSuffix(path, ".json") {
			var cfg struct {
				Port int `json:"port"`
			}
			if json.Unmarshal([]byte(text), &cfg) == nil {
				port = cfg.Port
			}
		} else {
			port = jsExportedPort(jsTokens(text))
		}
		if port < 1 || port > 65535 {
			return configResult{exists: true}
		}
		return configResult{ports: []int{port}, source: fmt.Sprintf("port %d in %s", port, filepath.Base(path)), exists: true}
	}
}

// jsExportedPort is the literal port key of the object a JavaScript file
// exports, 0 when there is none.
func jsExportedPort(toks []srcToken) int {
	for i := 0; i+2 < len(toks); i++ {
		start := -1
		switch {
		case toks[i].text == "export" && toks[i+1].text == "default" && toks[i+2].text == "{":
			start = i + 2
		case toks[i].text == "exports" && toks[i+1].text == "=" && toks[i+2].text == "{" && i > 1 && toks[i-1].text == "." && toks[i-2].text == "module":
			start = i + 2
		case toks[i].text == "defineConfig" && toks[i+1].text == "(" && toks[i+2].text == "{":
			start = i + 2
		}
		if start < 0 {
			continue
		}
		level := 0
		for k := start; k+2 < len(toks) && k-start < maxArgTokens; k++ {
			switch toks[k].text {
			case "{", "(", "[":
				level++
			case "}", ")", "]":
				level--
			}
			if level == 0 {
				return 0 // the object ended
			}
			if level == 1 && (toks[k].text == "port" || toks[k].text == `"port"` || toks[k].text == "'port'") && toks[k+1].text == ":" && toks[k+2].kind == 'n' {
				if p, ok := parsePort(toks[k+2].text); ok && (k+3 >= len(toks) || toks[k+3].text == "," || toks[k+3].text == "}") {
					return p
				}
				return 0
			}
		}
		return 0
	}
	return 0
}

// rackOptions is rack 2's options line, the first line of config.ru:
// "#\ -p 9393 -o 127.0.0.1".
var rackOptions = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\A#\\[^\n]*?(?:-p\s*|--port[=\s]+)(\d+)`)
})

// rackOptionsLine reads the port of config.ru's options line, which rack 2
// reads (observed with Debian's rack 2.2) and rack 3's rackup does not.
// The version is Gemfile.lock's; without one, the port is only a guess.
func rackOptionsLine(dir string, args []string) configResult {
	path, text, err := readFile(dir, "config.ru")
	if err != nil {
		return unread(path, err)
	}
	m := rackOptions().FindStringSubmatch(text)
	if m == nil {
		return configResult{exists: true}
	}
	ports := atoiAll(m[1:2])
	if len(ports) == 0 {
		return configResult{exists: true}
	}
	res := configResult{ports: ports, source: fmt.Sprintf("the options line of %s (-p %d)", filepath.Base(path), ports[0]), exists: true}
	_, lock, err := readFile(dir, "Gemfile.lock")
	switch v, ok := gemVersion(lock, "rack"); {
	case err == nil && ok && majorVersion(v) >= 3:
		return configResult{exists: true} // rack 3 ignores the line
	case err == nil && ok:
		res.source += ", rack " + v
	default:
		res.guess = true
		res.source += "; a guess: rack 2 reads that line, rack 3 does not, and no Gemfile.lock says which is installed"
	}
	return res
}

// gemVersion is the version Gemfile.lock resolves gem to ("    rack (2.2.8)").
func gemVersion(lock, gem string) (string, bool) {
	for _, line := range strings.Split(lock, "\n") {
		if rest, ok := strings.CutPrefix(line, "    "+gem+" ("); ok && !strings.HasPrefix(rest, " ") {
			if v, _, ok := strings.Cut(rest, ")"); ok {
				return v, true
			}
		}
	}
	return "", false
}

// listenConfig reads every port re finds in the file the tool's config flag
// names (mosquitto -c: each listener line is a server); no flag, no file.
func listenConfig(flags, re string) func(string, []string) configResult {
	rx := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(re) })
	return func(dir string, args []string) configResult {
		file := ""
		for i := 0; i < len(args); i++ {
			if v, ok := flagValue(args, &i, flags); ok {
				file = v
			}
		}
		if file == "" {
			return configResult{}
		}
		path, text, err := readFile(dir, file)
		if err != nil {
			return unread(path, err)
		}
		return portsIn(path, text, rx())
	}
}

// portsIn is every distinct port the first group of re matches in text.
func portsIn(path, text string, re *regexp.Regexp) configResult {
	var ports []int
	for _, m := range re.FindAllStringSubmatch(text, maxSites) {
		if p := atoiAll(m[1:2]); len(p) > 0 && !slices.Contains(ports, p[0]) {
			ports = append(ports, p[0])
		}
	}
	if len(ports) == 0 {
		return configResult{exists: true}
	}
	return configResult{ports: ports, source: fmt.Sprintf("listen %s in %s", intsString(ports), filepath.Base(path)), exists: true}
}

func intsString(ports []int) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ", ")
}

// nginxConfig reads the listen directives of the file nginx -c names,
// relative to the -p prefix as nginx resolves it. Without -c nginx reads
// the system's configuration, which is not the project's: no port.
var nginxListen = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[;{\s])listen\s+(?:[^\s;#]*:)?(\d+)\b[^;#\n]*;`)
})

func nginxConfig(dir string, args []string) configResult {
	prefix, file, prefixed := dir, "", false
	for i := 0; i < len(args); i++ {
		if v, ok := flagValue(args, &i, "-p"); ok {
			prefix, prefixed = join(dir, v), true
		} else if v, ok := flagValue(args, &i, "-c"); ok {
			file = v
		}
	}
	if file == "" {
		return configResult{}
	}
	if !prefixed && !filepath.IsAbs(file) {
		// Without -p, nginx reads a relative -c from the prefix it was
		// built with (/usr/share/nginx on Debian), not from here.
		return configResult{exists: true, none: fmt.Sprintf("nginx reads -c %s from its built-in prefix, not this directory: name the prefix with -p", file)}
	}
	path, text, err := readFile(prefix, file)
	if err != nil {
		return unread(path, err)
	}
	// Comments run from # to the end of the line.
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i], _, _ = strings.Cut(line, "#")
	}
	var ports []int
	for _, m := range nginxListen().FindAllStringSubmatch(strings.Join(lines, "\n"), maxSites) {
		if strings.Contains(m[0], " udp") {
			continue // a stream server's UDP port
		}
		if p := atoiAll(m[1:2]); len(p) > 0 && !slices.Contains(ports, p[0]) {
			ports = append(ports, p[0])
		}
	}
	if len(ports) == 0 {
		return configResult{exists: true}
	}
	return configResult{ports: ports, source: fmt.Sprintf("listen %s in %s", intsString(ports), filepath.Base(path)), exists: true}
}

// caddyfileListens reads a Caddyfile's blocks at the top level, by brace
// depth: a site block's addresses (separated by commas or blanks) each
// listen on their port; the global options block ("{" alone) may hold
// admin off, or admin ADDRESS (a TCP one moves the endpoint, a unix
// socket takes it off TCP); snippets ("(name) {") are not sites.
func caddyfileListens(text string) (ports []int, admin int) {
	admin = 2019
	depth, global := 0, false
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "#"); i == 0 || i > 0 && (line[i-1] == ' ' || line[i-1] == '\t') {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if depth == 0 && strings.HasSuffix(line, "{") {
			head := strings.TrimSpace(strings.TrimSuffix(line, "{"))
			global = head == ""
			if head != "" && !strings.HasPrefix(head, "(") && len(ports) < maxSites {
				for _, addr := range strings.FieldsFunc(head, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
					addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
					if p, kind := parseAddr(strings.TrimSuffix(addr, "/")); kind == addrPort && !slices.Contains(ports, p) {
						ports = append(ports, p)
					}
				}
			}
		}
		if depth == 1 && global {
			if f := strings.Fields(line); len(f) == 2 && f[0] == "admin" {
				admin = 0 // off, or a unix socket
				if p, kind := parseAddr(f[1]); kind == addrPort {
					admin = p
				}
			}
		}
		depth = max(depth+strings.Count(line, "{")-strings.Count(line, "}"), 0)
	}
	return ports, admin
}

// caddyConfig reads what caddy run listens on: the site addresses of the
// Caddyfile (:8080 {, localhost:8080 {, http://host:8080 {), or a JSON
// config's servers' listen addresses; and the admin endpoint,
// localhost:2019 unless the config turns it off or moves it.
func caddyConfig(dir string, args []string) configResult {
	file := "Caddyfile"
	for i := 0; i < len(args); i++ {
		if v, ok := flagValue(args, &i, "--config -c"); ok {
			file = v
		}
	}
	path, text, err := readFile(dir, file)
	if err != nil {
		return unread(path, err)
	}
	var ports []int
	admin := 2019
	if strings.HasSuffix(path, ".json") {
		var cfg struct {
			Admin struct {
				Disabled bool   `json:"disabled"`
				Listen   string `json:"listen"`
			} `json:"admin"`
			Apps struct {
				HTTP struct {
					Servers map[string]struct {
						Listen []string `json:"listen"`
					} `json:"servers"`
				} `json:"http"`
			} `json:"apps"`
		}
		if json.Unmarshal([]byte(text), &cfg) != nil {
			return configResult{exists: true}
		}
		switch p, kind := parseAddr(cfg.Admin.Listen); {
		case cfg.Admin.Disabled:
			admin = 0
		case kind == addrPort:
			admin = p
		}
		for _, name := range slices.Sorted(maps.Keys(cfg.Apps.HTTP.Servers)) {
			for _, l := range cfg.Apps.HTTP.Servers[name].Listen {
				if p, kind := parseAddr(l); kind == addrPort && !slices.Contains(ports, p) {
					ports = append(ports, p)
				}
			}
		}
	} else {
		ports, admin = caddyfileListens(text)
	}
	if len(ports) == 0 {
		return configResult{exists: true}
	}
	if admin != 0 && !slices.Contains(ports, admin) {
		ports = append([]int{admin}, ports...)
	}
	slices.Sort(ports)
	return configResult{ports: ports, source: fmt.Sprintf("listen %s in %s", intsString(ports), filepath.Base(path)), exists: true}
}

// viteRoot reads Vite's config in its root directory, the first
// positional argument (`vite web`), where one is given.
func viteRoot(read func(string, []string) configResult) func(string, []string) configResult {
	return func(dir string, args []string) configResult {
		if slices.ContainsFunc(args, func(a string) bool {
			return a == "-c" || a == "--config" || strings.HasPrefix(a, "--config=")
		}) {
			return read(dir, args) // --config is relative to the working directory
		}
		for i := 0; i < len(args); i++ {
			a := args[i]
			switch {
			case a == "--":
				i = len(args)
			case inSet("--host --base -c --config -m --mode -l --logLevel --clearScreen --port --outDir", a):
				i++
			case strings.HasPrefix(a, "-"), inSet("dev serve preview", a) && i == 0:
			default:
				return read(join(dir, a), args)
			}
		}
		return read(dir, args)
	}
}

// angularConfig reads projects.NAME.architect.serve.options.port from
// angular.json: the project named after `ng serve`, else the default or
// only one.
func angularConfig(dir string, args []string) configResult {
	// ng finds angular.json in the working directory or above it, within
	// the repository; where the directory is below the workspace's root,
	// it serves the project whose root holds it.
	var path, text string
	var err error
	here := ""
	for d, up := dir, 0; up < 20; d, up = filepath.Dir(d), up+1 {
		if path, text, err = readFile(d, "angular.json"); !errors.Is(err, fs.ErrNotExist) {
			here, _ = filepath.Rel(d, dir)
			break
		}
		if _, statErr := os.Stat(filepath.Join(d, ".git")); statErr == nil || filepath.Dir(d) == d {
			break
		}
	}
	if err != nil {
		return unread(path, err)
	}
	var cfg struct {
		DefaultProject string `json:"defaultProject"`
		Projects       map[string]struct {
			Root      string `json:"root"`
			Architect map[string]struct {
				Options struct {
					Port int `json:"port"`
				} `json:"options"`
			} `json:"architect"`
		} `json:"projects"`
	}
	if json.Unmarshal([]byte(text), &cfg) != nil {
		return configResult{exists: true}
	}
	name := cfg.DefaultProject
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			name = a
			break
		}
	}
	var servable []string
	for _, p := range slices.Sorted(maps.Keys(cfg.Projects)) {
		if _, ok := cfg.Projects[p].Architect["serve"]; ok {
			servable = append(servable, p)
		}
	}
	if name == "" {
		// ng serve with no project and no defaultProject: the CLI serves
		// the project the working directory is in (at the workspace's
		// root, the one whose root is ""; observed), else the only
		// servable project, and refuses to guess among several.
		// The project whose root is the longest that holds the working
		// directory ("" holds every one).
		best, bestLen, ties := "", -1, 0
		for _, p := range servable {
			r := strings.Trim(filepath.ToSlash(cfg.Projects[p].Root), "/.")
			rel := filepath.ToSlash(here)
			if rel == "." {
				rel = ""
			}
			if r != "" && rel != r && !strings.HasPrefix(rel, r+"/") {
				continue
			}
			switch {
			case len(r) > bestLen:
				best, bestLen, ties = p, len(r), 1
			case len(r) == bestLen:
				ties++
			}
		}
		if best != "" && ties == 1 {
			servable = []string{best}
		}
		if len(servable) != 1 {
			return configResult{exists: true, none: fmt.Sprintf("%s has %d projects to serve and ng serve names none", filepath.Base(path), len(servable))}
		}
		name = servable[0]
	}
	if p := cfg.Projects[name].Architect["serve"].Options.Port; p > 0 && p <= 65535 {
		return configResult{ports: []int{p}, source: fmt.Sprintf("port %d of project %q in %s", p, name, filepath.Base(path)), exists: true}
	}
	return configResult{exists: true}
}

// launchSettings reads the applicationUrl of the launch profile `dotnet
// run` uses (the first "Project" profile, or --launch-profile NAME),
// unless --no-launch-profile.
func launchSettings(dir string, args []string) configResult {
	profile := ""
	for i := 0; i < len(args); i++ {
		if args[i] == "--no-launch-profile" {
			return configResult{}
		}
		if v, ok := flagValue(args, &i, "--launch-profile -lp"); ok {
			profile = v
		}
	}
	path, text, err := readFile(dir, "Properties/launchSettings.json")
	if err != nil {
		return unread(path, err)
	}
	var cfg struct {
		Profiles map[string]struct {
			CommandName    string `json:"commandName"`
			ApplicationURL string `json:"applicationUrl"`
		} `json:"profiles"`
	}
	if json.Unmarshal([]byte(text), &cfg) != nil {
		return configResult{exists: true}
	}
	// JSON objects have no order in Go; dotnet takes the first profile in
	// the file, so find the profile names in file order.
	order := regexp.MustCompile(`"([^"]+)"\s*:\s*\{\s*"commandName"`).FindAllStringSubmatch(text, -1)
	for _, m := range order {
		p := cfg.Profiles[m[1]]
		if (profile == "" && p.CommandName == "Project") || m[1] == profile {
			var ports []int
			for _, u := range strings.Split(p.ApplicationURL, ";") {
				if port, kind := parseAddr(u); kind == addrPort {
					ports = append(ports, port)
				}
			}
			return configResult{ports: ports, source: fmt.Sprintf("applicationUrl of profile %q in %s", m[1], filepath.Base(path)), exists: true}
		}
	}
	return configResult{exists: true}
}
