package terminate

import (
	"path/filepath"
	"slices"
	"strings"
)

// A process above a holder is a launcher only on evidence, read from what
// it is running: a package manager running a script, the shell a script
// became, a tool that runs the server as its child (a watcher, a
// reloader, go run), or a program that re-executed itself to supervise
// the server. Its name alone is not evidence: python3 may be an
// interactive session that started a server, node a Jupyter kernel's
// neighbour, bash the user's own shell.

// launcherEvidence says why p exists only to run child, the process below
// it on the way to a holder, or "" when nothing in their command lines
// shows it. It is a pure function of the two processes.
func launcherEvidence(p, child Proc) string {
	cmd := parseCommand(p.Cmdline)
	if cmd.program == "" || cmd.interactive {
		return ""
	}
	switch {
	case packageManagers[cmd.program]:
		if script, ok := cmd.runsScript(); ok {
			return cmd.program + " running " + script
		}
		return ""
	case shells[cmd.program]:
		switch {
		case cmd.commandString != "":
			return cmd.program + " -c running " + clip(cmd.commandString)
		case cmd.script != "":
			return cmd.program + " running the script " + filepath.Base(cmd.script)
		}
		return ""
	case runtimes[cmd.program]:
		if tool := launcherTool(cmd.script); tool != "" {
			return tool + " runs the server as its child"
		}
		if cmd.watch {
			return cmd.program + " " + cmd.watchFlag + " restarts the server"
		}
	default:
		if why := nativeLauncher(cmd); why != "" {
			return why
		}
	}
	// A reloader re-executes its own command line and supervises the copy
	// (Werkzeug, Django's runserver): the child runs exactly p's command.
	if c := child.Cmdline; len(p.Cmdline) > 0 && slices.Equal(c, p.Cmdline) {
		return "a reloader: it runs the server's own command as its child"
	}
	return ""
}

// command is a command line read for launcher evidence.
type command struct {
	program string   // argv[0]'s base name, version suffix dropped: python3.12 → python
	args    []string // the words after it
	// script is the file or module a shell or runtime runs; "" for none.
	script string
	// commandString is a shell's -c argument.
	commandString string
	interactive   bool   // -i, or an interpreter with nothing to run
	watch         bool   // a runtime's own watch mode
	watchFlag     string // the flag that set it
}

// versionedRuntime is the runtime a program name with a version suffix
// names (python3.12 → python, pypy3 → python, node22 → node), and false for
// any other name. A loop, not a regular expression: compiling one cost the
// held path a tenth of a millisecond of page faults.
func versionedRuntime(prog string) (string, bool) {
	base := strings.TrimRight(prog, "0123456789.")
	switch base {
	case "python", "pypy":
		return "python", true
	case "ruby", "node", "perl", "php":
		return base, true
	}
	return "", false
}

func parseCommand(argv []string) command {
	// A process that rewrote its title (npm sets process.title to "npm run
	// dev") has its whole command line in argv[0].
	if len(argv) == 1 && strings.Contains(argv[0], " ") {
		argv = strings.Fields(argv[0])
	}
	if len(argv) == 0 {
		return command{}
	}
	prog := filepath.Base(argv[0])
	prog = strings.TrimPrefix(prog, "-") // a login shell's -bash
	if runtime, ok := versionedRuntime(prog); ok {
		prog = runtime
	}
	if prog == "nodejs" {
		prog = "node"
	}
	c := command{program: prog, args: argv[1:]}
	switch {
	case shells[prog]:
		c.readShell()
	case runtimes[prog]:
		c.readRuntime()
	}
	return c
}

// readShell finds a shell's -c string or script; a shell with neither
// reads commands from a terminal or its input: an interactive session.
func (c *command) readShell() {
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		switch {
		case a == "--":
			if i+1 < len(c.args) {
				c.script = c.args[i+1]
			}
			return
		case a == "-o" || a == "+o" || a == "-O" || a == "+O" || a == "--rcfile" || a == "--init-file":
			i++ // takes a value
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
			if strings.ContainsRune(a[1:], 'i') || strings.ContainsRune(a[1:], 's') {
				c.interactive = true
			}
			if strings.ContainsRune(a[1:], 'c') && i+1 < len(c.args) {
				c.commandString = c.args[i+1]
				return
			}
		default:
			c.script = a
			return
		}
	}
	c.interactive = true
}

// readRuntime finds what a runtime runs: node and deno a script, python a
// script or -m module, ruby a script or -S program. Nothing to run, or -i,
// is an interactive session.
func (c *command) readRuntime() {
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		switch {
		case c.program == "deno" && i == 0 && (a == "run" || a == "serve" || a == "task"):
			continue
		case c.program == "bun" && i == 0 && a == "run":
			continue
		case a == "-i" || a == "--interactive" || a == "repl":
			c.interactive = true
			return
		case a == "--watch" || a == "--hot" || strings.HasPrefix(a, "--watch=") || a == "--watch-path" || strings.HasPrefix(a, "--watch-path="):
			c.watch, c.watchFlag = true, strings.SplitN(a, "=", 2)[0]
		case c.program == "python" && (a == "-m" || a == "-c"):
			if a == "-m" && i+1 < len(c.args) {
				c.script = c.args[i+1]
			}
			if a == "-c" {
				c.script = "-c"
			}
			return
		case c.program == "ruby" && a == "-S" && i+1 < len(c.args):
			c.script = c.args[i+1]
			return
		case (c.program == "node" || c.program == "python") && (a == "-e" || a == "--eval" || a == "-p" || a == "--print"):
			c.script = "-e"
			return
		case c.program == "node" && (a == "-r" || a == "--require" || a == "--import" || a == "--loader" || a == "--env-file" || a == "--inspect-port"):
			i++
		case c.program == "python" && (a == "-W" || a == "-X" || a == "-Q"):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			c.script = a
			return
		}
	}
	if c.script == "" {
		c.interactive = true
	}
}

// runsScript says whether a package manager's command runs a script or a
// package's program, and names it.
func (c command) runsScript() (string, bool) {
	var words []string
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		switch {
		case managerValueFlags[a]:
			i++
		case !strings.HasPrefix(a, "-"):
			words = append(words, a)
		}
	}
	if c.program == "npx" || c.program == "pnpx" || c.program == "bunx" {
		if len(words) > 0 {
			return words[0], true
		}
		return "", false
	}
	if len(words) == 0 {
		// yarn alone installs; npm alone prints help.
		return "", false
	}
	sub := words[0]
	switch {
	case scriptRunners[sub] && len(words) > 1:
		return "the script " + words[1], true
	case sub == "start" || sub == "test" || sub == "t" || sub == "restart" || sub == "dev" || sub == "serve":
		return "the script " + sub, true
	case c.program != "npm" && !managerCommands[sub]:
		// yarn, pnpm and bun run a script named as their first word.
		return "the script " + sub, true
	}
	return "", false
}

// launcherTool is the name of a tool that runs the server as its child
// (a file a runtime runs, or its package directory), or "".
func launcherTool(script string) string {
	if script == "" {
		return ""
	}
	// node_modules/.bin/nodemon, node_modules/nodemon/bin/nodemon.js,
	// /usr/lib/node_modules/npm/bin/npm-cli.js: the tool is the file's
	// base name, or the package the file is in.
	base := strings.TrimSuffix(filepath.Base(script), filepath.Ext(script))
	if t, ok := runnerScripts[base]; ok {
		return t
	}
	parts := strings.Split(filepath.ToSlash(script), "/")
	for i := len(parts) - 2; i >= 0; i-- {
		if parts[i] == "node_modules" && i+1 < len(parts) {
			if t, ok := runnerScripts[parts[i+1]]; ok {
				return t
			}
			break
		}
	}
	return ""
}

// nativeLauncher is the evidence for a program that is not a runtime:
// a watcher, a Procfile runner, go run, cargo run, dotnet watch.
func nativeLauncher(c command) string {
	first := ""
	for _, a := range c.args {
		if !strings.HasPrefix(a, "-") {
			first = a
			break
		}
	}
	switch c.program {
	case "go":
		if first == "run" {
			return "go run runs the server it builds as its child"
		}
	case "cargo":
		if first == "run" || first == "watch" {
			return "cargo " + first + " runs the server as its child"
		}
	case "dotnet":
		if first == "run" || first == "watch" {
			return "dotnet " + first + " runs the server as its child"
		}
	case "bundle", "bundler":
		if first == "exec" {
			return c.program + " exec runs the server as its child"
		}
	}
	if watchers[c.program] {
		return c.program + " runs the server as its child and restarts it"
	}
	return ""
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

var (
	packageManagers = map[string]bool{"npm": true, "npx": true, "yarn": true, "pnpm": true, "pnpx": true, "bun": false, "bunx": true}
	shells          = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ash": true, "ksh": true, "mksh": true, "busybox": false}
	runtimes        = map[string]bool{"node": true, "deno": true, "bun": true, "python": true, "ruby": true}
	// scriptRunners are package-manager subcommands whose next word is
	// the script or program they run.
	scriptRunners = map[string]bool{"run": true, "run-script": true, "rum": true, "urn": true, "exec": true, "x": true, "dlx": true}
	// managerValueFlags are package-manager flags that take the next word.
	managerValueFlags = map[string]bool{"--filter": true, "-F": true, "-C": true, "--dir": true, "--prefix": true, "--cwd": true, "--workspace": true, "-w": false}
	// managerCommands are yarn's, pnpm's and bun's own commands, which
	// are not scripts.
	managerCommands = map[string]bool{
		"install": true, "i": true, "add": true, "remove": true, "rm": true, "upgrade": true, "update": true, "up": true,
		"init": true, "create": true, "why": true, "info": true, "list": true, "ls": true, "outdated": true, "publish": true,
		"pack": true, "link": true, "unlink": true, "config": true, "cache": true, "version": true, "help": true, "audit": true,
		"build": true, "import": true, "login": true, "logout": true, "workspace": true, "workspaces": true,
	}
	// runnerScripts are the files and packages of tools that run the
	// server as their child: package managers, watchers, task runners,
	// and dev commands that keep the server in a worker process.
	runnerScripts = map[string]string{
		"npm-cli": "npm", "npx-cli": "npx", "npm": "npm", "npx": "npx",
		"yarn": "yarn", "pnpm": "pnpm", "pnpx": "pnpx",
		"nodemon": "nodemon", "node-dev": "node-dev", "ts-node-dev": "ts-node-dev", "tsnd": "ts-node-dev",
		"concurrently": "concurrently", "npm-run-all": "npm-run-all", "run-p": "npm-run-all", "run-s": "npm-run-all",
		"next": "next", "nuxi": "nuxi", "nuxt": "nuxt", "react-scripts": "react-scripts", "remix": "remix",
		"nest": "nest", "gatsby": "gatsby", "turbo": "turbo", "nx": "nx", "lerna": "lerna",
		"watchmedo": "watchmedo", "watchfiles": "watchfiles", "honcho": "honcho",
		"foreman": "foreman", "rerun": "rerun", "guard": "guard",
	}
	// watchers are native programs that run a server as their child.
	watchers = map[string]bool{
		"watchexec": true, "air": true, "reflex": true, "cargo-watch": true, "entr": true, "dotnet-watch": true,
		"nodemon": true, "foreman": true, "overmind": true, "hivemind": true, "honcho": true, "forego": true,
		"tini": true, "dumb-init": true,
	}
)
