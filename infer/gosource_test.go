package infer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// The token reader finds the calls (up to one past maxSites) and constants
// go/parser's syntax tree has, at the same lines, and refuses the files it
// refuses, on the Go tree's own sources:
// about 1,800 files and 1,100 calls of Run, Start, Listen and
// ListenAndServe. astListenCalls is the reader goRun had before.
func TestGoReaderAgreesWithGoParser(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "net", "*", "*.go"))
	more, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "*", "*.go"))
	files = append(files, more...)
	if len(files) < 50 {
		t.Skipf("the Go tree's sources are not here (%d files)", len(files))
	}
	calls := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.SkipObjectResolution)
		toks, ok := goTokens(src)
		if ok != (err == nil) {
			t.Errorf("%s: go/parser: %v; token reader reads it: %v", f, err, ok)
			continue
		}
		if !ok {
			continue
		}
		want, got := astListenCalls(file, src), goListenCalls(toks)
		consts := goStringConsts(toks)
		wantConsts := astStringConsts(file)
		if !maps2Equal(consts, wantConsts) {
			t.Errorf("%s: constants %v, go/parser %v", f, consts, wantConsts)
		}
		if len(got) != min(len(want), maxSites+1) {
			t.Errorf("%s: %d listen calls, go/parser %d (the reader stops at %d)", f, len(got), len(want), maxSites)
			continue
		}
		for i := range got {
			calls++
			if g, w := goAddrPort(got[i].addr, consts), want[i].port; got[i].line != want[i].line || g != w {
				t.Errorf("%s: call at line %d port %d; go/parser line %d port %d", f, got[i].line, g, want[i].line, w)
			}
		}
	}
	t.Logf("%d files, %d listen calls", len(files), calls)
}

type astCall struct{ line, port int }

// astListenCalls is what goRun read with go/parser before the token reader.
func astListenCalls(file *ast.File, src []byte) []astCall {
	fset := token.NewFileSet()
	tf := fset.AddFile("", -1, len(src))
	tf.SetLinesForContent(src)
	consts := astStringConsts(file)
	var calls []astCall
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
		if at < 0 {
			at = len(call.Args) - 1
			if len(call.Args) == 2 {
				at = 1
			}
		}
		if at < 0 || at >= len(call.Args) {
			return true
		}
		port := 0
		var addr string
		switch v := call.Args[at].(type) {
		case *ast.BasicLit:
			if v.Kind == token.STRING {
				addr, _ = strconv.Unquote(v.Value)
			}
		case *ast.Ident:
			addr = consts[v.Name]
		}
		if addr != "" {
			port = goAddrPort([]goToken{{tok: token.STRING, lit: strconv.Quote(addr)}}, nil)
		}
		calls = append(calls, astCall{line: lineOf(src, int(call.Pos()-file.FileStart)), port: port})
		return true
	})
	slices.SortStableFunc(calls, func(a, b astCall) int { return a.line - b.line })
	return calls
}

func lineOf(src []byte, offset int) int {
	line := 1
	for _, c := range src[:offset] {
		if c == '\n' {
			line++
		}
	}
	return line
}

func astStringConsts(file *ast.File) map[string]string {
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

func maps2Equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A call starts where its receiver does, as go/parser has it, when the
// receiver is a call, an index or a composite literal over several lines.
func TestGoCallStartsWithItsReceiver(t *testing.T) {
	for _, body := range []string{
		"log.Fatal(newServer(\n\t\tcfg,\n\t).Run(\":8080\"))",
		"gin.\n\t\tDefault().\n\t\tRun(\":8100\")",
		"(&App{\n\t\tName: \"x\",\n\t}).Run(\":8085\")",
		"App{\n\t\tName: \"x\",\n\t}.Run(\":8086\")",
		"servers[\n\t\t0].Start(\":8087\")",
		"pkg.New[int](\n\t\topts,\n\t).Listen(\"tcp\", \":8088\")",
	} {
		src := []byte("package main\n\nfunc main() {\n\t" + body + "\n}\n")
		file, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		toks, ok := goTokens(src)
		want, got := astListenCalls(file, src), goListenCalls(toks)
		if !ok || len(got) != 1 || len(want) != 1 || got[0].line != want[0].line {
			t.Errorf("%q: lines %+v, go/parser %+v", body, got, want)
		}
	}
}
