package infer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Reading the port from a hand-written Python server's own source, as
// source.go does for node: `app.run(port=5050)` (Flask), `uvicorn.run(app,
// port=8000)`, `web.run_app(app, port=8080)` (aiohttp), and the standard
// library's `HTTPServer(("", 8000), Handler)` and socketserver servers.
// The source is tokenized (strings of every prefix and quoting, comments),
// never matched with a regexp, and never run.

// pyTokens splits Python source into tokens, dropping comments and
// whitespace. Strings (with any of the r, b, u, f prefixes, single or
// triple quoted) become one token each.
func pyTokens(src string) []srcToken {
	out := make([]srcToken, 0, len(src)/3+16)
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\\' || c == '\f':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\'' || c == '"':
			start, startLine := i, line
			i = pyStringEnd(src, i, &line, false)
			out = append(out, srcToken{kind: 's', text: src[start:i], line: startLine})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isIdentByte(src[i]) || src[i] == '.') {
				i++
			}
			out = append(out, srcToken{kind: 'n', text: strings.ReplaceAll(src[start:i], "_", ""), line: line})
		case isIdentByte(c):
			start := i
			for i < len(src) && isIdentByte(src[i]) {
				i++
			}
			// A string prefix (r, b, f, u, t, rb, fr, …) is part of the string.
			if i < len(src) && (src[i] == '\'' || src[i] == '"') && i-start <= 2 && strings.Trim(strings.ToLower(src[start:i]), "rbfut") == "" {
				startLine := line
				i = pyStringEnd(src, i, &line, strings.ContainsAny(src[start:i], "fFtT"))
				out = append(out, srcToken{kind: 's', text: src[start:i], line: startLine})
				continue
			}
			out = append(out, srcToken{kind: 'i', text: src[start:i], line: line})
		default:
			out = append(out, srcToken{kind: 'p', text: src[i : i+1], line: line})
			i++
		}
	}
	return out
}

// pyStringEnd returns the index just past the string literal whose quote
// is at src[i], counting the newlines it spans into line. In an f-string
// (or a t-string) a replacement field is read as code: since Python 3.12
// (PEP 701) a string in it may use the same quotes as the f-string, so
// f"{"a"}" is one string, not two.
func pyStringEnd(src string, i int, line *int, formatted bool) int {
	q := src[i : i+1]
	if strings.HasPrefix(src[i:], q+q+q) {
		q = q + q + q
	}
	i += len(q)
	for i < len(src) {
		switch {
		case src[i] == '\\':
			i++
			if i < len(src) && src[i] == '\n' {
				*line++ // a continued line inside the string
			}
		case strings.HasPrefix(src[i:], q):
			return i + len(q)
		case src[i] == '\n':
			if len(q) == 1 {
				return i // an unterminated one-line string ends at the line
			}
			*line++
		case formatted && src[i] == '{':
			if strings.HasPrefix(src[i:], "{{") { // a literal brace
				i += 2
				continue
			}
			i = pyFieldEnd(src, i+1, line)
			continue
		}
		i++
	}
	return len(src)
}

// pyFieldEnd returns the index just past the "}" that closes the
// replacement field whose code starts at src[i]: brackets pair, and a
// string in it is read whole, whatever its quotes and prefix.
func pyFieldEnd(src string, i int, line *int) int {
	depth := 0
	for i < len(src) {
		switch c := src[i]; {
		case c == '\n':
			*line++
		case c == '\'' || c == '"':
			prefix := ""
			for k := i - 1; k >= 0 && i-k <= 2 && strings.ContainsRune("rRbBfFuUtT", rune(src[k])); k-- {
				prefix = src[k:i]
			}
			i = pyStringEnd(src, i, line, strings.ContainsAny(prefix, "fFtT"))
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == '}':
			if depth == 0 {
				return i + 1
			}
			depth--
		}
		i++
	}
	return len(src)
}

// pyServers are the calls that start a server, with the port they use when
// none is given (0: the call names no port of its own then, and is not a
// listen site).
func pyServers(name string) (def int, ok bool) {
	switch name {
	case "run": // app.run(port=…): Flask, Flask-SocketIO; Flask's own default is its CLI's concern
		return 0, true
	case "uvicorn.run": // uvicorn/config.py: port=8000
		return 8000, true
	case "run_app": // aiohttp web.run_app: port=None means 8080
		return 8080, true
	case "bottle.run": // bottle.py run(): port=8080
		return 8080, true
	case "cherrypy.quickstart": // cherrypy/_cpconfig: server.socket_port 8080
		return 8080, true
	case "tornado.listen": // tornado.web.Application.listen(port): no default
		return 0, true
	case "HTTPServer", "ThreadingHTTPServer", "TCPServer", "ThreadingTCPServer": // the address tuple
		return 0, true
	}
	return 0, false
}

// pyListenSites finds the server calls of a Python source and reads their
// port: the port= keyword, or the (host, port) tuple of a socketserver.
func pyListenSites(file string, toks []srcToken) []listenSite {
	var sites []listenSite
	vars := pyAssignments(toks)
	tornado := -1 // whether the file imports tornado: read once, when a .listen( is met
	for i := 0; i+1 < len(toks) && len(sites) <= maxSites; i++ {
		if toks[i].kind != 'i' || toks[i+1].text != "(" {
			continue
		}
		name := toks[i].text
		dotted := i >= 2 && toks[i-1].text == "."
		switch {
		case dotted && (toks[i-2].text == "uvicorn" || toks[i-2].text == "bottle") && name == "run":
			name = toks[i-2].text + ".run"
		case dotted && toks[i-2].text == "cherrypy" && name == "quickstart":
			name = "cherrypy.quickstart"
		case dotted && name == "listen" && (tornado == 1 || tornado < 0 && pyImportsOnce(&tornado, toks, "tornado")):
			// app.listen(8888): a socket's listen(5) takes a backlog,
			// so only where the file imports tornado.
			name = "tornado.listen"
		}
		def, ok := pyServers(name)
		if !ok || name == "run" && !dotted || i >= 1 && toks[i-1].text == "def" {
			continue
		}
		args := toks[i+2 : i+2+jsArgEnd(toks[i+2:], 0)]
		end := i + 2 + pyCallEnd(toks[i+2:])
		call := toks[i+2 : end]
		site := listenSite{file: file, line: toks[i].line}
		if strings.HasSuffix(name, "Server") {
			// HTTPServer(("", 8000), Handler): the tuple's second element.
			addr := jsUnwrap(args)
			if parts := jsSplit(addr, ","); len(parts) == 2 {
				site.expr, site.ok = pyPortExpr(parts[1], vars, 0)
			} else if len(addr) == 1 && addr[0].kind == 'i' {
				if value, found := vars.lookup(addr[0].text); found {
					if parts := jsSplit(jsUnwrap(value), ","); len(parts) == 2 {
						site.expr, site.ok = pyPortExpr(parts[1], vars, 0)
					}
				}
			}
			sites = append(sites, site)
			continue
		}
		value, given := pyKeyword(call, "port")
		switch name {
		case "tornado.listen":
			if parts := jsSplit(call, ","); !given && len(parts) >= 1 && len(parts[0]) > 0 && !pyIsKeyword(parts[0]) {
				value, given = parts[0], true
			}
		case "cherrypy.quickstart":
			value, given = pyCherryPort(toks)
		}
		if !given && name == "run" && dotted && pyIsFlaskApp(toks, i-2, vars) {
			// Flask's app.run(host, port, …) by position.
			if parts := jsSplit(call, ","); len(parts) >= 2 && !pyIsKeyword(parts[1]) {
				value, given = parts[1], true
			}
		}
		switch {
		case pyHasSpread(call):
			sites = append(sites, site) // run(**options): computed
			continue
		case name == "uvicorn.run" && !given && (pyHasKeyword(call, "uds") || pyHasKeyword(call, "fd")):
			continue // a unix socket or an inherited fd: no TCP port of its own
		case name == "run_app" && !given && pyHasKeyword(call, "ssl_context"):
			site.expr, site.ok = portExpr{literal: 8443}, true // aiohttp: 8443 with TLS
		case given:
			site.expr, site.ok = pyPortExpr(value, vars, 0)
		case def != 0:
			site.expr, site.ok = portExpr{literal: def}, true
		case name == "run" && pyIsFlaskApp(toks, i-2, vars):
			// Flask's app.run() without a port: 5000 (flask/app.py, where
			// SERVER_NAME names none; observed).
			site.expr, site.ok = portExpr{literal: 5000}, true
		default:
			continue // a .run() with no port: a thread, a task, not a server
		}
		sites = append(sites, site)
	}
	return sites
}

// pyImportsOnce is pyImports, remembered in *known (1 or 0).
func pyImportsOnce(known *int, toks []srcToken, module string) bool {
	*known = 0
	if pyImports(toks, module) {
		*known = 1
	}
	return *known == 1
}

// pyImports reports whether the file imports module (import m, import
// m.x, from m import …, from m.x import …).
func pyImports(toks []srcToken, module string) bool {
	for i := 0; i+1 < len(toks); i++ {
		// A statement's first word: so a line of many "from"s is
		// scanned once, not once per word.
		if toks[i].text != "import" && toks[i].text != "from" || i > 0 && toks[i-1].line == toks[i].line {
			continue
		}
		// import a, m.x: every name of the statement's line
		for j := i + 1; j < len(toks) && toks[j].line == toks[i].line && toks[j].text != "import"; j++ {
			if toks[j].text == module && (toks[j-1].text == "import" || toks[j-1].text == "from" || toks[j-1].text == ",") {
				return true
			}
		}
	}
	return false
}

// pyCherryPort is the value of the 'server.socket_port' key of the
// file's CherryPy configuration (cherrypy.config.update({…})), where it
// is set once.
func pyCherryPort(toks []srcToken) ([]srcToken, bool) {
	var value []srcToken
	n := 0
	for i := 0; i+2 < len(toks); i++ {
		if t := toks[i]; t.kind == 's' && (t.text == "'server.socket_port'" || t.text == `"server.socket_port"`) && toks[i+1].text == ":" {
			value = toks[i+2 : i+2+jsArgEnd(toks[i+2:], 0)]
			n++
		}
	}
	return value, n == 1
}

// pyCallEnd is the index of the ")" closing a call whose arguments start
// at toks[0].
func pyCallEnd(toks []srcToken) int {
	depth := 0
	for j, t := range toks {
		if j > maxArgTokens {
			return j // computed anyway; see maxArgTokens
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return j
			}
			depth--
		}
	}
	return len(toks)
}

// pyKeyword returns the value of the keyword argument name= in a call's
// arguments.
func pyKeyword(call []srcToken, name string) ([]srcToken, bool) {
	for _, arg := range jsSplit(call, ",") {
		if len(arg) >= 3 && arg[0].text == name && arg[1].text == "=" {
			return arg[2:], true
		}
	}
	return nil, false
}

// pyPortExpr reads a port expression: N, the PORT variable
// (os.environ["PORT"], os.environ.get("PORT", N), os.getenv("PORT", "N")),
// either joined with `or`, int(…) around them, or a name assigned one of
// those once.
func pyPortExpr(e []srcToken, vars assignments, depth int) (portExpr, bool) {
	if depth > 4 || len(e) == 0 {
		return portExpr{}, false
	}
	var out portExpr
	parts := pySplitOr(e)
	if len(parts) > maxAlternatives {
		return portExpr{}, false
	}
	for _, part := range parts {
		part = pyUnwrap(part)
		switch {
		case len(part) == 1 && (part[0].kind == 'n' || part[0].kind == 's'):
			n, ok := pyPortLiteral(part[0])
			if !ok || out.literal != 0 {
				return portExpr{}, false
			}
			out.literal = n
		case pyEnvVar(part) != "":
			var ok bool
			if out, ok = out.readsEnv(pyEnvVar(part)); !ok {
				return portExpr{}, false
			}
		case pyEnvGet(part) != "":
			// os.environ.get("PORT", N) / os.getenv("PORT", N)
			var ok bool
			if out, ok = out.readsEnv(pyEnvGet(part)); !ok {
				return portExpr{}, false
			}
			open := 0
			for open < len(part) && part[open].text != "(" {
				open++
			}
			args := jsSplit(part[open+1:len(part)-1], ",")
			if len(args) == 2 {
				v, ok := pyPortExpr(args[1], vars, depth+1)
				if !ok || v.literal == 0 {
					return portExpr{}, false
				}
				out.literal = v.literal
			}
		case len(part) == 1 && part[0].kind == 'i':
			v, ok := vars.through(part[0].text, depth, pyPortExpr)
			if !ok {
				return portExpr{}, false
			}
			if out, ok = out.join(v); !ok {
				return portExpr{}, false
			}
		default:
			return portExpr{}, false
		}
	}
	return out, out.literal != 0 || out.env != ""
}

// pyPortLiteral reads 8000 or "8000".
func pyPortLiteral(t srcToken) (int, bool) {
	text := t.text
	if t.kind == 's' {
		if len(text) < 2 || text[0] != '"' && text[0] != '\'' {
			return 0, false
		}
		text = text[1 : len(text)-1]
	}
	n, err := strconv.Atoi(text)
	return n, err == nil && n >= 1 && n <= 65535
}

// pySplitOr splits e at the keyword `or` at depth 0.
func pySplitOr(e []srcToken) [][]srcToken {
	return splitAt(e, func(t srcToken) bool { return t.kind == 'i' && t.text == "or" })
}

// pyUnwrap drops int( … ) and parentheses.
func pyUnwrap(e []srcToken) []srcToken {
	for {
		switch {
		case len(e) >= 3 && e[0].text == "int" && e[1].text == "(" && e[len(e)-1].text == ")" && pyCallEnd(e[2:]) == len(e)-3:
			inner := e[2 : len(e)-1]
			e = inner[:jsArgEnd(inner, 0)]
		case len(e) >= 2 && e[0].text == "(" && e[len(e)-1].text == ")" && pyCallEnd(e[1:]) == len(e)-2:
			e = e[1 : len(e)-1]
		default:
			return e
		}
	}
}

func pyText(e []srcToken) string {
	var b strings.Builder
	for _, t := range e {
		b.WriteString(t.text)
	}
	return b.String()
}

// pyEnvVar is the variable of os.environ["NAME"] (or environ['NAME']);
// "" for anything else.
func pyEnvVar(e []srcToken) string {
	s := pyText(e)
	for _, prefix := range []string{"os.environ[", "environ["} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			if inner, ok := strings.CutSuffix(rest, "]"); ok {
				return quotedEnvName(inner)
			}
		}
	}
	return ""
}

// pyEnvGet is the variable of os.environ.get("NAME"…) or
// os.getenv("NAME"…); "" for anything else.
func pyEnvGet(e []srcToken) string {
	s := pyText(e)
	if !strings.HasSuffix(s, ")") {
		return ""
	}
	for _, prefix := range []string{"os.environ.get(", "environ.get(", "os.getenv(", "getenv("} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			if end := strings.IndexAny(rest, ",)"); end > 0 {
				return quotedEnvName(rest[:end])
			}
		}
	}
	return ""
}

// quotedEnvName is the variable name in a quoted literal, "NAME" or 'NAME'.
func quotedEnvName(q string) string {
	if len(q) < 2 || q[0] != q[len(q)-1] || q[0] != '"' && q[0] != '\'' {
		return ""
	}
	name, _ := envName(q[1 : len(q)-1])
	return name
}

// pyAssignments indexes `NAME = EXPR` at the start of a statement (to the
// end of its line), and counts augmented assignments (NAME += 1) as one
// more: such a name is computed.
func pyAssignments(toks []srcToken) assignments {
	a := assignments{}
	for i := 0; i+2 < len(toks); i++ {
		t := toks[i]
		if t.kind != 'i' || i > 0 && toks[i-1].line == t.line && toks[i-1].text != ";" {
			continue
		}
		switch {
		case toks[i+1].text == "=" && toks[i+2].text != "=":
			a.add(t.text, restOfStatement(toks, i+2))
		case toks[i+1].kind == 'p' && strings.Contains("+-*/%|&^", toks[i+1].text) && toks[i+2].text == "=":
			a.add(t.text, nil)
		}
	}
	return a
}

// pyLocalImports are the modules of the project a source imports:
// `import server`, `from app import create_app`, `from .server import x`.
// Only names that are files beside it count; site-packages never does.
func pyLocalImports(toks []srcToken) []string {
	var out []string
	for i := 0; i+1 < len(toks); i++ {
		if (toks[i].text != "import" || i > 0 && toks[i-1].line == toks[i].line) && toks[i].text != "from" {
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].text == "." {
			j++
		}
		for j < len(toks) && toks[j].kind == 'i' {
			mod := toks[j].text
			for j+2 < len(toks) && toks[j+1].text == "." && toks[j+2].kind == 'i' {
				mod += "/" + toks[j+2].text
				j += 2
			}
			out = append(out, mod)
			// import a, b: each module; from a import b, c: a alone.
			if toks[i].text != "import" || j+2 >= len(toks) || toks[j+1].text != "," || toks[j+2].line != toks[i].line {
				break
			}
			j += 2
		}
	}
	return out
}

// resolvePy finds the file Python loads for the module path mod
// ("server", "app/main") in dir: mod.py, or the package's __init__.py.
func resolvePy(dir, mod string) string {
	for _, cand := range []string{mod + ".py", filepath.Join(mod, "__init__.py")} {
		if p, _, err := readFile("", join(dir, cand)); err == nil {
			return p
		}
	}
	return ""
}

// pyEntry is the file `python ARGS` runs: the script, or for -m MODULE a
// module of the project (MODULE.py, MODULE/__main__.py). ok is false for
// -c code, and for a module that is not the project's own.
func pyEntry(dir string, args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c":
			return "", false
		case a == "-m" && i+1 < len(args):
			mod := strings.ReplaceAll(args[i+1], ".", "/")
			for _, cand := range []string{filepath.Join(mod, "__main__.py"), mod + ".py"} {
				if p, _, err := readFile("", join(dir, cand)); err == nil {
					return p, true
				}
			}
			return "", false
		case a == "-W" || a == "-X" || a == "--check-hash-based-pycs":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			if !strings.HasSuffix(a, ".py") {
				if st, err := os.Stat(join(dir, a)); err != nil || st.IsDir() {
					return "", false
				}
			}
			return join(dir, a), true
		}
	}
	return "", false
}

// pySource infers the port of `python FILE` (or -m a module of the
// project) from its source. It reports whether it decided anything.
func (w *walker) pySource(s scope, args []string) bool {
	entry, ok := pyEntry(s.dir, args)
	if !ok {
		return false
	}
	b, ok := w.read(entry)
	if !ok {
		return false
	}
	toks := pyTokens(string(b))
	sites := withLines(pyListenSites(entry, toks), b)
	dotenv := pyLoadsDotenv(toks)
	if len(sites) == 0 {
		for _, mod := range pyLocalImports(toks) {
			if f := resolvePy(filepath.Dir(entry), mod); f != "" && w.first("source "+f) {
				if b, ok := w.read(f); ok {
					sub := pyTokens(string(b))
					// An imported module's __main__ block does not run.
					sites = append(sites, outsideMainBlock(withLines(pyListenSites(f, sub), b), b)...)
					dotenv = dotenv || pyLoadsDotenv(sub)
				}
			}
		}
	}
	return w.sourcePort(s, sites, dotenv, nil)
}

// pyLoadsDotenv: the source loads .env itself (python-dotenv's
// load_dotenv, which leaves variables already set alone).
func pyLoadsDotenv(toks []srcToken) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].text == "load_dotenv" && toks[i+1].text == "(" {
			return true
		}
	}
	return false
}

// pyIsFlaskApp: the name at toks[at] is assigned Flask(…) (or
// flask.Flask(…)) once in the file.
func pyIsFlaskApp(toks []srcToken, at int, vars assignments) bool {
	if at < 0 || toks[at].kind != 'i' {
		return false
	}
	value, found := vars.lookup(toks[at].text)
	if !found {
		return false
	}
	text := pyText(value)
	return strings.HasPrefix(text, "Flask(") || strings.HasPrefix(text, "flask.Flask(")
}

// pyHasKeyword: the call's arguments include name=.
func pyHasKeyword(call []srcToken, name string) bool {
	_, ok := pyKeyword(call, name)
	return ok
}

// pyIsKeyword: the argument is a keyword argument (name=value).
func pyIsKeyword(arg []srcToken) bool {
	return len(arg) >= 2 && arg[0].kind == 'i' && arg[1].text == "=" && (len(arg) < 3 || arg[2].text != "=")
}

// pyHasSpread: the call unpacks arguments (*args, **options), so any of
// them may be the port.
func pyHasSpread(call []srcToken) bool {
	for _, arg := range jsSplit(call, ",") {
		if len(arg) > 0 && arg[0].text == "*" {
			return true
		}
	}
	return false
}

// outsideMainBlock drops the sites inside the module's
// `if __name__ == "__main__":` block: it runs only when the file is the
// program, not when it is imported.
func outsideMainBlock(sites []listenSite, src []byte) []listenSite {
	lines := strings.Split(string(src), "\n")
	inMain := make([]bool, len(lines)+1)
	in := false
	for n, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case l[0] != ' ' && l[0] != '\t':
			// A statement at the left margin ends a block, or opens one.
			t := strings.ReplaceAll(strings.ReplaceAll(trimmed, " ", ""), "'", `"`)
			in = t == `if__name__=="__main__":` || t == `if"__main__"==__name__:`
		}
		inMain[n+1] = in
	}
	var out []listenSite
	for _, st := range sites {
		if st.line < 1 || st.line >= len(inMain) || !inMain[st.line] {
			out = append(out, st)
		}
	}
	return out
}
