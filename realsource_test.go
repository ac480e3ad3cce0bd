//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hand-written servers, run for real: the port portguard reads from a
// server's source is the port that server really listens on, for node,
// Python's standard library, Flask, uvicorn and Sinatra. Debian's
// python3, python3-flask, python3-uvicorn, ruby-sinatra and ruby-webrick
// run them (.ci/run installs them); elsewhere the tests are skipped,
// except in CI.

// debianPath puts the system's interpreters (where apt installed Flask,
// uvicorn and Sinatra) before a user's version managers (pyenv, rbenv).
var debianPath = "PATH=/usr/bin:/bin:" + os.Getenv("PATH")

func needInterpreter(t *testing.T, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), debianPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		skipOrFail(t, tierRealSources, fmt.Sprintf("%s: %v %s (apt-get install python3-flask python3-uvicorn ruby-sinatra ruby-webrick)", strings.Join(argv, " "), err, out))
	}
}

func TestRealServersListenWhereTheirSourceSays(t *testing.T) {
	t.Parallel() // every case has its own port and directory
	needInterpreter(t, "/usr/bin/python3", "-c", "import flask, uvicorn")
	needInterpreter(t, "/usr/bin/ruby", "-e", "require 'sinatra/base'; require 'webrick'")
	tests := []struct {
		name  string
		files map[string]string // {{PORT}> is the port
		env   []string          // {{PORT}} too
		argv  []string
	}{
		{"node http, PORT || literal", map[string]string{"server.js": "const port = Number(process.env.PORT) || {{PORT}}\nrequire('http').createServer((q, r) => r.end('ok')).listen(port, '127.0.0.1')\n"},
			nil, []string{"node", "server.js"}},
		{"node ., package.json main", map[string]string{"package.json": `{"main": "src/app"}`, "src/app.js": "require('http').createServer((q, r) => r.end('ok')).listen({ port: {{PORT}}, host: '127.0.0.1' })\n"},
			nil, []string{"node", "."}},
		{"python http.server's HTTPServer", map[string]string{"serve.py": "from http.server import HTTPServer, SimpleHTTPRequestHandler\nADDR = ('127.0.0.1', {{PORT}})\nHTTPServer(ADDR, SimpleHTTPRequestHandler).serve_forever()\n"},
			nil, []string{"python3", "serve.py"}},
		{"python -m a package, PORT from the environment", map[string]string{"api/__main__.py": "from .server import main\nmain()\n", "api/server.py": "import os\nfrom http.server import HTTPServer, BaseHTTPRequestHandler\ndef main():\n    port = int(os.environ.get('PORT', 1))\n    HTTPServer(('127.0.0.1', port), BaseHTTPRequestHandler).serve_forever()\n"},
			[]string{"PORT={{PORT}}"}, []string{"python3", "-m", "api"}},
		{"Flask's app.run", map[string]string{"app.py": "import os\nfrom flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return 'ok'\n\nif __name__ == '__main__':\n    app.run(host='127.0.0.1', port=int(os.environ.get('PORT', {{PORT}})))\n"},
			nil, []string{"python3", "app.py"}},
		{"uvicorn.run", map[string]string{"main.py": "import uvicorn\n\nasync def app(scope, receive, send):\n    pass\n\nif __name__ == '__main__':\n    uvicorn.run(app, host='127.0.0.1', port={{PORT}}, log_level='warning')\n"},
			nil, []string{"python3", "main.py"}},
		{"Sinatra's set :port", map[string]string{"app.rb": "require 'sinatra'\nset :bind, '127.0.0.1'\nset :port, {{PORT}}\nget('/') { 'ok' }\n"},
			nil, []string{"ruby", "app.rb"}},
		{"Sinatra's default reads PORT", map[string]string{"app.rb": "require 'sinatra'\nset :bind, '127.0.0.1'\nget('/') { 'ok' }\n"},
			[]string{"PORT={{PORT}}"}, []string{"ruby", "app.rb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			fill := func(s string) string { return strings.ReplaceAll(s, "{{PORT}}", strconv.Itoa(port)) }
			dir := t.TempDir()
			for name, text := range tt.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, fill(text), 0o644)
			}
			var env []string
			for _, e := range os.Environ() {
				if !strings.HasPrefix(e, "PORT=") {
					env = append(env, e)
				}
			}
			env = append(env, debianPath)
			for _, e := range tt.env {
				env = append(env, fill(e))
			}

			infer := exec.Command(portguardPath(t), append([]string{"infer", "--explain", "--"}, tt.argv...)...)
			infer.Dir, infer.Env = dir, env
			out, err := infer.CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), strconv.Itoa(port)+" ") {
				t.Fatalf("portguard infer -- %s: %v\n%s\nwant %d", strings.Join(tt.argv, " "), err, out, port)
			}

			// The server itself, run as the user would: it must listen
			// exactly there.
			program := tt.argv[0]
			if p := filepath.Join("/usr/bin", program); isExecutable(p) {
				program = p // exec.Command looks names up in this process's PATH, not env's
			}
			server := exec.Command(program, tt.argv[1:]...)
			server.Dir, server.Env = dir, env
			server.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			logPath := filepath.Join(t.TempDir(), "server.log")
			logf, err := os.Create(logPath)
			if err != nil {
				t.Fatal(err)
			}
			defer logf.Close()
			server.Stdout, server.Stderr = logf, logf
			startAndReap(t, server)
			deadline := time.Now().Add(20 * time.Second)
			for {
				c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
				if err == nil {
					c.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("portguard inferred %s, but the server does not listen there:\n%s", strings.TrimSpace(string(out)), readFile(logPath))
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// Reloaders hold the socket beside their server: uvicorn --reload binds it
// and hands it to a multiprocessing child, Flask's debug reloader passes
// it to its child by descriptor. Each process is in the plan once, as a
// holder (the socket is its evidence), and each is terminated once.
func TestRealReloadersArePlannedOnce(t *testing.T) {
	t.Parallel()
	needInterpreter(t, "/usr/bin/python3", "-c", "import flask, uvicorn")
	tests := []struct {
		name  string
		files map[string]string
		argv  []string
	}{
		{"uvicorn --reload", map[string]string{"main.py": "async def app(scope, receive, send):\n    pass\n"},
			[]string{"/usr/bin/python3", "-m", "uvicorn", "main:app", "--reload", "--host", "127.0.0.1", "--port", "{{PORT}}"}},
		{"flask --debug run", map[string]string{"app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return 'ok'\n"},
			[]string{"/usr/bin/python3", "-m", "flask", "--app", "app", "--debug", "run", "--host", "127.0.0.1", "--port", "{{PORT}}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			dir := t.TempDir()
			for name, text := range tt.files {
				writeFile(t, filepath.Join(dir, name), text, 0o644)
			}
			var argv []string
			for _, a := range tt.argv {
				argv = append(argv, strings.ReplaceAll(a, "{{PORT}}", strconv.Itoa(port)))
			}
			realJob(t, dir, argv...)
			// Both the reloader and its server hold the socket.
			var pids []int
			for deadline := time.Now().Add(20 * time.Second); len(pids) < 2; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: want two processes on :%d, ss lists %q", tt.name, port, listenersOn(t, port))
				}
				pids = holdersOf(t, port)
			}

			out, code := portguardIn(t, dir, "--dry-run", "-p", strconv.Itoa(port), "--", "true")
			wantExit(t, code, 0, out)
			wantOutput(t, out, "terminating would signal 2 processes:")
			for _, pid := range pids {
				if n := len(regexp.MustCompile(fmt.Sprintf(`(?m)^\s+holder\s+python3 \(pid %d\)`, pid)).FindAllString(out, -1)); n != 1 {
					t.Errorf("pid %d is in the plan %d times, want once as a holder:\n%s", pid, n, out)
				}
			}

			out, code = portguardIn(t, dir, "-y", "-p", strconv.Itoa(port), "--", "true")
			wantExit(t, code, 0, out)
			for _, pid := range pids {
				if n := strings.Count(strings.Join(terminated(out), "\n")+"\n", fmt.Sprintf("python3 (pid %d)\n", pid)); n != 1 {
					t.Errorf("pid %d was reported terminated %d times, want once:\n%s", pid, n, out)
				}
				wantDead(t, pid)
			}
		})
	}
}
