package infer

import (
	"fmt"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// goListenFuncs are the calls whose argument is the address a Go server
// listens on: net/http, net, and the frameworks' own (echo's e.Start,
// gin's r.Run, fiber's app.Listen). The address is a string literal
// ":8080" or "127.0.0.1:8080", or a constant declared with one.
func goListenFuncs(name string) (addrArg int, ok bool) {
	switch name {
	case "ListenAndServe", "ListenAndServeTLS", "Start", "Run":
		return 0, true
	case "Listen":
		return -1, true // the last argument
	}
	return 0, false
}

// goRun infers the port of `go run PKG|FILES` from the package's source,
// read with go/scanner: exactly one listen site with a literal address.
func (w *walker) goRun(s scope, args []string) bool {
	var targets []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") {
			if inSet("-C -exec -tags -ldflags -gcflags -mod -o -p", a) {
				i++
			}
			continue
		}
		targets = append(targets, a)
		if !strings.HasSuffix(a, ".go") {
			break // the package; what follows is the program's arguments
		}
	}
	if len(targets) == 0 {
		return false
	}
	var files []string
	if strings.HasSuffix(targets[0], ".go") {
		for _, t := range targets {
			files = append(files, join(s.dir, t))
		}
	} else {
		dir := join(s.dir, targets[0])
		entries, err := os.ReadDir(dir)
		if err != nil {
			return false
		}
		for _, e := range entries {
			if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && len(files) < 200 {
				files = append(files, filepath.Join(dir, n))
			}
		}
	}
	type site struct {
		where string
		port  int
		env   string // the variable the port is read from, port its fallback
		text  string // the line, as --explain shows it
	}
	var sites []site
	for _, f := range files {
		b, ok := w.read(f)
		if !ok || tooDeep(string(b)) {
			continue
		}
		toks, ok := goTokens(b)
		if !ok {
			continue
		}
		consts := goStringConsts(toks)
		calls := goListenCalls(toks)
		lines := make([]listenSite, len(calls))
		for i, c := range calls {
			lines[i].line = c.line
		}
		lines = withLines(lines, b) // one pass over the file for all its sites
		for i, c := range calls {
			st := site{where: fmt.Sprintf("%s:%d", w.rel(f), c.line), port: goAddrPort(c.addr, consts), text: lines[i].text}
			if st.port == 0 {
				if e, ok := goEnvAddr(c.addr, toks); ok {
					st.port, st.env = e.literal, e.env
				}
			}
			sites = append(sites, st)
		}
		if len(sites) > maxSites {
			break
		}
	}
	switch {
	case len(sites) == 0:
		return false
	case len(sites) > 1:
		var at []string
		for _, st := range sites {
			at = append(at, st.where)
		}
		w.noteSites(at)
	case sites[0].port == 0:
		w.note("no port from the source: %s listens on an address computed at run time", sites[0].where)
	case sites[0].env != "":
		name := sites[0].env
		w.envOrFallback(s, name, s.env[name], name+" in the environment", sites[0].port, sites[0].where+": "+sites[0].text)
	default:
		w.add(s, sites[0].port, sites[0].where+": "+sites[0].text)
	}
	return true
}

// goEnvAddr reads the one shape of a computed address that is the
// convention for Go servers (Cloud Run's and Heroku's samples):
//
//	port := os.Getenv("PORT")
//	if port == "" {
//		port = "8080"
//	}
//	http.ListenAndServe(":"+port, nil)
//
// The variable is assigned exactly those two times in the file; any other
// shape is computed.
func goEnvAddr(arg []goToken, toks []goToken) (portExpr, bool) {
	if len(arg) != 3 || arg[0].tok != token.STRING || arg[1].tok != token.ADD || arg[2].tok != token.IDENT {
		return portExpr{}, false
	}
	if host, err := strconv.Unquote(arg[0].lit); err != nil || !strings.HasSuffix(host, ":") {
		return portExpr{}, false
	}
	name := arg[2].lit
	var env string
	var fallback, assignments int
	lit := func(t goToken, want token.Token) (string, bool) {
		if t.tok != want {
			return "", false
		}
		v, err := strconv.Unquote(t.lit)
		return v, err == nil
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].tok == token.IDENT && toks[i].lit == name && i > 0 && toks[i-1].tok == token.AND {
			return portExpr{}, false // &port: written through a pointer (flag.StringVar)
		}
		if toks[i].tok != token.IDENT || toks[i].lit != name || (toks[i+1].tok != token.DEFINE && toks[i+1].tok != token.ASSIGN) {
			continue
		}
		if i > 0 && toks[i-1].tok == token.PERIOD {
			continue // a field of that name
		}
		assignments++
		rest := toks[i+2:]
		switch {
		case len(rest) >= 6 && rest[0].lit == "os" && rest[1].tok == token.PERIOD && rest[2].lit == "Getenv" && rest[3].tok == token.LPAREN && rest[5].tok == token.RPAREN:
			if v, ok := lit(rest[4], token.STRING); ok {
				env, _ = envName(v)
			}
		case len(rest) >= 1 && i >= 5 && toks[i-1].tok == token.LBRACE && toks[i-2].tok == token.STRING && toks[i-3].tok == token.EQL && toks[i-4].lit == name && toks[i-5].tok == token.IF:
			// if port == "" { port = "8080" }
			if empty, ok := lit(toks[i-2], token.STRING); ok && empty == "" {
				if v, ok := lit(rest[0], token.STRING); ok {
					if p, ok := parsePort(v); ok {
						fallback = p
					}
				}
			}
		}
	}
	if assignments != 2 || env == "" || fallback == 0 {
		return portExpr{}, false
	}
	return portExpr{literal: fallback, env: env}, true
}

// goToken is one token of a Go file, as go/scanner reads it. For a
// bracket, pair is how far its partner is (forward from an opening one,
// backward from a closing one), so that a group is skipped in one step.
type goToken struct {
	tok  token.Token
	lit  string
	line int
	pair int
}

// goTokens is a Go file's tokens, comments left out; ok is false when the
// file is not one: a lexical error, brackets that do not pair, no package
// clause, or a top-level statement that is not a declaration. The scanner
// reads strings, runes and comments as the compiler does, so a call in a
// comment or a string is never taken for one. No syntax tree is built,
// because the reader needs only calls and declarations, and go/parser's
// would double what portguard links; a syntax error inside a function
// (a missing comma) is not seen, where go/parser would refuse the file.
func goTokens(src []byte) (toks []goToken, ok bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var sc scanner.Scanner
	failed := false
	sc.Init(file, src, func(token.Position, string) { failed = true }, 0)
	var open []int // indexes of the brackets not closed yet
	partner := map[token.Token]token.Token{token.RPAREN: token.LPAREN, token.RBRACE: token.LBRACE, token.RBRACK: token.LBRACK}
	statement := true // the next token begins a top-level statement
	for !failed {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			return toks, len(open) == 0 && len(toks) > 0
		}
		i := len(toks)
		toks = append(toks, goToken{tok: tok, lit: lit, line: file.Line(pos)})
		switch {
		case i == 0 && tok != token.PACKAGE, i == 1 && tok != token.IDENT:
			return nil, false
		case statement && len(open) == 0 && i > 1 && tok != token.SEMICOLON:
			if tok != token.IMPORT && tok != token.CONST && tok != token.VAR && tok != token.TYPE && tok != token.FUNC {
				return nil, false
			}
		}
		statement = len(open) == 0 && tok == token.SEMICOLON
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			open = append(open, i)
		case token.RPAREN, token.RBRACE, token.RBRACK:
			if len(open) == 0 || toks[open[len(open)-1]].tok != partner[tok] {
				return nil, false
			}
			o := open[len(open)-1]
			open = open[:len(open)-1]
			toks[o].pair, toks[i].pair = i-o, o-i
		}
	}
	return nil, false
}

// goCall is a call of a listen function: the line it starts on and the
// tokens of its address argument.
type goCall struct {
	line int
	addr []goToken
}

// goListenCalls finds the calls X.F(args) of the listen functions.
func goListenCalls(toks []goToken) []goCall {
	var calls []goCall
	for i := 2; i+1 < len(toks); i++ {
		t := toks[i]
		if t.tok != token.IDENT || toks[i-1].tok != token.PERIOD || toks[i+1].tok != token.LPAREN {
			continue
		}
		at, ok := goListenFuncs(t.lit)
		if !ok {
			continue
		}
		args := goSplit(toks[i+2:i+1+toks[i+1].pair], token.COMMA)
		if at < 0 { // net.Listen("tcp", addr), fiber's app.Listen(addr)
			at = len(args) - 1
			if len(args) == 2 {
				at = 1
			}
		}
		if at < 0 || at >= len(args) {
			continue
		}
		calls = append(calls, goCall{line: toks[goReceiver(toks, i-2)].line, addr: args[at]})
		if len(calls) > maxSites {
			break // enough to say there are more than maxSites
		}
	}
	return calls
}

// goReceiver is where the receiver that ends at toks[end] begins, which
// is where go/parser starts the call: http in http.ListenAndServe, srv in
// srv.Server.ListenAndServe, newServer in newServer(cfg).Run, App in
// App{…}.Run.
func goReceiver(toks []goToken, end int) int {
	start := end
	for start > 0 {
		switch t := toks[start]; {
		case t.pair < 0: // the group it closes, and the name or group before it
			open := start + t.pair
			if open > 0 && (toks[open-1].tok == token.IDENT || toks[open-1].pair < 0) {
				start = open - 1
				continue
			}
			return open
		case t.tok == token.IDENT && start >= 2 && toks[start-1].tok == token.PERIOD:
			start -= 2
			continue
		}
		return start
	}
	return start
}

// goSplit splits toks at each sep outside brackets, stepping over each
// group at once. Empty parts (a trailing comma, blank lines' semicolons)
// are left out.
func goSplit(toks []goToken, sep token.Token) [][]goToken {
	var parts [][]goToken
	from := 0
	for i := 0; i < len(toks); i++ {
		switch t := toks[i]; {
		case t.pair > 0:
			i += t.pair
		case t.tok == sep:
			if i > from {
				parts = append(parts, toks[from:i])
			}
			from = i + 1
		}
	}
	if len(toks) > from {
		parts = append(parts, toks[from:])
	}
	return parts
}

// goStringConsts are the file's top-level string constants and variables
// declared with a literal, by name; a name declared twice is left out.
func goStringConsts(toks []goToken) map[string]string {
	out := map[string]string{}
	seen := map[string]int{}
	for i := 0; i < len(toks); i++ {
		if toks[i].pair > 0 {
			i += toks[i].pair // a function's body, a type's fields: not the file's
			continue
		}
		if (toks[i].tok != token.CONST && toks[i].tok != token.VAR) || i+1 == len(toks) {
			continue
		}
		var specs [][]goToken
		if toks[i+1].tok == token.LPAREN { // const ( a = ":1"; b = ":2" )
			end := i + 1 + toks[i+1].pair
			specs = goSplit(toks[i+2:end], token.SEMICOLON)
			i = end
		} else {
			end := i + 1
			for ; end < len(toks) && toks[end].tok != token.SEMICOLON; end++ {
				if toks[end].pair > 0 {
					end += toks[end].pair
				}
			}
			specs = [][]goToken{toks[i+1 : min(end, len(toks))]}
			i = end
		}
		for _, spec := range specs {
			names, values := goSpec(spec)
			if len(names) != len(values) {
				continue // no values (iota's repeats), or a call returning several
			}
			for k, name := range names {
				seen[name]++
				if v := values[k]; len(v) == 1 && v[0].tok == token.STRING {
					if text, err := strconv.Unquote(v[0].lit); err == nil {
						out[name] = text
					}
				}
			}
		}
	}
	for name, n := range seen {
		if n > 1 {
			delete(out, name)
		}
	}
	return out
}

// goSpec reads one spec of a declaration, "a, b T = x, y": its names and
// the tokens of each value.
func goSpec(spec []goToken) (names []string, values [][]goToken) {
	i := 0
	for i < len(spec) && spec[i].tok == token.IDENT {
		names = append(names, spec[i].lit)
		if i++; i < len(spec) && spec[i].tok == token.COMMA {
			i++
			continue
		}
		break
	}
	for ; i < len(spec); i++ { // past the type, to "="
		if spec[i].pair > 0 {
			i += spec[i].pair
		} else if spec[i].tok == token.ASSIGN {
			return names, goSplit(spec[i+1:], token.COMMA)
		}
	}
	return names, nil
}

// goAddrPort reads the port of an address argument: ":8080",
// "127.0.0.1:8080", or a constant holding one; 0 when computed.
func goAddrPort(arg []goToken, consts map[string]string) int {
	if len(arg) != 1 {
		return 0
	}
	var addr string
	switch arg[0].tok {
	case token.STRING:
		addr, _ = strconv.Unquote(arg[0].lit)
	case token.IDENT:
		addr = consts[arg[0].lit]
	default:
		return 0
	}
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return 0
	}
	p, ok := parsePort(addr[i+1:])
	if !ok || slices.Contains([]string{"0"}, addr[i+1:]) {
		return 0
	}
	return p
}
