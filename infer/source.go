package infer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Reading the port from a hand-written node server's own source:
// `app.listen(3000)`, `server.listen(port)` with `const port =
// process.env.PORT || 3000`, `.listen({ port: 4000 })`. The source is
// tokenized (strings, template literals, comments and regex literals are
// told apart from code), never matched with a regexp over raw text, and
// nothing is run. A port is taken only when exactly one listen site is
// found on the entry path (the entry file, then the local files it
// requires or imports, one level): several, or a computed port, infer
// nothing, and --explain lists what was seen. Dead code is out of reach.

// srcToken is one token of a source file (JavaScript, Python, Ruby).
type srcToken struct {
	kind byte // 'i' identifier or keyword, 'n' number, 's' string, 'p' punctuation
	text string
	line int
}

// jsTokens splits src into tokens, dropping comments and whitespace. A
// slash starts a regex literal where an expression may start (after an
// operator, an opening bracket, a comma, or a keyword such as return).
func jsTokens(src string) []srcToken {
	// Up to a token per three bytes of source: one allocation, not a
	// dozen re-growths, for a bundled entry file.
	out := make([]srcToken, 0, len(src)/3+16)
	line := 1
	regexAllowed := func() bool {
		if len(out) == 0 {
			return true
		}
		last := out[len(out)-1]
		switch last.kind {
		case 'n', 's':
			return false
		case 'i':
			return last.text == "return" || last.text == "typeof" || last.text == "case" || last.text == "in" || last.text == "of" || last.text == "new" || last.text == "delete" || last.text == "void"
		}
		return last.text != ")" && last.text != "]" && last.text != "}"
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return out
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case c == '\'' || c == '"':
			start, startLine := i, line
			i = quotedEnd(src, i, &line)
			out = append(out, srcToken{kind: 's', text: src[start:i], line: startLine})
		case c == '`':
			start, startLine := i, line
			i = templateEnd(src, i, &line, 0)
			out = append(out, srcToken{kind: 's', text: src[start:i], line: startLine})
		case c == '/' && regexAllowed():
			i++
			inClass := false
			for i < len(src) && src[i] != '\n' && (src[i] != '/' || inClass) {
				switch src[i] {
				case '\\':
					i++
				case '[':
					inClass = true
				case ']':
					inClass = false
				}
				i++
			}
			i++
			for i < len(src) && isIdentByte(src[i]) { // flags
				i++
			}
			out = append(out, srcToken{kind: 's', text: "/regex/", line: line})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isIdentByte(src[i]) || src[i] == '.') {
				i++
			}
			out = append(out, srcToken{kind: 'n', text: src[start:i], line: line})
		case isIdentByte(c) || c == '$':
			start := i
			for i < len(src) && (isIdentByte(src[i]) || src[i] == '$') {
				i++
			}
			out = append(out, srcToken{kind: 'i', text: src[start:i], line: line})
		default:
			// Two-character operators that matter here: || ?? ?.
			if i+1 < len(src) && (src[i:i+2] == "||" || src[i:i+2] == "??" || src[i:i+2] == "?.") {
				out = append(out, srcToken{kind: 'p', text: src[i : i+2], line: line})
				i += 2
				continue
			}
			out = append(out, srcToken{kind: 'p', text: src[i : i+1], line: line}) // a substring: no allocation
			i++
		}
	}
	return out
}

// quotedEnd returns the index just past the string literal whose quote is
// src[i] (JavaScript's and Ruby's: a backslash escapes the next byte, and
// the literal may span lines, counted into line), or len(src) when it is
// never closed.
func quotedEnd(src string, i int, line *int) int {
	q := src[i]
	for i++; i < len(src) && src[i] != q; i++ {
		if src[i] == '\\' {
			i++
		}
		if i < len(src) && src[i] == '\n' {
			*line++
		}
	}
	return min(i+1, len(src))
}

// templateEnd returns the index just past the template literal whose
// backquote is src[i]: its ${…} substitutions are code, which may hold
// strings and templates of their own (`${'`'}`), so they are skipped as
// code, nested up to a depth, not as text.
func templateEnd(src string, i int, line *int, depth int) int {
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
			if i < len(src) && src[i] == '\n' {
				*line++
			}
		case '\n':
			*line++
		case '`':
			return i + 1
		case '$':
			if i+1 < len(src) && src[i+1] == '{' && depth < 16 {
				i = substitutionEnd(src, i+2, line, depth+1) - 1
			}
		}
	}
	return len(src)
}

// substitutionEnd returns the index just past the } that closes a ${
// whose code starts at src[i].
func substitutionEnd(src string, i int, line *int, depth int) int {
	braces := 0
	for i < len(src) {
		switch c := src[i]; c {
		case '\'', '"':
			i = quotedEnd(src, i, line)
			continue
		case '`':
			i = templateEnd(src, i, line, depth)
			continue
		case '\n':
			*line++
		case '{':
			braces++
		case '}':
			if braces == 0 {
				return i + 1
			}
			braces--
		}
		i++
	}
	return len(src)
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// portExpr is what an expression says about a port: a literal, the PORT
// variable, or both (`process.env.PORT || 3000`: the variable, else the
// literal).
type portExpr struct {
	literal int
	env     string // the environment variable it reads first (PORT, API_PORT, …), if any
}

// join adds what a variable's value says: the variable it reads, and its
// literal. An expression reading two different variables is computed: which
// one a run takes depends on both.
func (e portExpr) join(v portExpr) (portExpr, bool) {
	if v.env != "" {
		if e.env != "" && e.env != v.env {
			return portExpr{}, false
		}
		e.env = v.env
	}
	if v.literal != 0 {
		e.literal = v.literal
	}
	return e, true
}

// readsEnv joins the variable name into e.
func (e portExpr) readsEnv(name string) (portExpr, bool) {
	return e.join(portExpr{env: name})
}

// envName is name when it is a plausible environment variable's name
// (letters, digits, underscores, not starting with a digit).
func envName(name string) (string, bool) {
	if name == "" || len(name) > 64 || name[0] >= '0' && name[0] <= '9' {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "", false
		}
	}
	return name, true
}

// unquote is the text of a string token without its quotes ('x' or "x").
func unquote(t srcToken) (string, bool) {
	if t.kind != 's' || len(t.text) < 2 || t.text[0] != t.text[len(t.text)-1] || t.text[0] != '"' && t.text[0] != '\'' {
		return "", false
	}
	return t.text[1 : len(t.text)-1], true
}

// listenSite is one .listen(…) call found in the source.
type listenSite struct {
	file string
	line int
	expr portExpr
	ok   bool   // the port could be read (a literal or PORT), not computed
	text string // the line, as --explain shows it
}

// withLines gives each site the text of its line in src, spaces collapsed
// and clipped: what --explain shows after "file:line:".
func withLines(sites []listenSite, src []byte) []listenSite {
	lines := strings.Split(string(src), "\n")
	for i := range sites {
		if n := sites[i].line; n >= 1 && n <= len(lines) {
			text := strings.Join(strings.Fields(lines[n-1]), " ")
			if r := []rune(text); len(r) > 80 {
				text = string(r[:79]) + "…"
			}
			sites[i].text = text
		}
	}
	return sites
}

// Bounds on reading a source file, whatever it holds: the sites counted
// (two already mean "no port"), the tokens of one argument, and the
// alternatives of one expression (PORT || 3000 has two).
const (
	maxSites        = 16
	maxArgTokens    = 2048
	maxAlternatives = 4
)

// jsServeDefaults are the runtimes' own servers, with the port each uses
// when its options name none: Bun.serve reads PORT, else 3000 (bun.sh
// docs, "Bun.serve": $BUN_PORT, $PORT, $NODE_PORT, else 3000; BUN_PORT and
// NODE_PORT are rare enough to leave out); Deno.serve 8000 and no
// variable (docs.deno.com, "HTTP Server").
func jsServeDefaults(runtime string) (portExpr, bool) {
	switch runtime {
	case "Bun":
		return portExpr{literal: 3000, env: "PORT"}, true
	case "Deno":
		return portExpr{literal: 8000}, true
	}
	return portExpr{}, false
}

// jsListenSites finds the .listen( calls of tokens, and Bun.serve( and
// Deno.serve(, and reads their port.
func jsListenSites(file string, toks []srcToken) []listenSite {
	var sites []listenSite
	vars := jsAssignments(toks)
	for i := 0; i+3 < len(toks) && len(sites) <= maxSites; i++ {
		if def, ok := jsServeDefaults(toks[i].text); ok && toks[i+1].text == "." && toks[i+2].text == "serve" && toks[i+3].text == "(" {
			sites = append(sites, jsServeSite(file, toks, i, def, vars))
			continue
		}
		if toks[i].text != "." || toks[i+1].text != "listen" || toks[i+2].text != "(" {
			continue
		}
		arg := toks[i+3 : jsArgEnd(toks, i+3)]
		e, ok := jsPortExpr(arg, vars, 0)
		sites = append(sites, listenSite{file: file, line: toks[i+1].line, expr: e, ok: ok})
	}
	return sites
}

// jsServeSite reads Bun.serve({ port, … }) or Deno.serve({ port }, handler)
// at toks[i]: the options object's port, else the runtime's default. An
// options object held in a variable, or spread from one, is computed.
func jsServeSite(file string, toks []srcToken, i int, def portExpr, vars assignments) listenSite {
	site := listenSite{file: file, line: toks[i].line}
	arg := toks[i+4 : i+4+jsArgEnd(toks[i+4:], 0)]
	if len(arg) == 0 || arg[0].text != "{" {
		// Deno.serve(handler): no options, the default port, when the
		// argument is plainly a function. A name may hold options
		// (Deno.serve(opts, handler)): computed.
		isHandler := len(arg) > 0 && (arg[0].text == "(" || arg[0].text == "function" || arg[0].text == "async")
		site.expr, site.ok = def, toks[i].text == "Deno" && isHandler
		return site
	}
	depth := 0
	for k := 0; k < len(arg); k++ {
		switch arg[k].text {
		case "{", "(", "[":
			depth++
		case "}", ")", "]":
			depth--
		case ".":
			if depth == 1 && k+2 < len(arg) && arg[k+1].text == "." && arg[k+2].text == "." {
				return site // { ...options }: computed
			}
		case "port", `"port"`, `'port'`:
			if depth == 1 && k+1 < len(arg) && (arg[k+1].text == "," || arg[k+1].text == "}") && arg[k].kind == 'i' {
				// { port, fetch }: the variable named port.
				site.expr, site.ok = jsPortExpr(arg[k:k+1], vars, 0)
				return site
			}
			if depth == 1 && k+1 < len(arg) && arg[k+1].text == ":" {
				if end := min(k+2+jsArgEnd(arg[k+2:], 0), len(arg)-1); end > k+2 {
					site.expr, site.ok = jsPortExpr(arg[k+2:end], vars, 0)
				}
				return site
			}
		}
	}
	site.expr, site.ok = def, true
	return site
}

// jsArgEnd is the index of the token ending the first argument at from:
// the "," or ")" at depth 0.
func jsArgEnd(toks []srcToken, from int) int {
	depth := 0
	// An argument longer than maxArgTokens is computed anyway: the bound
	// keeps a file of a million unclosed calls from costing n² steps.
	for j := from; j < len(toks); j++ {
		if j-from > maxArgTokens {
			return j
		}
		switch toks[j].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return j
			}
			depth--
		case ",":
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// jsPortExpr reads a port expression: N, process.env.PORT, either joined
// by || or ??, Number(…)/parseInt(…) around them, { port: … }, or a
// variable that one of those was assigned to.
func jsPortExpr(e []srcToken, vars assignments, depth int) (portExpr, bool) {
	if depth > 4 || len(e) == 0 {
		return portExpr{}, false
	}
	var out portExpr
	parts := jsSplit(e, "||", "??")
	if len(parts) > maxAlternatives {
		return portExpr{}, false
	}
	for _, part := range parts {
		part = jsUnwrap(part)
		switch {
		case len(part) > 1 && len(jsSplit(part, "||", "??")) > 1:
			// Number(process.env.X || 3000): the alternatives were inside
			v, ok := jsPortExpr(part, vars, depth+1)
			if !ok {
				return portExpr{}, false
			}
			if out, ok = out.join(v); !ok {
				return portExpr{}, false
			}
		case len(part) == 1 && (part[0].kind == 'n' || part[0].kind == 's'):
			// 3000, or '3000' (parseInt(process.env.X ?? '3000', 10))
			text := part[0].text
			if part[0].kind == 's' {
				text, _ = unquote(part[0])
			}
			n, err := strconv.Atoi(text)
			if err != nil || n < 1 || n > 65535 || out.literal != 0 {
				return portExpr{}, false
			}
			out.literal = n
		case jsEnvVar(part) != "":
			var ok bool
			if out, ok = out.readsEnv(jsEnvVar(part)); !ok {
				return portExpr{}, false
			}
		case len(part) >= 2 && part[0].text == "{":
			// { port: N, host: … }: the object's own key, not a nested
			// one's ({ db: { port: 5432 } } has none).
			level := 0
			for k := 1; k+2 < len(part); k++ {
				switch part[k].text {
				case "{", "(", "[":
					level++
				case "}", ")", "]":
					level--
				}
				if level == 0 && part[k].text == "port" && part[k+1].text == ":" {
					end := k + 2 + jsArgEnd(part[k+2:], 0)
					return jsPortExpr(part[k+2:min(end, len(part)-1)], vars, depth+1)
				}
			}
			return portExpr{}, false
		case len(part) == 1 && part[0].kind == 'i':
			v, ok := vars.through(part[0].text, depth, jsPortExpr)
			if !ok {
				return portExpr{}, false
			}
			if out, ok = out.join(v); !ok {
				return portExpr{}, false
			}
		case len(part) == 3 && part[0].kind == 'i' && part[1].text == "." && part[2].text == "port":
			// config.port, where config was assigned an object once and
			// its port is never written (config.port = argv[2])
			value, found := vars.lookup(part[0].text)
			if _, written := vars[part[0].text+".port"]; written || !found || len(value) < 2 || value[0].text != "{" {
				return portExpr{}, false
			}
			v, ok := jsPortExpr(value, vars, depth+1)
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

// jsSplit splits e at the operators ops at depth 0.
func jsSplit(e []srcToken, ops ...string) [][]srcToken {
	return splitAt(e, func(t srcToken) bool { return t.kind == 'p' && slices.Contains(ops, t.text) })
}

// splitAt splits e at the tokens at depth 0 (outside brackets) that sep
// accepts.
func splitAt(e []srcToken, sep func(srcToken) bool) [][]srcToken {
	var parts [][]srcToken
	depth, start := 0, 0
	for j, t := range e {
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		}
		if depth == 0 && sep(t) {
			parts = append(parts, e[start:j])
			start = j + 1
		}
	}
	return append(parts, e[start:])
}

// jsUnwrap drops Number( … ), parseInt( … , 10), +( … ) and parentheses.
func jsUnwrap(e []srcToken) []srcToken {
	for {
		switch {
		case len(e) >= 3 && (e[0].text == "Number" || e[0].text == "parseInt") && e[1].text == "(" && e[len(e)-1].text == ")" && pyCallEnd(e[2:]) == len(e)-3:
			inner := e[2 : len(e)-1]
			e = inner[:jsArgEnd(inner, 0)]
		case len(e) >= 2 && e[0].text == "(" && e[len(e)-1].text == ")" && pyCallEnd(e[1:]) == len(e)-2:
			e = e[1 : len(e)-1]
		case len(e) >= 2 && e[0].text == "+":
			e = e[1:]
		default:
			return e
		}
	}
}

// jsEnvVar is the variable a read of the environment names:
// process.env.NAME (process.env["NAME"], process.env?.NAME), or Deno's
// Deno.env.get("NAME"); "" for anything else.
func jsEnvVar(e []srcToken) string {
	var b strings.Builder
	for _, t := range e {
		b.WriteString(t.text)
	}
	s := b.String()
	for _, prefix := range []string{"process.env.", "process.env?.", "process.env[", "Deno.env.get("} {
		rest, ok := strings.CutPrefix(s, prefix)
		if !ok {
			continue
		}
		if prefix == "process.env[" || prefix == "Deno.env.get(" {
			closing := "]"
			if prefix == "Deno.env.get(" {
				closing = ")"
			}
			inner, ok := strings.CutSuffix(rest, closing)
			if !ok || len(inner) < 2 || inner[0] != inner[len(inner)-1] || inner[0] != '"' && inner[0] != '\'' {
				return ""
			}
			rest = inner[1 : len(inner)-1]
		}
		if name, ok := envName(rest); ok {
			return name
		}
	}
	return ""
}

// assignments index a source file's assignments by name, built in one
// pass: a name assigned once has its value; one assigned more often (or
// changed with +=) counts as computed.
type assignments map[string]assigned

type assigned struct {
	value []srcToken
	n     int
}

// lookup is the value of name when it is assigned exactly once.
func (a assignments) lookup(name string) ([]srcToken, bool) {
	v, ok := a[name]
	return v.value, ok && v.n == 1
}

// through reads, with the language's own reader, the port expression
// name was assigned once; a name assigned otherwise is computed.
func (a assignments) through(name string, depth int, read func([]srcToken, assignments, int) (portExpr, bool)) (portExpr, bool) {
	value, found := a.lookup(name)
	if !found {
		return portExpr{}, false
	}
	return read(value, a, depth+1)
}

func (a assignments) add(name string, value []srcToken) {
	v := a[name]
	a[name] = assigned{value: value, n: v.n + 1}
}

// restOfStatement is toks from start to the end of its line or a ";".
func restOfStatement(toks []srcToken, start int) []srcToken {
	end := start
	for end < len(toks) && toks[end].text != ";" && toks[end].line == toks[start].line {
		end++
	}
	return toks[start:end]
}

// jsAssignments indexes `const|let|var NAME = EXPR`, and counts every
// other `NAME = …` and `NAME op= …` as one more assignment.
func jsAssignments(toks []srcToken) assignments {
	a := assignments{}
	for i := 0; i+2 < len(toks); i++ {
		t := toks[i]
		switch {
		case (t.text == "const" || t.text == "let" || t.text == "var") && toks[i+1].kind == 'i' && toks[i+2].text == "=":
			a.add(toks[i+1].text, restOfStatement(toks, i+3))
			i += 2
		case (t.text == "const" || t.text == "let" || t.text == "var") && toks[i+1].kind == 'i' && toks[i+2].text == ":":
			// TypeScript: const port: number = …, a simple type (a name,
			// or names joined by |) before the "=".
			j := i + 3
			for j+1 < len(toks) && toks[j].kind == 'i' && toks[j+1].text == "|" {
				j += 2
			}
			if j+1 < len(toks) && toks[j].kind == 'i' && toks[j+1].text == "=" {
				a.add(toks[i+1].text, restOfStatement(toks, j+2))
				i = j + 1
			}
		case t.kind == 'i' && (i == 0 || toks[i-1].text != ".") && toks[i+1].text == "=" && toks[i+2].text != "=" && toks[i+2].text != ">":
			a.add(t.text, nil) // a reassignment: computed
		case t.kind == 'i' && (i == 0 || toks[i-1].text != ".") && toks[i+1].text == "." && i+4 < len(toks) && toks[i+2].kind == 'i' && toks[i+3].text == "=" && toks[i+4].text != "=" && toks[i+4].text != ">":
			a.add(t.text+"."+toks[i+2].text, nil) // config.port = …: the field is written
		case t.kind == 'i' && strings.Contains("+-*/|&?", toks[i+1].text) && toks[i+1].kind == 'p' && toks[i+2].text == "=" && (i+3 >= len(toks) || toks[i+3].text != "="):
			a.add(t.text, nil)
		}
	}
	return a
}

// jsLocalImports are the relative files a source requires or imports.
func jsLocalImports(toks []srcToken) []string {
	var out []string
	for i, t := range toks {
		if t.kind != 's' || len(t.text) < 3 {
			continue
		}
		spec := t.text[1 : len(t.text)-1]
		if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
			continue
		}
		prev := ""
		if i >= 2 {
			prev = toks[i-2].text + toks[i-1].text
		}
		if prev == "require(" || i >= 1 && toks[i-1].text == "from" || i >= 1 && toks[i-1].text == "import" {
			out = append(out, spec)
		}
	}
	return out
}

// jsLoadsDotenv: the source loads .env itself (dotenv).
func jsLoadsDotenv(toks []srcToken) bool {
	for _, t := range toks {
		if t.kind == 's' && (strings.Contains(t.text, "'dotenv") || strings.Contains(t.text, `"dotenv`)) {
			return true
		}
	}
	return false
}

// resolveJS finds the file node loads for spec, relative to dir: the file,
// or with node's extensions, or for a directory its package.json "main"
// (resolved the same way), else its index file.
func (w *walker) resolveJS(dir, spec string) string {
	base := join(dir, spec)
	if st, err := os.Stat(base); err == nil && st.IsDir() {
		if pkg, ok := w.readPackage(base); ok && pkg.Main != "" {
			if f := jsFile(join(base, pkg.Main)); f != "" {
				return f
			}
		}
		return jsFile(filepath.Join(base, "index"))
	}
	return jsFile(base)
}

// jsFile is the first of base and base with node's (and the TypeScript
// runners') extensions that is a file.
func jsFile(base string) string {
	return firstFile(base, base+".js", base+".mjs", base+".cjs", base+".ts", base+".mts", base+".tsx", filepath.Join(base, "index.js"), filepath.Join(base, "index.ts"))
}

// nodeScript is the script argument of node, nodemon or node --watch:
// the first argument that is not an option or an option's value.
func nodeScript(name string, args []string) (string, bool) {
	values := "-r --require --import --loader --experimental-loader -C --conditions --inspect-port --env-file --env-file-if-exists"
	switch name {
	case "nodemon":
		values = "-w --watch -e --ext -x --exec -i --ignore --delay -V --signal --config"
	case "bun":
		values = "--cwd -r --preload --config -c --env-file --tsconfig-override"
	case "deno":
		// --env-file takes its file only as --env-file=FILE (alone it
		// is .env), so it is not among them.
		values = "-c --config --import-map --lock --cert --location --seed --ext --preload --import --require --conditions --minimum-dependency-age"
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-e" && name != "nodemon", a == "--eval", a == "-p", a == "--print", a == "--":
			return "", false // code on the command line, not a file
		case inSet(values, a):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a, true
		}
	}
	return "", false
}

// nodeEnvFiles are the files of node's --env-file and --env-file-if-exists
// options, in their order, up to the script. deno's --env-file (and its
// alias --env) takes a file only after "=", and alone loads .env.
func nodeEnvFiles(name string, args []string) []string {
	var files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case name == "deno" && (a == "--env-file" || a == "--env"):
			files = append(files, ".env")
		case name == "deno" && strings.HasPrefix(a, "--env="):
			files = append(files, strings.TrimPrefix(a, "--env="))
		case a == "--env-file" || a == "--env-file-if-exists":
			if i+1 < len(args) {
				files = append(files, args[i+1])
			}
			i++
		case strings.HasPrefix(a, "--env-file="):
			files = append(files, strings.TrimPrefix(a, "--env-file="))
		case strings.HasPrefix(a, "--env-file-if-exists="):
			files = append(files, strings.TrimPrefix(a, "--env-file-if-exists="))
		case !strings.HasPrefix(a, "-"):
			return files
		}
	}
	return files
}

// nodeSource infers the port of `node FILE` from FILE's source. It reports
// whether it added a port.
func (w *walker) nodeSource(s scope, name string, args []string) bool {
	if name == "tsx" && len(args) > 0 && args[0] == "watch" {
		args = args[1:] // tsx watch FILE runs FILE, again on each change
	}
	script, ok := nodeScript(name, args)
	if !ok && name == "nodemon" && len(args) == 0 {
		script, ok = ".", true // nodemon alone runs the package's main
	}
	if !ok {
		return false
	}
	entry := w.resolveJS(s.dir, script)
	if entry == "" {
		return false
	}
	b, ok := w.read(entry)
	if !ok {
		return false
	}
	toks := jsTokens(string(b))
	sites := withLines(jsListenSites(entry, toks), b)
	dotenv := jsLoadsDotenv(toks) || strings.Contains(strings.Join(args, " "), "dotenv/config")
	if len(sites) == 0 {
		// Where the server is created: the local files the entry
		// requires, one level.
		for _, spec := range jsLocalImports(toks) {
			if f := w.resolveJS(filepath.Dir(entry), spec); f != "" && w.first("source "+f) {
				if b, ok := w.read(f); ok {
					sub := jsTokens(string(b))
					sites = append(sites, withLines(jsListenSites(f, sub), b)...)
					dotenv = dotenv || jsLoadsDotenv(sub)
				}
			}
		}
	}
	return w.sourcePort(s, sites, dotenv, nodeEnvFiles(name, args))
}

// sourcePort turns the listen sites found on a server's entry path into
// its port: exactly one site whose port could be read. PORT, where the
// site reads it, wins over the literal, from the environment, the command
// line, or the .env the app loads itself (dotenv). It reports whether it
// decided anything (a port, or a note saying why there is none).
func (w *walker) sourcePort(s scope, sites []listenSite, dotenv bool, envFiles []string) bool {
	switch {
	case len(sites) == 0:
		return false
	case len(sites) > 1:
		var at []string
		for _, st := range sites {
			at = append(at, fmt.Sprintf("%s:%d", w.rel(st.file), st.line))
		}
		w.noteSites(at)
		return true
	case !sites[0].ok:
		w.note("no port from the source: %s:%d listens on a port computed at run time", w.rel(sites[0].file), sites[0].line)
		return true
	}
	site := sites[0]
	where := fmt.Sprintf("%s:%d", w.rel(site.file), site.line)
	if site.text != "" {
		where += ": " + site.text
	}
	if name := site.expr.env; name != "" {
		v, from := s.env[name], name+" in the environment"
		if _, set := s.set[name]; set {
			from = name + " set on the command line"
		}
		if v == "" {
			// node --env-file=F: the file's variables, where the
			// environment has none; a later file wins over an earlier one.
			for _, f := range envFiles {
				if vars, ok := w.dotenv(join(s.dir, f)); ok && vars[name] != "" {
					v, from = vars[name], name+" in "+w.rel(join(s.dir, f))+" (node --env-file)"
				}
			}
		}
		if v == "" && dotenv {
			if vars, ok := w.dotenv(filepath.Join(s.dir, ".env")); ok && vars[name] != "" {
				v, from = vars[name], name+" in ./.env, which the app loads with dotenv"
			}
		}
		return w.envOrFallback(s, name, v, from, site.expr.literal, where)
	}
	if site.expr.literal != 0 {
		w.addMovable(s, site.expr.literal, where, nil)
		return true
	}
	return false
}

// envOrFallback decides a port read as "the variable name, else the
// literal fallback" (process.env.X || N, os.getenv("X", N), Go's if-empty
// shape, a config's Number(process.env.X) || N): the variable's value
// where it holds a port (value, found where from says), a note where it
// holds something a tool would read otherwise, else the fallback, if
// any. The variable moves the port either way (--next-free). It reports
// whether it decided.
func (w *walker) envOrFallback(s scope, name, value, from string, fallback int, where string) bool {
	if p, ok := parseEnvPort(value); ok {
		w.addMovable(s, p, fmt.Sprintf("%s, read by %s", from, where), envMove(s, name))
		return true
	}
	if why := envPortProblem(name, value); why != "" {
		w.note("%s (%s)", why, from)
		return true
	}
	if fallback == 0 {
		return false
	}
	w.addMovable(s, fallback, fmt.Sprintf("%s (%s is not set)", where, name), envMove(s, name))
	return true
}

// noteSites says that several listen sites were found, and where: which
// one listens cannot be told from the source, so no port is inferred.
func (w *walker) noteSites(at []string) {
	if len(at) > maxSites { // the readers stop one past the limit
		w.note("no port from the source: more than %d listen sites (%s, …)", maxSites, strings.Join(at[:maxSites], ", "))
		return
	}
	w.note("no port from the source: %d listen sites (%s)", len(at), strings.Join(at, ", "))
}
