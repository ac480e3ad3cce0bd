package infer

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Servers whose port also comes from somewhere the tool table cannot say
// in one row: gunicorn's GUNICORN_CMD_ARGS and config file, and
// redis-server's config file (observed: bench/realports gu*, rd*).

// toolNamed is the tool table's first row for name.
func toolNamed(name string) *tool {
	for i := range tools {
		if inSet(tools[i].names, name) {
			return &tools[i]
		}
	}
	return nil
}

// gunicorn applies gunicorn's order (benoitc/gunicorn gunicorn/config.py
// and app/base.py): the command line, then GUNICORN_CMD_ARGS, then the
// config file (-c FILE, else ./gunicorn.conf.py), then PORT and the
// default, which the table's row has. It reports whether it decided.
func (w *walker) gunicorn(s scope, args []string) bool {
	t := toolNamed("gunicorn")
	if ports, notTCP, _ := t.scan("gunicorn", args); len(ports) > 0 || notTCP {
		return false // the command line decides: the table's rule
	}
	if v := s.env["GUNICORN_CMD_ARGS"]; v != "" {
		// gunicorn splits it with shlex: quotes group, nothing expands.
		words, ok := shellWords(v)
		if !ok {
			w.note("no port from GUNICORN_CMD_ARGS: %q is not a list of words portguard can split", v)
			return true
		}
		ports, notTCP, _ := t.scan("gunicorn", words)
		if notTCP {
			return true
		}
		for _, f := range ports {
			w.add(s, f.port, f.source+" in GUNICORN_CMD_ARGS")
		}
		if len(ports) > 0 {
			return true
		}
	}
	config := "gunicorn.conf.py"
	for i := 0; i < len(args); i++ {
		if v, ok := flagValue(args, &i, "-c --config"); ok {
			config = v
		}
	}
	if strings.HasPrefix(config, "python:") {
		w.note("no port from gunicorn's config %s: a module, which portguard does not import", config)
		return true
	}
	path, text, err := readFile(s.dir, config)
	if err != nil {
		if skipped := unread(path, err); skipped.skipped != "" {
			w.noteSkipped(skipped.skipped, skipped.skippedErr)
		}
		return false
	}
	// The config is Python, read with its tokenizer and never run: bind
	// must be assigned once, to a string or a list or tuple of strings.
	toks := pyTokens(text)
	vars := pyAssignments(toks)
	if _, set := vars["bind"]; !set {
		return false // it sets no bind: PORT, then the default
	}
	value, once := vars.lookup("bind")
	var binds []string
	for _, t := range value {
		switch {
		case t.kind == 's' && (strings.HasPrefix(t.text, `"`) || strings.HasPrefix(t.text, `'`)) && len(t.text) >= 2:
			binds = append(binds, t.text[1:len(t.text)-1])
		case t.text == "[" || t.text == "]" || t.text == "(" || t.text == ")" || t.text == ",":
		default:
			once = false // anything else is code
		}
	}
	if !once || len(binds) == 0 {
		w.note("no port from %s: it sets bind in code, which portguard does not run", w.rel(path))
		return true
	}
	for _, addr := range binds {
		if strings.HasPrefix(addr, "unix:") || strings.HasPrefix(addr, "fd://") {
			continue
		}
		port := 8000 // gunicorn's port where bind names a host alone
		if i := strings.LastIndexByte(addr, ':'); i >= 0 && !strings.HasSuffix(addr, "]") {
			n, err := strconv.Atoi(addr[i+1:])
			if err != nil || n < 1 || n > 65535 {
				w.note("no port from %s: bind %q has no port portguard can read", w.rel(path), addr)
				return true
			}
			port = n
		}
		w.add(s, port, fmt.Sprintf("bind %q in %s", addr, w.rel(path)))
	}
	return true
}

// redisConfig reads `port N` from the config file redis-server is given
// as its first argument, following `include` files (globs too) where they
// are met; the last port directive wins, as redis applies them in order,
// and `tls-port` is a TCP port as well. Relative paths are the working
// directory's, as redis resolves them. Each file is read once, and at most
// maxIncludes are: a config that includes itself ends there. The command
// line's --port, which comes after the file, is the table's and wins.
func redisConfig(dir string, args []string) configResult {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return configResult{}
	}
	const maxIncludes = 32
	port, tls, source := -1, 0, ""
	seen := map[string]bool{}
	var read func(path string) configResult
	read = func(path string) configResult {
		full := filepath.Clean(join(dir, path))
		if seen[full] || len(seen) >= maxIncludes {
			return configResult{exists: true}
		}
		seen[full] = true
		p, text, err := readFile("", full)
		if err != nil {
			return unread(p, err)
		}
		for _, line := range strings.Split(text, "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			value := strings.Trim(f[1], `"'`)
			switch strings.ToLower(f[0]) {
			case "port", "tls-port":
				if n, err := strconv.Atoi(value); err == nil && n >= 0 && n <= 65535 {
					if strings.EqualFold(f[0], "port") {
						port = n
					} else {
						tls = n
					}
					source = fmt.Sprintf("%s in %s", strings.ToLower(f[0]), filepath.Base(p))
				}
			case "include":
				matches, _ := filepath.Glob(join(dir, value))
				if !strings.ContainsAny(value, "*?[") {
					matches = []string{value}
				}
				for _, m := range matches {
					if r := read(m); r.skipped != "" {
						return r
					}
				}
			}
		}
		return configResult{exists: true}
	}
	if r := read(args[0]); r.skipped != "" || !r.exists {
		return r
	}
	var ports []int
	if port > 0 {
		ports = append(ports, port)
	}
	if tls > 0 {
		ports = append(ports, tls)
	}
	switch {
	case len(ports) > 0:
		return configResult{ports: ports, source: source, exists: true}
	case port == 0:
		return configResult{exists: true, none: "the config sets port 0 and no tls-port: no TCP port"}
	}
	return configResult{exists: true}
}

// postgresConfig reads `port = N` from postgresql.conf in the data
// directory postgres is given with -D (postgresql.org/docs/current/
// config-setting.html: name = value, # comments; the last setting wins).
// -c port=N on the command line is a flag the table reads first.
func postgresConfig(dir string, args []string) configResult {
	data := ""
	for i := 0; i < len(args); i++ {
		if v, ok := flagValue(args, &i, "-D"); ok {
			data = v
		}
	}
	if data == "" {
		return configResult{}
	}
	// postgresql.auto.conf (ALTER SYSTEM) is read after postgresql.conf
	// and wins; names are case-insensitive and the = is optional.
	port, from, exists := 0, "", false
	for _, name := range []string{"postgresql.conf", "postgresql.auto.conf"} {
		path, text, err := readFile(join(dir, data), name)
		if err != nil {
			if r := unread(path, err); r.skipped != "" {
				return r
			}
			continue
		}
		exists = true
		for _, line := range strings.Split(text, "\n") {
			line, _, _ = strings.Cut(line, "#")
			f := strings.FieldsFunc(line, func(r rune) bool { return r == '=' || r == ' ' || r == '\t' })
			if len(f) != 2 || !strings.EqualFold(f[0], "port") {
				continue
			}
			if n, err := strconv.Atoi(strings.Trim(f[1], `'`)); err == nil && n >= 1 && n <= 65535 {
				port, from = n, name
			}
		}
	}
	if port == 0 {
		return configResult{exists: exists}
	}
	return configResult{ports: []int{port}, source: fmt.Sprintf("port = %d in %s", port, filepath.Join(data, from)), exists: true}
}
