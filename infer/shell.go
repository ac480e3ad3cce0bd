package infer

import (
	"errors"
	"io"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// shellScript finds the script of `sh -c SCRIPT`, also spelled -lc, -ec,
// -ic and so on.
func shellScript(args []string) (string, bool) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") || a == "--" {
			return "", false
		}
		if !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'c') && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// script infers the ports of a shell script (a package.json script, a
// `sh -c` string, a concurrently argument), parsed as POSIX shell text.
// What runs in sequence sees the effects of what came before: `cd web &&
// npm run dev` looks for web/package.json.
func (w *walker) script(s scope, src string) scope {
	if tooDeep(src) {
		w.note("skipped a script nested more than %d levels deep", maxNesting)
		return s
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return s
	}
	return w.stmts(s, f.Stmts)
}

func (w *walker) stmts(s scope, stmts []*syntax.Stmt) scope {
	forward := s.forward
	for i, st := range stmts {
		// Arguments a package manager appends to a script reach only
		// its last command.
		s.forward = ""
		if i == len(stmts)-1 && !st.Background {
			s.forward = forward
		}
		s = w.stmt(s, st)
	}
	s.forward = forward
	return s
}

func (w *walker) stmt(s scope, st *syntax.Stmt) scope {
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		return w.call(s, c)
	case *syntax.BinaryCmd:
		left := s
		left.forward = ""
		after := w.stmt(left, c.X)
		after.forward = s.forward
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			after = s // each side of a pipe runs in its own subshell
		}
		return w.stmt(after, c.Y)
	case *syntax.Subshell:
		w.stmts(s, c.Stmts)
	case *syntax.Block:
		return w.stmts(s, c.Stmts)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(w.stmts(s, ic.Cond), ic.Then)
		}
	case *syntax.WhileClause:
		// while …; do npm run dev; done: the body runs, perhaps again.
		w.stmts(w.stmts(s, c.Cond), c.Do)
	case *syntax.ForClause:
		w.stmts(s, c.Do)
	case *syntax.CaseClause:
		for _, item := range c.Items {
			w.stmts(s, item.Stmts)
		}
	case *syntax.TimeClause:
		// time npm run dev
		if c.Stmt != nil {
			return w.stmt(s, c.Stmt)
		}
	case *syntax.DeclClause:
		if c.Variant.Value == "export" {
			for _, a := range c.Args {
				if a.Name != nil && a.Value != nil {
					if v, err := expand.Literal(s.expandConfig(), a.Value); err == nil {
						s = s.with(a.Name.Value, v)
					}
				}
			}
		}
	}
	return s
}

// call handles a simple command: assignments, cd, and everything else.
func (w *walker) call(s scope, c *syntax.CallExpr) scope {
	cmdScope := s
	for _, a := range c.Assigns {
		if a.Name == nil {
			continue
		}
		v := ""
		if a.Value != nil {
			var err error
			if v, err = expand.Literal(s.expandConfig(), a.Value); err != nil {
				continue
			}
		}
		cmdScope = cmdScope.with(a.Name.Value, v)
	}
	if len(c.Args) == 0 {
		return cmdScope // VAR=value alone sets it for the rest of the script
	}
	fields, err := expand.Fields(s.expandConfig(), c.Args...)
	if err != nil || len(fields) == 0 {
		return s
	}
	if text, ok := w.aliases[fields[0]]; ok && c.Args[0].Lit() == fields[0] {
		// As the shell does: the alias's text replaces the first word, and
		// is not expanded again inside itself. What it changes (alias
		// web='cd ~/web') stays changed for the rest of the line.
		delete(w.aliases, fields[0])
		after := w.script(cmdScope, text+shellQuote(fields[1:]))
		w.aliases[fields[0]] = text
		s.dir = after.dir
		return s
	}
	if fields[0] == "cd" {
		if len(fields) > 1 && fields[1] != "-" {
			s.dir = join(s.dir, fields[1])
		}
		return s
	}
	w.command(cmdScope, fields)
	return s
}

// expandConfig expands words with the scope's variables. Command and
// process substitution are errors, so that a word holding one is not
// read (nothing is ever run); globbing is not performed.
func (s scope) expandConfig() *expand.Config {
	return &expand.Config{
		Env:       expand.FuncEnviron(func(name string) string { return s.env[name] }),
		CmdSubst:  func(io.Writer, *syntax.CmdSubst) error { return errNotRun },
		ProcSubst: func(*syntax.ProcSubst) (string, error) { return "", errNotRun },
	}
}

var errNotRun = errors.New("inference runs nothing")

// shellQuote quotes forwarded arguments the way npm appends them to a
// script's text.
func shellQuote(args []string) string {
	var b strings.Builder
	for _, a := range args {
		q, err := syntax.Quote(a, syntax.LangPOSIX)
		if err != nil {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(q)
	}
	return b.String()
}

// shellWords splits text into words as a shell would, with quotes
// grouping and nothing expanded or run (Python's shlex.split, which
// gunicorn applies to GUNICORN_CMD_ARGS); ok is false for anything but
// plain words.
func shellWords(text string) ([]string, bool) {
	f, err := syntax.NewParser().Parse(strings.NewReader(text), "")
	if err != nil || len(f.Stmts) != 1 {
		return nil, false
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 {
		return nil, false
	}
	words, err := expand.Fields(scope{}.expandConfig(), call.Args...)
	return words, err == nil
}
