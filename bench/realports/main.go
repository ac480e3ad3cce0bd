// Command realports observes the ports real dev servers really listen on,
// for the cases of bench/realports/cases.tsv, and writes the observations
// to bench/realports/observed.tsv: the ground truth that TestInferPortCases
// checks `portguard infer` against, in CI, without any of these tools.
//
//	bench/realports/setup              # the tools: npm (pinned), Debian, Go
//	go run ./bench/realports [ID...]   # observe all cases, or those
//
// Each case runs in a directory holding only its files (with the real
// tools' node_modules linked in), in a network namespace of its own
// (unshare -n: loopback only, so nothing else on the machine can make a
// tool move to another port and nothing off it is reached), as a process
// group of its own, with a timeout. Every TCP port the namespace listens
// on is recorded, and the group is ended. Needs root (unshare) and ss.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// observeScript runs inside the namespace: it starts the case as a job of
// its own, polls ss until the ports have been listened on and stayed the
// same for settle seconds (a second port, such as a LiveReload server,
// shows up in that time), prints them, and ends the job.
const observeScript = `
ip link set lo up
# setsid: the case is a process group (and session) of its own, which is
# ended whole below; sh -c has no job control to give it one.
setsid "$@" </dev/null >"$LOG" 2>&1 &
job=$!
seen= stable=0 waited=0
while [ "$waited" -lt "$LIMIT" ]; do
	sleep 0.2
	waited=$((waited + 1))
	now=$(ss -Hltn | awk '{n=split($4,a,":"); print a[n]}' | sort -un | tr '\n' ,)
	if [ -n "$now" ] && [ "$now" = "$seen" ]; then
		stable=$((stable + 1))
		[ "$stable" -ge "$SETTLE" ] && break
	else
		stable=0
	fi
	seen=$now
	kill -0 "$job" 2>/dev/null || break
done
kill -TERM -"$job" 2>/dev/null
sleep 0.3
kill -KILL -"$job" 2>/dev/null
echo "ports:${seen%,}"
`

type row struct {
	id, argv, env, files, ports, source string
}

func main() {
	limit := flag.Duration("timeout", 30*time.Second, "the longest a case may take to listen")
	flag.Parse()
	here := "bench/realports"
	cases, err := readRows(filepath.Join(here, "cases.tsv"))
	if err != nil {
		fail(err)
	}
	tools, err := realTools()
	if err != nil {
		fail(err)
	}
	only := flag.Args()
	observedPath := filepath.Join(here, "observed.tsv")
	previous, _ := readRows(observedPath)
	byID := map[string]row{}
	for _, r := range previous {
		byID[r.id] = r
	}
	for _, c := range cases {
		if len(only) > 0 && !slices.Contains(only, c.id) {
			continue
		}
		ports, err := observe(c, tools, *limit)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c.id, err)
			continue
		}
		c.ports = ports
		byID[c.id] = c
		fmt.Printf("%s\t%s\t%s\n", c.id, ports, c.argv)
	}
	out, err := os.Create(observedPath)
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "# Observed by `go run ./bench/realports` on %s (%s): the ports each case's\n", time.Now().Format("2006-01-02"), toolVersions(tools))
	fmt.Fprintln(w, "# process tree really listened on, in a network namespace of its own. Same format as")
	fmt.Fprintln(w, "# testdata/port-cases.tsv; TestInferPortCases checks portguard infer against it.")
	fmt.Fprintln(w, "id\targv\tenv\tfiles\tports\tsource")
	for _, c := range cases {
		if r, ok := byID[c.id]; ok {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.id, r.argv, r.env, r.files, r.ports, c.source)
		}
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
	if err := out.Close(); err != nil {
		fail(err)
	}
}

// observe runs one case and returns the ports it listened on ("-" for
// none), sorted.
func observe(c row, tools string, limit time.Duration) (string, error) {
	dir, err := os.MkdirTemp("", "realports-"+c.id+"-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if c.files != "-" {
		var files map[string]string
		if err := json.Unmarshal([]byte(c.files), &files); err != nil {
			return "", fmt.Errorf("files: %w", err)
		}
		for name, text := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return "", err
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				return "", err
			}
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "node_modules")); err != nil {
		if err := os.Symlink(filepath.Join(tools, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
			return "", err
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		return "", err
	}
	// The environment is the case's alone, plus what running needs: the
	// project's bins, then Debian's interpreters.
	env := []string{
		"PATH=" + filepath.Join(dir, "node_modules", ".bin") + ":/usr/local/go/bin:/usr/bin:/bin:/usr/sbin:/sbin",
		"HOME=" + dir, "NEXT_TELEMETRY_DISABLED=1", "BROWSER=none", "NO_COLOR=1", "CI=",
		"LOG=" + filepath.Join(dir, ".observe.log"),
		"LIMIT=" + strconv.Itoa(int(limit/(200*time.Millisecond))), "SETTLE=10",
		"GOCACHE=" + goEnv("GOCACHE"), "GOMODCACHE=" + goEnv("GOMODCACHE"), "GOFLAGS=-mod=mod", "GOPROXY=off",
	}
	if c.env != "-" {
		var vars map[string]string
		if err := json.Unmarshal([]byte(c.env), &vars); err != nil {
			return "", fmt.Errorf("env: %w", err)
		}
		for k, v := range vars {
			env = append(env, k+"="+v)
		}
	}
	cmd := exec.Command("unshare", "-n", "--", "sh", "-c", observeScript+"\n", "observe", "sh", "-c", c.argv)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("unshare: %w", err)
	}
	text := string(out)
	i := strings.LastIndex(text, "ports:")
	if i < 0 {
		return "", fmt.Errorf("no observation in %q", text)
	}
	ports := strings.TrimSpace(text[i+len("ports:"):])
	if ports == "" {
		log, _ := os.ReadFile(filepath.Join(dir, ".observe.log"))
		fmt.Fprintf(os.Stderr, "%s listened on nothing; its output:\n%s\n", c.id, clip(string(log)))
		return "-", nil
	}
	return ports, nil
}

func clip(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

func goEnv(name string) string {
	out, _ := exec.Command("go", "env", name).Output()
	return strings.TrimSpace(string(out))
}

// realTools is the directory bench/realports/setup installed the npm
// tools into: the real-tools tier's cache, keyed by its lock file.
func realTools() (string, error) {
	lock, err := os.ReadFile("testdata/realtools/package-lock.json")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "portguard", "realtools", hex.EncodeToString(sum[:])[:16])
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		return "", fmt.Errorf("the npm tools are not installed: run bench/realports/setup")
	}
	return dir, nil
}

// toolVersions names the versions the observations were made with.
func toolVersions(tools string) string {
	var vs []string
	for _, pkg := range []string{"vite", "next", "express", "http-server", "nodemon", "concurrently", "dotenv"} {
		b, err := os.ReadFile(filepath.Join(tools, "node_modules", pkg, "package.json"))
		var p struct{ Version string }
		if err == nil && json.Unmarshal(b, &p) == nil {
			vs = append(vs, pkg+" "+p.Version)
		}
	}
	for _, probe := range [][]string{{"node", "--version"}, {"npm", "--version"}, {"/usr/bin/python3", "-c", "import sys, uvicorn; from importlib.metadata import version; print('python %d.%d, flask %s, uvicorn %s' % (sys.version_info[0], sys.version_info[1], version('flask'), uvicorn.__version__))"}, {"/usr/bin/ruby", "-e", "require 'sinatra/base'; print 'ruby ' + RUBY_VERSION + ', sinatra ' + Sinatra::VERSION"}} {
		cmd := exec.Command(probe[0], probe[1:]...)
		cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
		if out, err := cmd.Output(); err == nil {
			v := strings.TrimSpace(string(out))
			if probe[0] == "node" || probe[0] == "npm" {
				v = probe[0] + " " + strings.TrimPrefix(v, "v")
			}
			vs = append(vs, v)
		}
	}
	return strings.Join(vs, ", ")
}

func readRows(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "id\t") {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) < 5 {
			return nil, fmt.Errorf("%s: bad row %q", path, line)
		}
		r := row{id: col[0], argv: col[1], env: col[2], files: col[3], ports: col[4]}
		if len(col) > 5 {
			r.source = col[5]
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "realports:", err)
	os.Exit(1)
}
