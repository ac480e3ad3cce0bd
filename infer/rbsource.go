package infer

import (
	"fmt"
	"strconv"
	"strings"
)

// Reading the port of a Sinatra app started as `ruby app.rb`: `set :port,
// 4000` in the file, `-p 4000` on its command line (Sinatra's classic
// apps read their arguments), else Sinatra's default, PORT when it is set
// and not empty and 4567 otherwise (sinatra/base.rb: `set :port,
// Integer(ENV['PORT'] && !ENV['PORT'].empty? ? ENV['PORT'] : 4567)`).

// rbTokens splits Ruby source into tokens, dropping comments (# and
// =begin…=end); strings in quotes, %-literals (%q(…), %w[…], %(…)) and
// heredocs (<<~EOS … EOS) become one string token each, so that nothing
// inside them reads as code.
func rbTokens(src string) []srcToken {
	out := make([]srcToken, 0, len(src)/3+16)
	line := 1
	var heredocs []string // terminators of heredocs opened on this line
	for i := 0; i < len(src); {
		c := src[i]
		atLineStart := i == 0 || src[i-1] == '\n'
		switch {
		case c == '\n':
			line++
			i++
			// The bodies of the heredocs opened on the line just ended.
			for _, id := range heredocs {
				for i < len(src) {
					end := strings.IndexByte(src[i:], '\n')
					if end < 0 {
						end = len(src) - i
					}
					body := strings.TrimSpace(src[i : i+end])
					i = min(i+end+1, len(src))
					line++
					if body == id {
						break
					}
				}
			}
			heredocs = nil
		case atLineStart && strings.HasPrefix(src[i:], "=begin"):
			end := strings.Index(src[i:], "\n=end")
			if end < 0 {
				return out
			}
			line += strings.Count(src[i:i+end+1], "\n")
			i += end + 1
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '<' && strings.HasPrefix(src[i:], "<<") && i+2 < len(src):
			j := i + 2
			if src[j] == '~' || src[j] == '-' {
				j++
			}
			quoted := j < len(src) && (src[j] == '\'' || src[j] == '"')
			if quoted {
				j++
			}
			k := j
			for k < len(src) && (src[k] >= 'A' && src[k] <= 'Z' || src[k] == '_' || src[k] >= '0' && src[k] <= '9' && k > j) {
				k++
			}
			if k == j {
				out = append(out, srcToken{kind: 'p', text: "<", line: line})
				i++
				continue
			}
			heredocs = append(heredocs, src[j:k])
			if quoted && k < len(src) {
				k++
			}
			out = append(out, srcToken{kind: 's', text: "<<heredoc>>", line: line})
			i = k
		case c == '%' && rbPercentLiteral(src, i, out):
			start, startLine := i, line
			i = rbPercentEnd(src, i, &line)
			out = append(out, srcToken{kind: 's', text: src[start:i], line: startLine})
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\'' || c == '"':
			start, startLine := i, line
			i = quotedEnd(src, i, &line)
			out = append(out, srcToken{kind: 's', text: src[start:i], line: startLine})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isIdentByte(src[i]) || src[i] == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9') {
				i++
			}
			out = append(out, srcToken{kind: 'n', text: strings.ReplaceAll(src[start:i], "_", ""), line: line})
		case isIdentByte(c):
			start := i
			for i < len(src) && (isIdentByte(src[i]) || src[i] == '?' || src[i] == '!') {
				i++
			}
			out = append(out, srcToken{kind: 'i', text: src[start:i], line: line})
		default:
			if i+1 < len(src) && src[i:i+2] == "||" {
				out = append(out, srcToken{kind: 'p', text: "||", line: line})
				i += 2
				continue
			}
			out = append(out, srcToken{kind: 'p', text: src[i : i+1], line: line})
			i++
		}
	}
	return out
}

// rbPortSites finds `set :port, EXPR` and reads EXPR.
func rbPortSites(file string, toks []srcToken) []listenSite {
	var sites []listenSite
	// configure :production do … end runs in that environment alone: a
	// port set in such a block is not known without it (and its end is
	// not traced), so every set :port in the file counts as computed.
	envBlocks := false
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].text == "configure" && toks[i+1].text == ":" {
			envBlocks = true
		}
	}
	for i := 0; i+3 < len(toks) && len(sites) <= maxSites; i++ {
		hashForm := toks[i].text == "set" && toks[i+1].text == "port" && toks[i+2].text == ":"
		if !hashForm && (toks[i].text != "set" || toks[i+1].text != ":" || toks[i+2].text != "port" || toks[i+3].text != ",") {
			continue
		}
		if envBlocks {
			sites = append(sites, listenSite{file: file, line: toks[i].line})
			continue
		}
		start := i + 4
		if hashForm {
			start = i + 3 // set port: N, bind: …
		}
		end := start
		for end < len(toks) && toks[end].line == toks[i].line {
			end++
		}
		expr := toks[start:end]
		if hashForm {
			expr = jsSplit(expr, ",")[0]
		}
		if indexText(expr, "if") >= 0 || indexText(expr, "unless") >= 0 {
			// `set :port, N if …`: maybe not at all.
			sites = append(sites, listenSite{file: file, line: toks[i].line})
			continue
		}
		e, ok := rbPortExpr(expr)
		sites = append(sites, listenSite{file: file, line: toks[i].line, expr: e, ok: ok})
	}
	return sites
}

func indexText(toks []srcToken, text string) int {
	for k, t := range toks {
		if t.text == text && t.kind == 'i' {
			return k
		}
	}
	return -1
}

// rbPortExpr reads N, "N", ENV['PORT'], ENV.fetch('PORT', N), either
// joined with ||, and Integer(…) or (…).to_i around them.
func rbPortExpr(e []srcToken) (portExpr, bool) {
	var out portExpr
	for _, part := range jsSplit(e, "||") {
		for {
			switch {
			case len(part) >= 3 && part[0].text == "Integer" && part[1].text == "(" && part[len(part)-1].text == ")":
				part = part[2 : len(part)-1]
				continue
			case len(part) >= 3 && part[len(part)-2].text == "." && part[len(part)-1].text == "to_i":
				part = part[:len(part)-2]
				continue
			case len(part) >= 2 && part[0].text == "(" && part[len(part)-1].text == ")":
				part = part[1 : len(part)-1]
				continue
			}
			break
		}
		text := pyText(part)
		switch {
		case len(part) == 1 && (part[0].kind == 'n' || part[0].kind == 's'):
			n, ok := pyPortLiteral(part[0])
			if !ok || out.literal != 0 {
				return portExpr{}, false
			}
			out.literal = n
		case strings.HasPrefix(text, "ENV[") && strings.HasSuffix(text, "]") && quotedEnvName(text[4:len(text)-1]) != "":
			var ok bool
			if out, ok = out.readsEnv(quotedEnvName(text[4 : len(text)-1])); !ok {
				return portExpr{}, false
			}
		case strings.HasPrefix(text, "ENV.fetch(") && strings.HasSuffix(text, ")") && rbFetchName(text) != "":
			var ok bool
			if out, ok = out.readsEnv(rbFetchName(text)); !ok {
				return portExpr{}, false
			}
			if args := jsSplit(part[4:len(part)-1], ","); len(args) == 2 && len(args[1]) == 1 {
				n, ok := pyPortLiteral(args[1][0])
				if !ok {
					return portExpr{}, false
				}
				out.literal = n
			}
		default:
			return portExpr{}, false
		}
	}
	return out, out.literal != 0 || out.env != ""
}

// rbFetchName is the variable of ENV.fetch("NAME"…).
func rbFetchName(text string) string {
	rest := strings.TrimPrefix(text, "ENV.fetch(")
	if end := strings.IndexAny(rest, ",)"); end > 0 {
		return quotedEnvName(rest[:end])
	}
	return ""
}

// rbRequiresSinatra: the file requires 'sinatra' (a classic app, which
// runs itself when its file is the program).
func rbRequiresSinatra(toks []srcToken) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].text == "require" && (toks[i+1].text == `'sinatra'` || toks[i+1].text == `"sinatra"`) {
			return true
		}
	}
	return false
}

// rubyHttpd is `ruby -run -e httpd [DIR] [-p N]`: the un library's
// WEBrick file server, on 8080 unless -p or --port says otherwise
// (ruby/un.rb; observed).
func (w *walker) rubyHttpd(s scope, args []string) bool {
	if len(args) < 3 || args[0] != "-run" || args[1] != "-e" || args[2] != "httpd" {
		return false
	}
	port, source := 8080, "the default port of ruby -run -e httpd"
	for i := 3; i < len(args); i++ {
		if v, ok := flagValue(args, &i, "-p --port"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 65535 {
				return true // not a port portguard can read: infer nothing
			}
			port, source = n, "--port of ruby -run -e httpd"
		}
	}
	w.add(s, port, source)
	return true
}

// rubySource infers the port of `ruby app.rb [-p N]` for a Sinatra app.
func (w *walker) rubySource(s scope, args []string) bool {
	if w.rubyHttpd(s, args) {
		return true
	}
	var file string
	flagPort := 0
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-e":
			return false
		case file == "" && (a == "-r" || a == "-I" || a == "-C"):
			i++
		case file == "" && strings.HasPrefix(a, "-"):
		case file == "":
			file = a
		case a == "-p" && i+1 < len(args):
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 || n > 65535 {
				return false
			}
			flagPort = n
			i++
		case strings.HasPrefix(a, "-p") && len(a) > 2:
			n, err := strconv.Atoi(a[2:]) // -p4000
			if err != nil || n < 1 || n > 65535 {
				return false
			}
			flagPort = n
		}
	}
	if file == "" {
		return false
	}
	entry := join(s.dir, file)
	b, ok := w.read(entry)
	if !ok {
		return false
	}
	toks := rbTokens(string(b))
	if !rbRequiresSinatra(toks) {
		return false
	}
	sites := withLines(rbPortSites(entry, toks), b)
	switch {
	case flagPort != 0 && len(sites) > 0:
		w.note("no port from the source: -p %d and %s:%d both set Sinatra's port", flagPort, w.rel(entry), sites[0].line)
		return true
	case flagPort != 0:
		w.add(s, flagPort, fmt.Sprintf("-p %d, read by Sinatra (%s requires it)", flagPort, w.rel(entry)))
		return true
	case len(sites) == 0:
		// Sinatra's default: PORT when set and not empty, else 4567.
		if p, ok := parseEnvPort(s.env["PORT"]); ok {
			w.addMovable(s, p, fmt.Sprintf("PORT in the environment, Sinatra's port where %s sets none", w.rel(entry)), envMove(s, "PORT"))
		} else if why := envPortProblem("PORT", s.env["PORT"]); why != "" {
			w.note("%s", why)
		} else {
			w.addMovable(s, 4567, fmt.Sprintf("Sinatra's default port (%s sets none, and PORT is not set)", w.rel(entry)), envMove(s, "PORT"))
		}
		return true
	}
	return w.sourcePort(s, sites, false, nil)
}

// rbPercentLiteral: the % at src[i] opens a %-literal: %q %Q %w %W %i %I
// with a delimiter always, and a bare %( %[ %{ where an expression may
// start (not after a value, where % is the modulo operator).
func rbPercentLiteral(src string, i int, before []srcToken) bool {
	if i+1 >= len(src) {
		return false
	}
	next := src[i+1]
	if strings.IndexByte("qQwWiI", next) >= 0 {
		return i+2 < len(src) && strings.IndexByte("([{<|!/", src[i+2]) >= 0
	}
	if strings.IndexByte("([{", next) < 0 {
		return false
	}
	if len(before) == 0 {
		return true
	}
	last := before[len(before)-1]
	return last.kind == 'p' && last.text != ")" && last.text != "]" && last.text != "}"
}

// rbPercentEnd returns the index just past the %-literal at src[i],
// counting the lines it spans; bracket delimiters nest.
func rbPercentEnd(src string, i int, line *int) int {
	i++
	if strings.IndexByte("qQwWiI", src[i]) >= 0 {
		i++
	}
	open := src[i]
	closing := map[byte]byte{'(': ')', '[': ']', '{': '}', '<': '>'}[open]
	if closing == 0 {
		closing = open
	}
	depth := 0
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '\n':
			*line++
		case closing:
			if depth == 0 {
				return i + 1
			}
			depth--
		case open:
			if open != closing {
				depth++
			}
		}
	}
	return len(src)
}
