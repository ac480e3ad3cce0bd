package infer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/portguard/portguard/internal/projfile"
)

// tool is one row of the table in tools.go: how to recognise a dev tool on
// a command line and where it takes its port from. Lists are
// space-separated, so that a row reads like the tool's documentation.
type tool struct {
	names string // command names (argv[0]'s base name)
	// subs are the subcommands that listen: "-" stands for none given
	// (`next`, `vite`), "*" for any other positional (a root directory,
	// a Django addrport).
	subs string
	// quiet are subcommands that never listen (vite build, next lint).
	quiet string
	// anySub: the subcommand may be any positional, not only the first
	// (mvn clean spring-boot:run, gradle clean bootRun).
	anySub bool
	// when lists flags of which one must be present for the tool to
	// listen at all (eleventy builds unless --serve).
	when string

	port    string // flags whose value is a port: "-p --port"
	addr    string // flags whose value is an address: "--bind -b", host:port, tcp://…, unix:…
	publish string // docker-style -p [ip:]host:container[/proto]
	forward string // ssh-style -L [bind:]port:host:hostport
	// inner are flags whose value is itself a list of arguments, read
	// with innerPort as port flags: pg_ctl -o "-p 5435", gradle --args.
	inner, innerPort string
	values           string // other flags that take a value, so it is not read as a positional
	// host are flags whose value is the address the server binds (an IP
	// literal is kept as Port.Host, for conflicts by address).
	host string
	// positional says what a positional argument after the subcommand
	// is: "addr" ([host:]port, Django's runserver, http.server) or
	// "forward" (kubectl port-forward TYPE/NAME LOCAL:REMOTE…).
	positional string
	multi      bool // every port given counts (serve -l 5000 -l 5002), not only the last
	// zeroUnset: a port of 0 counts as none given, and the default
	// applies (http-server's argv.p || argv.port || PORT || 8080); for
	// every other tool, port 0 asks the kernel for a free port.
	zeroUnset bool

	// env are the variables read, highest precedence first; a "url:"
	// prefix marks a ;-separated list of URLs (ASPNETCORE_URLS).
	env     string
	envWins bool // the variables beat the flags (Storybook's SBCONFIG_PORT)
	// configWins: the config file beats the variables (postgres: port in
	// postgresql.conf over PGPORT, which only sets the default).
	configWins bool
	// addrHidesEnv: any address flag, even one without a port, replaces
	// the default bind that the variables feed (gunicorn -b localhost).
	addrHidesEnv bool
	// second is a server the tool starts beside the main one, whose port
	// the command needs too (Jekyll's LiveReload with --livereload).
	second *secondServer
	dotenv string // which .env files the tool loads: see dotenvFiles
	config string // which config file may name the port: see configs
	def    int    // the default port; 0 when there is none
	src    string // where these facts are documented
}

// dotenvFiles lists, for a scheme, the files a tool loads, highest
// precedence first. Variables already in the environment always win.
func dotenvFiles(scheme string) []string {
	switch scheme {
	case "cra":
		// facebook/create-react-app packages/react-scripts/config/env.js
		// (NODE_ENV=development for start).
		return []string{".env.development.local", ".env.local", ".env.development", ".env"}
	case "vue":
		// vuejs/vue-cli packages/@vue/cli-service/lib/Service.js loadEnv
		// (mode development for serve).
		return []string{".env.development.local", ".env.development", ".env.local", ".env"}
	case "flask":
		// Flask: .env, then .flaskenv (flask.palletsprojects.com/en/stable/cli/).
		return []string{".env", ".flaskenv"}
	case "env":
		// A single .env: Laravel, Strapi, Phoenix with dotenv, …
		return []string{".env"}
	}
	return nil
}

// found is a port read from the command line.
type found struct {
	port   int
	source string
	// flag and value are how the port was written (flag "" for a
	// positional argument), so that it can be rewritten (move.go).
	flag, value string
}

// tool infers the ports of a command by the table; a command the table
// does not know listens on nothing portguard can tell, unless PORT was set
// on its own command line.
// knownTool reports whether the tool table has a row for name.
func knownTool(name string) bool {
	return slices.ContainsFunc(tools, func(t tool) bool { return inSet(t.names, name) })
}

func (w *walker) tool(s scope, name string, args []string) {
	switch name {
	case "go":
		if len(args) > 0 && args[0] == "run" && w.goRun(s, args[1:]) {
			return
		}
	case "node", "nodejs", "nodemon", "tsx", "ts-node", "bun":
		// A hand-written server: its own source says where it listens,
		// and whether PORT counts at all. (bun FILE comes here from the
		// package-manager path.)
		if w.nodeSource(s, name, args) {
			return
		}
	case "gunicorn":
		if w.gunicorn(s, args) {
			return
		}
	case "deno":
		if len(args) > 0 && args[0] == "run" && w.nodeSource(s, name, args[1:]) {
			return
		}
		if len(args) > 0 && args[0] == "task" {
			w.denoTask(s, args[1:])
			return
		}
	}
	for i := range tools {
		t := &tools[i]
		if !inSet(t.names, name) {
			continue
		}
		if why := notServing(name, args, t.takesValue); why != "" {
			w.note("%s: no port", why)
			return
		}
		t, unsure := w.forInstalled(s, t, args)
		if unsure != "" {
			w.note("no port for %q: %s", name, unsure)
			return
		}
		rest, label, ok, quiet := t.match(name, args)
		if quiet {
			w.quiet++
			return
		}
		if ok {
			w.apply(s, t, label, rest)
			return
		}
	}
	if v, ok := s.set["PORT"]; ok {
		if p, ok := parseEnvPort(v); ok {
			w.addMovable(s, p, fmt.Sprintf("PORT=%s set on the command line of %q (a guess: nothing says it listens)", v, name), envMove(s, "PORT"))
			if n := len(w.out); n > 0 && w.out[n-1].Port == p {
				w.out[n-1].Guess = true
			}
		}
	}
}

// bindHost is the IP address the tool's host flag names (the last one), or
// "" when none is given or it is a name (localhost may be either family).
func (t *tool) bindHost(args []string) string {
	if t.host == "" {
		return ""
	}
	host := ""
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			break
		}
		if v, ok := flagValue(args, &i, t.host); ok {
			host = v
		}
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return ""
	}
	return ip.String()
}

// match decides whether args are a listening use of the tool, and returns
// the arguments to read (without the subcommand) and the tool's label
// ("next dev").
func (t *tool) match(name string, args []string) (rest []string, label string, ok, quiet bool) {
	if t.when != "" && !slices.ContainsFunc(args, func(a string) bool { return inSet(t.when, a) }) {
		return nil, "", false, true
	}
	positionals := t.positionals(args)
	if len(positionals) == 0 {
		return args, name, inSet(t.subs, "-"), false
	}
	candidates := positionals[:1]
	if t.anySub {
		candidates = positionals
	}
	for _, i := range candidates {
		sub := args[i]
		if inSet(t.quiet, sub) {
			return nil, "", false, true
		}
		if inSet(t.subs, sub) {
			rest = append(append([]string{}, args[:i]...), args[i+1:]...)
			return rest, name + " " + sub, true, false
		}
	}
	return args, name, inSet(t.subs, "*"), false
}

// positionals returns the indexes of the arguments that are neither flags
// nor flags' values, up to a "--".
func (t *tool) positionals(args []string) []int {
	valued := strings.Join([]string{t.port, t.addr, t.publish, t.forward, t.inner, t.values}, " ")
	var idx []int
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return idx
		case strings.HasPrefix(a, "-") && a != "-":
			if !strings.Contains(a, "=") && inSet(valued, a) {
				i++
			}
		default:
			idx = append(idx, i)
		}
	}
	return idx
}

// apply infers the port of a recognised tool: its flags, then its
// environment (and the .env files it loads), then its config file, then
// its default.
func (w *walker) apply(s scope, t *tool, label string, args []string) {
	s.tool, _, _ = strings.Cut(label, " ")
	if t.second != nil {
		defer w.secondListens(s, t, label, args) // beside whatever the main server takes
	}
	// The address the server binds, where its command names one: every
	// port this row adds is bound there.
	if host := t.bindHost(args); host != "" {
		from := len(w.out)
		defer func() {
			for i := from; i < len(w.out); i++ {
				w.out[i].Host = host
			}
		}()
	}
	if t.envWins && w.fromEnv(s, t, label) {
		return
	}
	ports, notTCP, hostOnly := t.scan(label, args)
	if len(ports) > 0 {
		for _, f := range ports {
			w.addMovable(s, f.port, f.source, t.flagMove(s, f, len(ports)))
		}
		return
	}
	if notTCP {
		// It listens on a unix socket or a pipe, or on port 0, a free
		// port the kernel picks: no port another process could hold.
		w.note("no port for %q: nothing to free, it listens on a socket path or on port 0 (a free port the kernel picks)", label)
		return
	}
	unread := ""
	// fromConfig applies the tool's config file; done when it decided.
	fromConfig := func() (done bool) {
		if t.config == "" {
			return false
		}
		cfg := configs()[t.config](s.dir, args)
		if cfg.skipped != "" {
			// The file that could set the port was not read: its port is
			// not known, and the default would be a guess.
			w.noteSkipped(cfg.skipped, cfg.skippedErr)
			w.note("no port for %q: %s may set it and was not read", label, w.rel(cfg.skipped))
			return true
		}
		if cfg.none != "" {
			w.note("no port for %q: %s", label, cfg.none)
			return true
		}
		if cfg.env != "" && len(cfg.ports) == 1 {
			return w.envOrFallback(s, cfg.env, s.env[cfg.env], cfg.env+" in the environment", cfg.ports[0], cfg.source)
		}
		if len(cfg.ports) > 0 {
			for _, p := range cfg.ports {
				w.addMovable(s, p, cfg.source, t.defaultMove(s))
				if n := len(w.out); n > 0 && cfg.guess {
					w.out[n-1].Guess = true
				}
			}
			return true
		}
		if cfg.exists {
			unread = ", its config sets no port"
		}
		return false
	}
	if t.configWins && fromConfig() {
		return
	}
	if !t.envWins && !(hostOnly && t.addrHidesEnv) && w.fromEnv(s, t, label) {
		return
	}
	if !t.configWins && fromConfig() {
		return
	}
	if def, version := w.installedDefault(s, t); def > 0 {
		w.addMovable(s, def, fmt.Sprintf("default of %q%s%s", label, version, unread), t.defaultMove(s))
	}
}

// secondServer is a server a tool starts beside its main one, on its
// default port or the one its flags name, when one of its enabling flags
// is given. Only a server that fails when its port is taken belongs here:
// one that moves to a free port (Browsersync's UI, wrangler's inspector)
// does not need it freed.
type secondServer struct {
	port      int    // its default port
	when      string // flags of which one turns it on
	portFlags string // flags that name its port
}

// secondListens adds the port of the tool's second server, where its flags
// turn it on.
func (w *walker) secondListens(s scope, t *tool, label string, args []string) {
	on := slices.ContainsFunc(args, func(a string) bool {
		name, _, _ := strings.Cut(a, "=")
		return inSet(t.second.when, name)
	})
	if !on {
		return
	}
	port, source := t.second.port, fmt.Sprintf("the second server of %q, on its default port", label)
	for i := 0; i < len(args) && args[i] != "--"; i++ {
		flag := args[i]
		if v, ok := flagValue(args, &i, t.second.portFlags); ok {
			if p, ok := parsePort(v); ok {
				port, source = p, fmt.Sprintf("%s %s of %q", flagName(flag), v, label)
			}
		}
	}
	w.add(s, port, source)
}

// forInstalled adjusts a row to the version of the tool installed in the
// project, where the tool's behaviour changed between majors. Where no
// version can be read and the versions would listen on different ports,
// unsure says why, and no port is inferred.
func (w *walker) forInstalled(s scope, t *tool, args []string) (adjusted *tool, unsure string) {
	switch t.names {
	case "ng":
		// Angular 22 reads PORT, and it beats --port and angular.json
		// (angular/angular-cli#32705, a breaking change; observed).
		v, ok := w.installedVersion(s.dir, "@angular/build")
		switch {
		case ok && majorVersion(v) >= 22:
			a := *t
			a.env, a.envWins = "PORT", true
			return &a, ""
		case !ok && s.env["PORT"] != "":
			return t, "PORT is set, and the Angular version is not known (no node_modules/@angular/build): Angular 22 and later listen on PORT, earlier ones do not; name the port with -p"
		}
	case "storybook":
		// Storybook 10 reads -p, then SBCONFIG_PORT, then PORT, and
		// without any asks the kernel for a free port: no default
		// (storybook dist/bin/core.js resolveDevCommandOptions and
		// core-server getServerPort with detect-port; observed with
		// 10.6). The row is the older behaviour: SBCONFIG_PORT over -p,
		// PORT not read, 6006.
		v, ok := w.installedVersion(s.dir, "storybook")
		newer := *t
		newer.env, newer.envWins, newer.def = "SBCONFIG_PORT PORT", false, 0
		if ok {
			if majorVersion(v) >= 10 {
				return &newer, ""
			}
			return t, ""
		}
		flag := slices.ContainsFunc(args, func(a string) bool { return inSet(t.port, strings.SplitN(a, "=", 2)[0]) })
		switch sb := s.env["SBCONFIG_PORT"] != ""; {
		case flag && sb:
			return t, "-p and SBCONFIG_PORT are both set, and the Storybook version is not known: Storybook 10 takes -p, earlier ones SBCONFIG_PORT"
		case !flag && !sb:
			return t, "the Storybook version is not known: Storybook 10 picks a free port (or PORT) when none is named, earlier ones 6006; name the port with -p"
		}
		return &newer, "" // -p alone, or SBCONFIG_PORT alone: every version agrees
	}
	return t, ""
}

// majorVersion is the major number of a semantic version ("v22.1.0",
// "22.1.0"), 0 when it has none.
func majorVersion(v string) int {
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	n, _ := strconv.Atoi(major)
	return n
}

// installedDefault is the tool's default port for the version installed in
// the project, where that default changed between versions: Vite 3 moved
// the dev server from 3000 to 5173 and preview from 5000 to 4173
// (vitejs/vite CHANGELOG 3.0.0). version says which one was read.
func (w *walker) installedDefault(s scope, t *tool) (port int, version string) {
	if t.config != "vite.server" && t.config != "vite.preview" {
		return t.def, ""
	}
	v, ok := w.installedVersion(s.dir, "vite")
	if !ok {
		return t.def, ""
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	if n, err := strconv.Atoi(major); err == nil && n < 3 {
		if t.config == "vite.preview" {
			return 5000, " " + v + " (installed)"
		}
		return 3000, " " + v + " (installed)"
	}
	return t.def, " " + v + " (installed)"
}

// installedVersion reads the version of pkg in the nearest node_modules
// at or above dir, within the project.
func (w *walker) installedVersion(dir, pkg string) (string, bool) {
	for d, up := dir, 0; up < 20; d, up = filepath.Dir(d), up+1 {
		manifest := filepath.Join(d, "node_modules", pkg, "package.json")
		if _, err := os.Stat(manifest); err == nil {
			b, ok := w.read(manifest)
			var p struct{ Version string }
			if ok && json.Unmarshal(b, &p) == nil && p.Version != "" {
				return p.Version, true
			}
			return "", false
		}
		// Not above the repository, nor past the root.
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil || filepath.Dir(d) == d {
			break
		}
	}
	return "", false
}

// scan reads the tool's port from its command line. notTCP is true when
// the command line says it listens on no TCP port at all (gunicorn -b
// unix:…, serve -l unix:…); hostOnly when an address flag named a host
// but no port.
func (t *tool) scan(label string, args []string) (ports []found, notTCP, hostOnly bool) {
	var last *found
	keep := func(f found) {
		if t.multi {
			ports = append(ports, f)
		} else {
			last = &f
		}
	}
	var addrs []found // addresses lose to explicit port flags
	positional := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break // what follows belongs to the app, not the tool (streamlit run app.py -- --port)
		}
		flag := a
		if v, ok := flagValue(args, &i, t.port); ok {
			if p, ok := parsePort(v); ok {
				keep(found{p, fmt.Sprintf("%s %s of %q", flagName(flag), v, label), flagName(flag), v})
			} else if isZeroPort(v) && !t.zeroUnset {
				notTCP = true // the kernel picks a port: none to infer (observed)
			}
			continue
		}
		if v, ok := flagValue(args, &i, t.addr); ok {
			for _, part := range strings.Split(v, ";") {
				switch p, kind := parseAddr(part); kind {
				case addrPort:
					addrs = append(addrs, found{p, fmt.Sprintf("%s %s of %q", flagName(flag), v, label), flagName(flag), part})
				case addrNotTCP, addrZero:
					notTCP = true
				case addrNone:
					hostOnly = true
				}
			}
			continue
		}
		if v, ok := flagValue(args, &i, t.publish); ok {
			for _, p := range parsePublish(v) {
				ports = append(ports, found{port: p, source: fmt.Sprintf("%s %s of %q", flagName(flag), v, label)})
			}
			continue
		}
		if v, ok := flagValue(args, &i, t.forward); ok {
			if p, ok := parseForward(v, 4); ok {
				ports = append(ports, found{port: p, source: fmt.Sprintf("%s %s of %q", flagName(flag), v, label)})
			}
			continue
		}
		if v, ok := flagValue(args, &i, t.inner); ok {
			inner := &tool{port: t.innerPort}
			if f, _, _ := inner.scan(label, splitWords(v)); len(f) > 0 {
				keep(found{port: f[len(f)-1].port, source: fmt.Sprintf("%s %s of %q", flagName(flag), quoteArg(v), label)})
			}
			continue
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			if !strings.Contains(a, "=") && inSet(t.values, a) {
				i++
			}
			continue
		}
		positional++
		switch t.positional {
		case "addr":
			switch p, kind := parseAddr(a); {
			case kind == addrPort && last == nil && len(addrs) == 0:
				addrs = append(addrs, found{p, fmt.Sprintf("argument %s of %q", a, label), "", a})
			case kind == addrZero && last == nil && len(addrs) == 0:
				notTCP = true
			}
		case "forward":
			// kubectl port-forward TYPE/NAME [LOCAL:]REMOTE…: the first
			// positional is the resource.
			if positional > 1 {
				if p, ok := parseForward(a, 2); ok {
					ports = append(ports, found{port: p, source: fmt.Sprintf("argument %s of %q", a, label)})
				}
			}
		}
	}
	if last != nil {
		ports = append(ports, *last)
	} else if len(addrs) > 0 {
		if t.multi {
			ports = append(ports, addrs...)
		} else {
			ports = append(ports, addrs[len(addrs)-1])
		}
	}
	if len(ports) > 0 {
		notTCP = false
	}
	return ports, notTCP, hostOnly
}

func flagName(arg string) string {
	name, _, _ := strings.Cut(arg, "=")
	if len(name) > 2 && name[1] != '-' && isDigits(name[2:]) {
		return name[:2] // -p4000
	}
	return name
}

// splitWords splits an argument that is itself an argument list
// (pg_ctl -o "-p 5435") on blanks, as those tools do.
func splitWords(s string) []string { return strings.Fields(s) }

// fromEnv reads the tool's variables from the environment, and from the
// .env files it loads beneath the environment (dotenv never overrides).
func (w *walker) fromEnv(s scope, t *tool, label string) bool {
	if t.env == "" {
		return false
	}
	fromFile, file := map[string]string{}, map[string]string{}
	for _, name := range dotenvFiles(t.dotenv) {
		path := filepath.Join(s.dir, name)
		vars, ok := w.dotenv(path)
		if !ok {
			continue
		}
		for k, v := range vars {
			if _, ok := fromFile[k]; !ok {
				fromFile[k], file[k] = v, w.rel(path)
			}
		}
	}
	for _, name := range strings.Fields(t.env) {
		name, isURL := strings.CutPrefix(name, "url:")
		v, where := s.env[name], "in the environment"
		if _, set := s.set[name]; set {
			where = "set on the command line"
		}
		if v == "" {
			v, where = fromFile[name], "in "+file[name]
		}
		if v == "" {
			continue
		}
		source := fmt.Sprintf("%s=%s %s, read by %q", name, v, where, label)
		if isURL {
			ok := false
			for _, part := range strings.Split(v, ";") {
				if p, kind := parseAddr(part); kind == addrPort {
					w.add(s, p, source)
					ok = true
				}
			}
			if ok {
				return true
			}
			continue
		}
		if p, ok := parseEnvPort(v); ok {
			w.addMovable(s, p, source, envMove(s, name))
			return true
		}
		if why := envPortProblem(name, v); why != "" {
			// Set, but not to a port: the tool does not fall back to
			// its default, so neither does inference.
			w.note("%s (%s)", why, where)
			return true
		}
	}
	return false
}

// configResult is what a config file says about the port.
type configResult struct {
	ports  []int
	source string
	guess  bool // the config's port is only a guess (what reads it depends on a version not known)
	// env is the environment variable the config reads first, its port the
	// fallback (port: Number(process.env.WEB_PORT) || 5173).
	env    string
	exists bool // a config file is there, even if the port could not be read from it
	// none says why the tool's port cannot be known from its config (it
	// decides at run time among several): no port is inferred.
	none string
	// skipped is a config file that is there but was not read (see
	// projfile), and why.
	skipped    string
	skippedErr error
}

// unread is the configResult of a config file readFile did not return.
func unread(path string, err error) configResult {
	if projfile.Skipped(err) || errors.Is(err, errUntrusted) {
		return configResult{exists: true, skipped: path, skippedErr: err}
	}
	return configResult{}
}

func atoiAll(ss []string) []int {
	var out []int
	for _, s := range ss {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 65535 {
			out = append(out, n)
		}
	}
	return out
}
