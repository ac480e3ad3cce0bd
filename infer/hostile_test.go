//go:build unix

package infer

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Every project a user clones is untrusted. Each fixture here is a project
// built to hang, crash or exhaust inference; each must finish within a
// time and memory bound, without a crash, whatever it infers. The files
// are generated, not committed.
func TestHostileProjects(t *testing.T) {
	fifo := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := unix.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	file := func(name, text string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	both := func(fs ...func(*testing.T, string)) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			for _, f := range fs {
				f(t, dir)
			}
		}
	}
	var doubling strings.Builder
	doubling.WriteString("A=xxxxxxxxxxxxxxxx\n")
	for range 40 {
		doubling.WriteString("A=${A}${A}\n")
	}
	doubling.WriteString("PORT=${A}\n")
	var laughs strings.Builder
	laughs.WriteString("x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 12; i++ {
		laughs.WriteString("x" + itoa(i) + ": &x" + itoa(i) + " [")
		for j := range 10 {
			if j > 0 {
				laughs.WriteString(", ")
			}
			laughs.WriteString("*x" + itoa(i-1))
		}
		laughs.WriteString("]\n")
	}
	laughs.WriteString("services:\n  web:\n    ports: [\"3000:3000\"]\n")
	var makeDoubling strings.Builder
	makeDoubling.WriteString("V0 = xxxxxxxxxxxxxxxx\n")
	for i := 1; i <= 40; i++ {
		makeDoubling.WriteString("V" + itoa(i) + " = $(V" + itoa(i-1) + ")$(V" + itoa(i-1) + ")$(V" + itoa(i-1) + ")$(V" + itoa(i-1) + ")\n")
	}
	makeDoubling.WriteString("dev:\n\tPORT=4000 node server.js $(V40)\n")

	tests := []struct {
		name  string
		setup func(*testing.T, string)
		argv  []string // or line, for the hook's path
		line  string
	}{
		{"a FIFO as package.json", fifo("package.json"), []string{"npm", "run", "dev"}, ""},
		{"a FIFO as .env", fifo(".env"), []string{"react-scripts", "start"}, ""},
		{"a FIFO as Makefile", fifo("Makefile"), nil, "make dev"},
		{"a FIFO as vite.config.js", fifo("vite.config.js"), []string{"vite"}, ""},
		{"a FIFO as compose.yaml", fifo("compose.yaml"), []string{"docker", "compose", "up"}, ""},
		{"a FIFO as Procfile", fifo("Procfile"), []string{"foreman", "start"}, ""},
		{"a FIFO as a project script", fifo("bin/dev"), nil, "./bin/dev"},
		{"/dev/zero as package.json", func(t *testing.T, dir string) {
			if err := os.Symlink("/dev/zero", filepath.Join(dir, "package.json")); err != nil {
				t.Fatal(err)
			}
		}, []string{"npm", "start"}, ""},
		{"a 50 GB sparse package.json", func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "package.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(50 << 30); err != nil {
				t.Fatal(err)
			}
		}, []string{"npm", "run", "dev"}, ""},
		{"a .env that doubles ${A} 40 times", file(".env", doubling.String()), []string{"react-scripts", "start"}, ""},
		{"compose anchors that nest (billion laughs)", file("compose.yaml", laughs.String()), []string{"docker", "compose", "up"}, ""},
		{"400 KB of nested [ in compose.yaml", file("compose.yaml", "services: "+strings.Repeat("[", 400<<10)), []string{"docker", "compose", "up"}, ""},
		{"a workspaces glob through a symlink loop", both(
			file("package.json", `{"workspaces": ["loop/*/*/*", "*/*/*/*/*/*/*/*"]}`),
			func(t *testing.T, dir string) {
				if err := os.Symlink(".", filepath.Join(dir, "loop")); err != nil {
					t.Fatal(err)
				}
			}), []string{"npm", "-w", "web", "run", "dev"}, ""},
		{"Makefile variables that quadruple", file("Makefile", makeDoubling.String()), nil, "make dev"},
		{"./bin/dev runs itself four times", file("bin/dev", "#!/bin/sh\n./bin/dev\n./bin/dev\n./bin/dev\n./bin/dev\n"), nil, "./bin/dev"},
		{"an npm script that runs itself four times", file("package.json",
			`{"scripts": {"dev": "npm run dev && npm run dev && npm run dev && npm run dev"}}`), []string{"npm", "run", "dev"}, ""},
		{"$(MAKE) that loops", file("Makefile", "dev:\n\t$(MAKE) dev\n\t$(MAKE) dev\n\t$(MAKE) dev\n"), nil, "make dev"},
		{"a Procfile that runs foreman start", file("Procfile", "web: foreman start\napi: foreman start\nworker: foreman start\n"), []string{"foreman", "start"}, ""},
		{"scripts that fan out ten ways, ten deep", func(t *testing.T, dir string) {
			scripts := []string{}
			for i := range 10 {
				next := "s" + itoa(i+1)
				scripts = append(scripts, `"s`+itoa(i)+`": "`+strings.Repeat("npm run "+next+" && ", 9)+`npm run `+next+`"`)
			}
			scripts = append(scripts, `"s10": "PORT=3000 node server.js"`)
			file("package.json", `{"scripts": {`+strings.Join(scripts, ", ")+`}}`)(t, dir)
		}, []string{"npm", "run", "s0"}, ""},
		{"half a megabyte of nested parentheses in a script", file("package.json",
			`{"scripts": {"dev": "`+strings.Repeat("(", 250<<10)+strings.Repeat(")", 250<<10)+`"}}`), []string{"npm", "run", "dev"}, ""},
		{"a megabyte of nested parentheses on a typed line", nil, nil, strings.Repeat("(", 1<<20)},
		{"process substitution on a typed line", nil, nil, "diff <(sort a) <(sort b)"},
		{"process substitution in a script", file("package.json", `{"scripts": {"dev": "PORT=$(cat port) node <(echo x)"}}`), []string{"npm", "run", "dev"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			done := make(chan []string, 1)
			go func() {
				if tt.argv != nil {
					_, notes := Explain(tt.argv, nil, dir)
					done <- notes
					return
				}
				_, notes, _ := CommandLine{Text: tt.line, Shell: "bash"}.Explain(nil, dir)
				done <- notes
			}()
			select {
			case notes := <-done:
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				if grown := after.TotalAlloc - before.TotalAlloc; grown > 256<<20 {
					t.Errorf("inference allocated %d MiB", grown>>20)
				}
				t.Logf("notes: %q", notes)
			case <-time.After(5 * time.Second):
				t.Fatal("inference did not finish in 5s")
			}
		})
	}
}

var itoa = strconv.Itoa

// boundedWalk fails the fuzz input if inference takes too long or
// allocates too much: the hook path's promise is a bounded cost for any
// input.
func boundedWalk(t *testing.T, what string, walk func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan struct{})
	go func() { defer close(done); walk() }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatalf("inference of %s did not finish in 2s", what)
	}
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 256<<20 {
		t.Fatalf("inference of %s allocated %d MiB", what, grown>>20)
	}
}

// FuzzCommandLine is what check-line reads on every line a user types.
func FuzzCommandLine(f *testing.F) {
	for _, line := range []string{
		"cd web && npm run dev",
		"diff <(sort a) <(sort b)",
		"PORT=$(cat p) node server.js &",
		"make dev PORT=4000 | tee log",
		"((((((((((",
		"for i in 1 2; do npm start; done",
		"a=${b:-$(c)} d &>/dev/null",
	} {
		f.Add(line, "bash", `{"scripts":{"dev":"vite --port 3000"}}`)
	}
	f.Fuzz(func(t *testing.T, line, shell, pkg string) {
		dir := t.TempDir()
		if pkg != "" {
			write(t, dir, "package.json", pkg)
		}
		boundedWalk(t, strconv.Quote(line), func() {
			ports, _, _ := CommandLine{Text: line, Shell: shell}.Explain(nil, dir)
			for _, p := range ports {
				if p.Port < 1 || p.Port > 65535 {
					t.Errorf("port %d out of range for %q", p.Port, line)
				}
			}
		})
	})
}

// FuzzProjectFiles gives the readers hostile file contents: a .env, a
// Makefile, a Procfile and a compose file, each followed by the command
// that reads it.
func FuzzProjectFiles(f *testing.F) {
	f.Add("PORT=3000\nA=${PORT}${PORT}\n", "dev:\n\tvite --port $(P)\nP = 4000\n", "web: PORT=$PORT node s.js\n", "services:\n  web:\n    ports: ['3000:3000']\n")
	f.Add("A=${A}${A}\n", "dev:\n\t$(MAKE) dev\n", "web: foreman start\n", "a: &a [x, *a]\n")
	f.Fuzz(func(t *testing.T, env, makefile, procfile, compose string) {
		dir := t.TempDir()
		write(t, dir, ".env", env)
		write(t, dir, "Makefile", makefile)
		write(t, dir, "Procfile", procfile)
		write(t, dir, "compose.yaml", compose)
		for _, argv := range [][]string{{"react-scripts", "start"}, {"make", "dev"}, {"foreman", "start"}, {"docker", "compose", "up"}} {
			boundedWalk(t, strings.Join(argv, " "), func() { Explain(argv, nil, dir) })
		}
	})
}

// FuzzSources: whatever a project's server files hold, reading their
// source (node, Bun, Deno, Python, Sinatra) ends within its budget and
// never panics.
func FuzzSources(f *testing.F) {
	f.Add("Bun.serve({ port: Number(process.env.PORT) || 3000 })\napp.listen({ port: 1 })\n", "import os\napp.run(port=int(os.environ.get('PORT', 5000)))\nHTTPServer(('', 8000), H)\n", "require 'sinatra'\nset :port, Integer(ENV.fetch('PORT', 4567))\n")
	f.Add("Deno.serve({ ...", "'''\nr\"\\\nHTTPServer((", "set :port, ENV.fetch('PORT'")
	f.Fuzz(func(t *testing.T, js, py, rb string) {
		dir := t.TempDir()
		write(t, dir, "server.js", js)
		write(t, dir, "app.py", py)
		write(t, dir, "app.rb", rb)
		write(t, dir, "package.json", `{"main": "server.js"}`)
		for _, argv := range [][]string{{"node", "server.js"}, {"bun", "server.js"}, {"deno", "run", "server.js"}, {"nodemon"}, {"python3", "app.py"}, {"ruby", "app.rb"}} {
			boundedWalk(t, strings.Join(argv, " "), func() { Explain(argv, nil, dir) })
		}
	})
}

// An entry file that is there but is not read (a FIFO) is said, as a
// package.json that is one is: --explain tells why nothing was inferred.
func TestUnreadEntryFileIsNoted(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mkfifo(filepath.Join(dir, "server.js"), 0o644); err != nil {
		t.Fatal(err)
	}
	ports, notes := Explain([]string{"node", "server.js"}, nil, dir)
	if len(ports) != 0 || !strings.Contains(strings.Join(notes, "\n"), "skipped ./server.js: not a regular file") {
		t.Fatalf("ports %v, notes %q", ports, notes)
	}
}

// A config file that could set the port but is not read (a FIFO) gives no
// port, not the tool's default.
func TestSkippedConfigGivesNoDefault(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mkfifo(filepath.Join(dir, "vite.config.js"), 0o644); err != nil {
		t.Fatal(err)
	}
	ports, notes := Explain([]string{"vite"}, nil, dir)
	if len(ports) != 0 {
		t.Fatalf("ports = %+v, want none: vite.config.js was not read", ports)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "may set it and was not read") {
		t.Fatalf("notes = %q, want the reason", notes)
	}
}
