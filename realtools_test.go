//go:build linux

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
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

// The real-tools tier: the real npm 11 and the real dev servers (Vite,
// Next, express with dotenv, concurrently, nodemon, http-server), installed
// from the npm registry by testdata/realtools/setup, pinned by its lock
// file, into a cache keyed by that file. .ci/run runs the setup first; on
// a machine without it these tests are skipped, except in CI.

// realTools is the directory whose node_modules holds the real tools.
func realTools(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		skipOrFail(t, tierRealTools, "npm is not installed; testdata/realtools/setup installs it")
	}
	lock, err := os.ReadFile("testdata/realtools/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "portguard", "realtools", hex.EncodeToString(sum[:])[:16])
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		skipOrFail(t, tierRealTools, "the real tools are not installed: run testdata/realtools/setup")
	}
	return dir
}

// realProject writes a project (files by name, "{{PORT}}" in them replaced
// by port) with a .git of its own and the real tools' node_modules linked in.
func realProject(t *testing.T, port int, files map[string]string) string {
	t.Helper()
	tools := realTools(t)
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, strings.ReplaceAll(text, "{{PORT}}", strconv.Itoa(port)), 0o644)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(tools, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dir
}

var realEnv = []string{"NO_COLOR=1", "PORTGUARD_YES=", "NEXT_TELEMETRY_DISABLED=1", "BROWSER=none", "CI="}

// realJob starts a command in the project as a job of its own (a
// process group, ended whole when the test ends).
func realJob(t *testing.T, dir string, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), realEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(t.TempDir(), "job.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	startAndReap(t, cmd)
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return cmd
}

// portguardIn runs portguard in dir with the real tools' environment.
func portguardIn(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(portguardPath(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), realEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(err)
}

// serves waits until an HTTP GET of the port answers, and returns the body.
func serves(t *testing.T, port int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing answers HTTP on :%d after %s: %v", port, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pidsOf(t *testing.T, re, out string) []int {
	t.Helper()
	var pids []int
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		pids = append(pids, n)
	}
	return pids
}

const expressApp = `require('dotenv').config()
const express = require('express')
const app = express()
app.get('/', (req, res) => res.send('express ' + process.pid))
app.listen(Number(process.env.PORT), '127.0.0.1')
`

// The real npm names itself "npm run dev" through process.title: its
// earlier run of this project is still recognised as an earlier copy, npm
// is in the plan, replace_earlier replaces it without asking, and the
// whole tree is gone afterwards.
func TestRealNpmEarlierCopy(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	dir := realProject(t, port, map[string]string{
		"package.json": `{"name": "shop", "scripts": {"dev": "node server.js"}}`,
		"server.js":    expressApp,
		".env":         "PORT={{PORT}}\n",
	})
	// The port comes from the app's own source: it loads .env with
	// dotenv and listens on PORT.
	out, code := portguardIn(t, dir, "infer", "--explain", "--", "npm", "run", "dev")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("%d  PORT in ./.env, which the app loads with dotenv, read by ./server.js:5", port))

	first := realJob(t, dir, "npm", "run", "dev")
	body := serves(t, port, 20*time.Second)
	if !strings.HasPrefix(body, "express ") {
		t.Fatalf("the express app answered %q", body)
	}

	out, code = portguardIn(t, dir, "--", "npm", "run", "dev") // inferred from the source now
	wantExit(t, code, exitHeld, out)
	wantOutput(t, out, `an earlier "npm run dev" of this project`)
	wantMatch(t, out, fmt.Sprintf(`launcher +npm \(pid %d\) +npm run dev`, first.Process.Pid))
	wantMatch(t, out, `holder +node \(pid \d+\) +node server.js`)
	tree := append([]int{first.Process.Pid}, descendants(first.Process.Pid)...)

	writeFile(t, filepath.Join(dir, ".portguard.toml"), fmt.Sprintf("ports = [%d]\nreplace_earlier = true\n", port), 0o644)
	second := realJob(t, dir, portguardPath(t), "--", "npm", "run", "dev")
	deadline := time.Now().Add(20 * time.Second)
	for serves(t, port, 20*time.Second) == body {
		if time.Now().After(deadline) {
			t.Fatal("the earlier copy still answers")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, pid := range tree {
		if isAlive(pid) {
			t.Errorf("pid %d of the earlier copy's tree (npm, sh, node) is still running", pid)
		}
	}
	if !isAlive(second.Process.Pid) {
		t.Fatal("the second npm run dev is not running")
	}
}

// --next-free through a package.json script: "dev": "vite" on a held port
// runs as npm run dev -- --port NEXT, and that port serves.
func TestRealViteNextFree(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := adjacentFreePorts(t)
	other := holder(t, "-addr", fmt.Sprintf("127.0.0.1:%d", port)) // another project's server
	dir := realProject(t, port, map[string]string{
		"package.json":   `{"name": "web", "type": "module", "scripts": {"dev": "vite"}}`,
		"vite.config.js": "export default { server: { port: {{PORT}}, strictPort: true, host: '127.0.0.1' } }\n",
		"index.html":     "<!doctype html><title>vite app</title>\n",
	})
	out, code := portguardIn(t, dir, "infer", "--explain", "--", "npm", "run", "dev")
	wantExit(t, code, 0, out)
	wantOutput(t, out, strconv.Itoa(port)+"  port "+strconv.Itoa(port)+" in vite.config.js")

	realJob(t, dir, portguardPath(t), "--next-free", "--", "npm", "run", "dev")
	if body := serves(t, port+1, 30*time.Second); !strings.Contains(body, "vite app") && !strings.Contains(body, "<title>") {
		t.Fatalf(":%d answered %q, want the vite app", port+1, body)
	}
	if !isAlive(other.PID()) {
		t.Fatal("--next-free terminated the holder")
	}

	// Beside an earlier copy of the same project, another port is no way
	// out: Vite refuses a second dev server there.
	out, code = portguardIn(t, dir, "--next-free", "-p", strconv.Itoa(port+1), "--", "npm", "run", "dev")
	wantExit(t, code, exitHeld, out)
	wantOutput(t, out, "Vite does not start a second dev server in the same project")
}

// concurrently runs two servers: freeing one port leaves the other, and
// concurrently, running.
func TestRealConcurrentlyKeepsTheOtherServer(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	web, api := freePort(t), freePort(t)
	dir := realProject(t, web, map[string]string{
		"package.json": fmt.Sprintf(`{"name": "full", "scripts": {"dev": "concurrently npm:web npm:api", "web": "PORT=%d node server.js", "api": "PORT=%d node server.js"}}`, web, api),
		"server.js":    expressApp,
	})
	job := realJob(t, dir, "npm", "run", "dev")
	serves(t, web, 20*time.Second)
	serves(t, api, 20*time.Second)
	out, code := portguardIn(t, dir, "-y", "-p", strconv.Itoa(web), "--", "true")
	wantExit(t, code, 0, out)
	wantMatch(t, out, `left running: node \(pid \d+\), which started it \(node \S*concurrently npm:web npm:api\): it also runs`)
	wantFree(t, web)
	if body := serves(t, api, 2*time.Second); !strings.HasPrefix(body, "express ") {
		t.Fatalf("the API server was stopped with the web server:\n%s", out)
	}
	if !isAlive(job.Process.Pid) {
		t.Fatalf("npm run dev (concurrently's parent) was terminated:\n%s", out)
	}
}

// nodemon restarts its server when it exits: it is the server's launcher,
// and is stopped with it.
func TestRealNodemonIsStoppedWithItsServer(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	dir := realProject(t, port, map[string]string{
		"package.json": `{"name": "api", "scripts": {"dev": "nodemon --quiet server.js"}}`,
		"server.js":    expressApp,
		".env":         "PORT={{PORT}}\n",
	})
	job := realJob(t, dir, "npm", "run", "dev")
	serves(t, port, 20*time.Second)
	out, code := portguardIn(t, dir, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantMatch(t, out, `launcher +sh \(pid \d+\) +sh -c nodemon --quiet server.js`)
	wantMatch(t, out, `launcher +node \(pid \d+\) +node …/nodemon --quiet server.js`)
	time.Sleep(1500 * time.Millisecond) // nodemon would have restarted it by now
	wantFree(t, port)
	if isAlive(job.Process.Pid) {
		t.Fatalf("npm run dev is still running:\n%s", out)
	}
}

// http-server and Next name themselves: which shows the program, not the
// kernel's 15 characters.
func TestRealHolderNames(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	dir := realProject(t, port, map[string]string{
		"package.json":   `{"name": "site", "scripts": {"dev": "next dev -p {{PORT}} -H 127.0.0.1"}}`,
		"app/layout.js":  "export default function Root({ children }) { return <html><body>{children}</body></html> }\n",
		"app/page.js":    "export default function Page() { return <p>next app</p> }\n",
		"next.config.js": "module.exports = {}\n",
	})
	job := realJob(t, dir, "npm", "run", "dev")
	serves(t, port, 60*time.Second)
	out, code := portguardIn(t, dir, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantMatch(t, out, `holder +next-server \(pid \d+\)`)
	wantFree(t, port)
	time.Sleep(300 * time.Millisecond)
	if left := descendants(job.Process.Pid); isAlive(job.Process.Pid) || len(left) > 0 {
		t.Fatalf("npm run dev (pid %d) or its children %v still run:\n%s", job.Process.Pid, left, out)
	}

	files := t.TempDir()
	writeFile(t, filepath.Join(files, "index.html"), "static\n", 0o644)
	hs := realJob(t, files, filepath.Join(realTools(t), "node_modules", ".bin", "http-server"), "-p", strconv.Itoa(port), "-a", "127.0.0.1", "-s")
	serves(t, port, 20*time.Second)
	out, _ = portguardIn(t, files, "--dry-run", "-p", strconv.Itoa(port), "--", "true")
	wantMatch(t, out, fmt.Sprintf(`:%d is held by (node|http-server) \(pid %d\)`, port, hs.Process.Pid))
}

// A restart three seconds after the first start, with the real npm: once
// the first portguard's command listens, the second treats it as any
// holder and replaces it with --yes; and the hook's check-line, with the
// project's ports in .portguard.toml, stops a line that would run into
// EADDRINUSE.
func TestRealRestartAndTheHook(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	dir := realProject(t, port, map[string]string{
		"package.json":    `{"name": "api", "scripts": {"dev": "node server.js"}}`,
		"server.js":       expressApp,
		".env":            "PORT={{PORT}}\n",
		".portguard.toml": "ports = [{{PORT}}]\n",
	})
	first := realJob(t, dir, portguardPath(t), "--", "npm", "run", "dev")
	body := serves(t, port, 20*time.Second)
	time.Sleep(3 * time.Second)

	out, code := portguardIn(t, dir, "check-line", "--", "npm run dev")
	wantExit(t, code, exitHeld, out)
	wantOutput(t, out, "the line was not run")

	realJob(t, dir, portguardPath(t), "--yes", "--", "npm", "run", "dev")
	for deadline := time.Now().Add(20 * time.Second); serves(t, port, 20*time.Second) == body; {
		if time.Now().After(deadline) {
			t.Fatal("the first server still answers after the restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if isAlive(first.Process.Pid) {
		t.Fatal("the first npm run dev still runs after the restart")
	}
}

// go run: the port read from the package's source is the one the real
// server then listens on.
func TestRealGoRunListensWhereInferred(t *testing.T) {
	t.Parallel() // its own port and module
	port := freePort(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/srv\n\ngo 1.21\n", 0o644)
	writeFile(t, filepath.Join(dir, "main.go"), fmt.Sprintf(`package main

import (
	"fmt"
	"net/http"
)

const addr = "127.0.0.1:%d"

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "go server") })
	http.ListenAndServe(addr, nil)
}
`, port), 0o644)
	out, code := portguardIn(t, dir, "infer", "--explain", "--", "go", "run", ".")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("%d  ./main.go:12: http.ListenAndServe(addr, nil)", port))

	realJob(t, dir, "go", "run", ".")
	if body := serves(t, port, 60*time.Second); body != "go server" {
		t.Fatalf(":%d answered %q", port, body)
	}
}
