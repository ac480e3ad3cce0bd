package infer

import (
	"fmt"
	"go/ast"
	"go/parser"
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
// read with go/parser: exactly one listen site with a literal address.
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
		text  string // the line, as --explain shows it
	}
	var sites []site
	fset := token.NewFileSet()
	for _, f := range files {
		b, ok := w.read(f)
		if !ok || tooDeep(string(b)) {
			continue
		}
		file, err := parser.ParseFile(fset, f, b, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		consts := goStringConsts(file)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			at, ok := goListenFuncs(sel.Sel.Name)
			if !ok {
				return true
			}
			if at < 0 { // net.Listen("tcp", addr), fiber's app.Listen(addr)
				at = len(call.Args) - 1
				if len(call.Args) == 2 {
					at = 1
				}
			}
			if at >= len(call.Args) {
				return true
			}
			where := fmt.Sprintf("%s:%d", w.rel(f), fset.Position(call.Pos()).Line)
			line := withLines([]listenSite{{line: fset.Position(call.Pos()).Line}}, b)[0].text
			sites = append(sites, site{where: where, port: goAddrPort(call.Args[at], consts), text: line})
			return true
		})
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
	default:
		w.add(s, sites[0].port, sites[0].where+": "+sites[0].text)
	}
	return true
}

// goStringConsts are the file's string constants and variables declared
// with a literal, by name.
func goStringConsts(file *ast.File) map[string]string {
	out := map[string]string{}
	seen := map[string]int{}
	for _, d := range file.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || (g.Tok != token.CONST && g.Tok != token.VAR) {
			continue
		}
		for _, spec := range g.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok || len(vs.Names) != len(vs.Values) {
				continue
			}
			for i, name := range vs.Names {
				seen[name.Name]++
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if v, err := strconv.Unquote(lit.Value); err == nil {
						out[name.Name] = v
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

// goAddrPort reads the port of an address expression: ":8080",
// "127.0.0.1:8080", or a constant holding one; 0 when computed.
func goAddrPort(e ast.Expr, consts map[string]string) int {
	var addr string
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return 0
		}
		addr, _ = strconv.Unquote(v.Value)
	case *ast.Ident:
		addr = consts[v.Name]
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
