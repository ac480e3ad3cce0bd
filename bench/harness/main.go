//go:build linux

// Command harness measures portguard against the tools users compare it
// with, side by side in one run, and prints one table of medians and
// ratios with each goal and whether it is met. bench/run builds what it
// needs and calls it; see the README's Performance section.
//
// Each comparison runs its commands alternately, A B A B …, so that a
// change in the machine's load touches both sides alike. Every process the
// harness starts (listeners, idle processes) is ended by PID before it
// exits, also on Ctrl-C.
package main

import (
	"bufio"
	"cmp"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-listen" {
		listen(os.Args[2])
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "-listen-many" {
		listenMany(must(strconv.Atoi(os.Args[2])))
		return
	}
	pg := flag.String("portguard", "", "the portguard binary to measure, built as install.sh builds it")
	ref := flag.String("reference", "", "bench/reference, the bind-probe-and-exec floor")
	runs := flag.Int("runs", 60, "runs of each command per comparison")
	hookLines := flag.Int("hook-lines", 100, "lines of each kind typed into each shell per run, measuring the hooks")
	shells := flag.String("shells", "bash,zsh,fish", "the shells whose hooks are measured, those of them installed")
	only := flag.String("only", "", `"hooks": measure the shell hooks alone (bench/hook-cost.sh); "free": freeing a held port against fuser -k, at the start and with 1,000 processes`)
	cardRef := flag.String("card-reference", "", "bench/reference built with -tags card: the floor with the design card's libraries linked (optional)")
	docs := flag.String("docs", "", "write the table, as Markdown, to PAGE-table.md and into PAGE between its bench/run markers (docs/performance.md)")
	flag.Parse()
	if *pg == "" || *ref == "" && *only == "" {
		fmt.Fprintln(os.Stderr, "usage: harness -portguard BIN -reference BIN [-card-reference BIN] [-runs N] [-hook-lines N] [-docs PAGE]\n       harness -portguard BIN -only hooks|free [-runs N] [-hook-lines N]")
		os.Exit(2)
	}
	b := &bench{pg: *pg, ref: *ref, cardRef: *cardRef, runs: *runs, shells: strings.Split(*shells, ","), work: must(os.MkdirTemp("", "portguard-bench-"))}
	defer b.cleanup()
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-interrupted
		b.cleanup()
		os.Exit(130)
	}()
	switch *only {
	case "hooks":
		fmt.Printf("portguard's shell hooks: %s, load average %s\n\n", machine(), loadAverage())
		b.hookCosts(*hookLines, 5)
		b.print()
	case "free":
		fmt.Printf("freeing a held port: %s, load average %s\n\n", machine(), loadAverage())
		b.freeHeld(fmt.Sprintf("free a held port, %d processes", processCount()), 1.0, true)
		b.idleUntil(1000)
		b.freeHeld(fmt.Sprintf("free a held port, %d processes", processCount()), 0.35, false)
		b.print()
	default:
		b.run(*hookLines)
	}
	if *docs != "" {
		if err := b.writeDocs(*docs); err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
			b.failed = true
		}
	}
	if b.failed {
		b.cleanup()
		os.Exit(1)
	}
}

type bench struct {
	pg, ref string
	cardRef string
	runs    int
	shells  []string // whose hooks are measured
	work    string
	// The machine's state when the run started, for the table.
	processes int
	load      string
	started   []*exec.Cmd // ended by PID in cleanup
	rows      []row
	failed    bool
}

// row is one line of the table: a measured value, its reference, and the
// goal for their ratio.
type row struct {
	what      string
	a, b      string // what was compared
	am, bm    time.Duration
	ratio     float64
	goal      float64 // ratio must be ≤ goal; 0 = no goal, informational
	goalLabel string
	value     string // for rows that are not timings
	met       *bool
}

func (b *bench) run(hookLines int) {
	b.processes, b.load = processCount(), loadAverage()
	fmt.Printf("portguard benchmark: %s, %d runs per command, medians\n", machine(), b.runs)
	fmt.Printf("processes on the machine at start: %d, load average %s\n\n", b.processes, b.load)

	free := freePort()
	// The floor is the reference with the design card's libraries linked
	// (survey/v2, urfave/cli/v2, go-isatty): their package initialisation
	// runs before main in any program that links them, so no portguard
	// can start faster than that floor.
	floor := b.ref
	if b.cardRef != "" {
		floor = b.cardRef
		b.compare("floor with the card's libraries linked", "reference + survey, urfave/cli, go-isatty", "reference", 0,
			[]string{b.cardRef, strconv.Itoa(free), "true"},
			[]string{b.ref, strconv.Itoa(free), "true"}, "")
	}
	b.compare("free path, -p", fmt.Sprintf("portguard -q -p %d -- true", free), "floor", 1.15,
		[]string{b.pg, "-q", "-p", strconv.Itoa(free), "--", "true"},
		[]string{floor, strconv.Itoa(free), "true"}, "")

	b.initCost(free)
	b.pageFaults(free, floor)

	project, path := b.project(free)
	b.compare("free path, inferred", "portguard -q -- npm run dev (package.json + .env)", "floor", 1.3,
		[]string{b.pg, "-q", "--", "npm", "run", "dev"},
		[]string{floor, strconv.Itoa(free), "npm", "run", "dev"}, project, "PATH="+path)

	b.freeHeld("free a held port", 1.0, true)

	b.hookCosts(hookLines, 5)

	held, _ := b.listener()
	port := strconv.Itoa(held)
	which := []string{b.pg, "which", port}
	lsof := []string{"lsof", "-nP", "-iTCP:" + port, "-sTCP:LISTEN"}
	ss := []string{"ss", "-ltnpH", "sport = :" + port}
	n := processCount()
	// lsof carries no goal: what it costs depends on what it scans (every
	// open file of every process, whatever the port), so a ratio to it
	// says more about the machine than about portguard. ss reads what
	// portguard reads.
	b.compare(fmt.Sprintf("held path, %d processes", n), "portguard which P", "lsof", 0, which, lsof, "")
	b.compare(fmt.Sprintf("held path, %d processes", n), "portguard which P", "ss -ltnp", 1.0, which, ss, "")
	b.compare(fmt.Sprintf("every listening port, %d processes", n), "portguard ls", "ss -ltnp", 1.0,
		[]string{b.pg, "ls"}, []string{"ss", "-ltnpH"}, "")
	b.rss(which)
	b.size()

	growth := map[int]time.Duration{}
	for _, target := range []int{100, 1000, 3000} {
		// The worst case for portguard: a listener older than the idle
		// processes, which its newest-first scan of /proc reads before
		// it (ss reads them all in any case).
		held, pid := b.listener()
		b.idleUntil(target)
		fmt.Printf("at %d processes, portguard's newest-first scan reads %d before the listener (PIDs wrap at %s)\n",
			processCount(), newerPIDs(pid), readTrim("/proc/sys/kernel/pid_max"))
		port := strconv.Itoa(held)
		which := []string{b.pg, "which", port}
		ss := []string{"ss", "-ltnpH", "sport = :" + port}
		if target == 1000 {
			r := b.compare(fmt.Sprintf("held path, %d processes", processCount()), "portguard which P", "ss -ltnp", 0.5, which, ss, "")
			growth[target] = r.am
			b.freeHeld(fmt.Sprintf("free a held port, %d processes", processCount()), 0.35, false)
			b.compare(fmt.Sprintf("every listening port, %d processes", processCount()), "portguard ls", "ss -ltnp", 0.5,
				[]string{b.pg, "ls"}, []string{"ss", "-ltnpH"}, "")
		} else {
			growth[target] = b.time(which)
		}
	}
	b.growth(growth)
	b.manyListeners(10000)
	b.print()
}

// manyListeners measures ls, which and free (--dry-run) at n listeners held
// by one process, against ss listing them: each must stay linear in the
// number of ports (one dump of the socket table, one scan of the
// processes), where a look per port grew with the square.
func (b *bench) manyListeners(n int) {
	self := must(os.Executable())
	cmd := exec.Command(self, "-listen-many", strconv.Itoa(n))
	out := must(cmd.StdoutPipe())
	must0(cmd.Start())
	b.started = append(b.started, cmd)
	r := bufio.NewReader(out)
	var ports []string
	for range n {
		line, err := r.ReadString('\n')
		if err != nil {
			fmt.Fprintf(os.Stderr, "harness: %d listeners: %v\n", n, err)
			b.failed = true
			return
		}
		ports = append(ports, strings.TrimSpace(line))
	}
	what := fmt.Sprintf("%d listeners in one process", n)
	ss := []string{"ss", "-ltnpH"}
	b.compare(what, "portguard ls", "ss -ltnp", 2.0, []string{b.pg, "ls"}, ss, "")
	b.compare(what, "portguard which (every port)", "ss -ltnp", 3.0, append([]string{b.pg, "which"}, ports...), ss, "")
	b.compare(what, "portguard free --dry-run (every port)", "ss -ltnp", 3.0, append([]string{b.pg, "free", "--dry-run"}, ports...), ss, "")
}

// listenMany listens on n loopback ports and prints each, one a line.
func listenMany(n int) {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < uint64(n)+64 {
		// Root may raise the hard limit too; anyone else gets what the
		// hard limit allows, and the listen below says if it is short.
		want := lim
		want.Cur, want.Max = uint64(n)+64, max(lim.Max, uint64(n)+64)
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) != nil {
			lim.Cur = lim.Max
			_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
	}
	w := bufio.NewWriter(os.Stdout)
	var held []net.Listener
	for range n {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		held = append(held, ln)
		fmt.Fprintln(w, ln.Addr().(*net.TCPAddr).Port)
	}
	w.Flush()
	for {
		time.Sleep(time.Hour) // held: the listeners stay open until killed
		_ = held
	}
}

// compare times a and b alternately and records the ratio of medians.
func (b *bench) compare(what, aName, bName string, goal float64, a, c []string, dir string, env ...string) row {
	for _, cmd := range [][]string{a, c} { // warm up caches and check both work
		if err := runOnce(cmd, dir, env); err != nil {
			fmt.Fprintf(os.Stderr, "harness: %s: %v\n", strings.Join(cmd, " "), err)
			b.failed = true
		}
	}
	var at, bt []time.Duration
	for range b.runs {
		at = append(at, timed(a, dir, env))
		bt = append(bt, timed(c, dir, env))
	}
	r := row{what: what, a: aName, b: bName, am: median(at), bm: median(bt), goal: goal}
	r.ratio = float64(r.am) / float64(r.bm)
	if goal == 0 {
		r.goalLabel = "(no goal)"
		b.rows = append(b.rows, r)
		return r
	}
	met := r.ratio <= goal
	r.met = &met
	r.goalLabel = "≤ " + strconv.FormatFloat(goal, 'f', -1, 64) + "×"
	b.rows = append(b.rows, r)
	return r
}

// freeHeld times freeing a held port end to end, against the tools users
// would otherwise pick, side by side: from the tool's start until the port
// can be bound, each run with a fresh listener that exits at once on
// SIGTERM. fuser -k (SIGKILL, no grace, no checks) carries the goal;
// lsof with kill always, and kill-port and fkill when installed, are
// printed beside it.
func (b *bench) freeHeld(what string, goal float64, bound bool) {
	tools := []struct {
		name string
		cmd  func(port string) []string
	}{
		{"portguard -y -q -p P -- true", func(p string) []string { return []string{b.pg, "-y", "-q", "-p", p, "--", "true"} }},
		{"fuser -k P/tcp", func(p string) []string { return []string{"fuser", "-s", "-k", p + "/tcp"} }},
		{"lsof -t | xargs kill", func(p string) []string {
			return []string{"sh", "-c", "lsof -t -iTCP:" + p + " -sTCP:LISTEN | xargs -r kill"}
		}},
	}
	for _, extra := range []struct{ bin, name string }{{"kill-port", "kill-port P"}, {"fkill", "fkill -f :P"}} {
		if path, err := exec.LookPath(extra.bin); err == nil {
			if extra.bin == "kill-port" {
				tools = append(tools, struct {
					name string
					cmd  func(string) []string
				}{extra.name, func(p string) []string { return []string{path, p} }})
			} else {
				tools = append(tools, struct {
					name string
					cmd  func(string) []string
				}{extra.name, func(p string) []string { return []string{path, "-f", ":" + p} }})
			}
		}
	}
	if _, err := exec.LookPath("fuser"); err != nil {
		fmt.Fprintln(os.Stderr, "harness: fuser is not installed (apt-get install psmisc); the held-port goal is not measured")
		b.failed = true
		return
	}
	times := make([][]time.Duration, len(tools))
	// With bound, the floor with the card's libraries is timed in the
	// same rounds, on a free port: what any program that links them
	// spends before it can free anything, beside what fuser spends on the
	// whole job. (With 1,000 more processes it would bound nothing: the
	// floor scans none.)
	floorCmd := []string{b.cardRef, strconv.Itoa(freePort()), "true"}
	bound = bound && b.cardRef != ""
	if bound && runOnce(floorCmd, "", nil) != nil {
		b.fail("%s: the floor with the card's libraries failed", what)
		bound = false
	}
	var floor []time.Duration
	for range b.runs {
		for i, tool := range tools {
			times[i] = append(times[i], b.freeOnce(tool.cmd))
		}
		if bound {
			floor = append(floor, timed(floorCmd, "", nil))
		}
	}
	pg, fuser := median(times[0]), median(times[1])
	met := float64(pg)/float64(fuser) <= goal
	b.rows = append(b.rows, row{what: what, a: tools[0].name, b: tools[1].name, am: pg, bm: fuser,
		ratio: float64(pg) / float64(fuser), goal: goal, goalLabel: "≤ " + strconv.FormatFloat(goal, 'f', -1, 64) + "×", met: &met})
	if bound {
		f := median(floor)
		b.rows = append(b.rows, row{what: what + ": the bound", a: "floor with the card's libraries (starts, probes, execs; frees nothing)",
			b: tools[1].name, am: f, bm: fuser, ratio: float64(f) / float64(fuser), goalLabel: "(no goal)"})
	}
	for i := 2; i < len(tools); i++ {
		m := median(times[i])
		b.rows = append(b.rows, row{what: what, a: tools[0].name, b: tools[i].name, am: pg, bm: m,
			ratio: float64(pg) / float64(m), goalLabel: "(no goal)"})
	}
}

// freeOnce starts a listener, then times cmd from its start until the
// listener's port can be bound.
func (b *bench) freeOnce(cmd func(port string) []string) time.Duration {
	port, _ := b.listener()
	listener := b.started[len(b.started)-1]
	b.started = b.started[:len(b.started)-1]
	done := make(chan struct{})
	go func() { _ = listener.Wait(); close(done) }() // reaped at once, as a shell reaps its job
	start := time.Now()
	_ = runOnce(cmd(strconv.Itoa(port)), "", nil)
	for !bindable(port) {
		if time.Since(start) > 10*time.Second {
			b.failed = true
			break
		}
		time.Sleep(50 * time.Microsecond)
	}
	elapsed := time.Since(start)
	_ = listener.Process.Kill()
	<-done
	return elapsed
}

func bindable(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// initCost prints what package initialisation costs on the free path, by
// GODEBUG=inittrace=1, summed per module: work that runs before main on
// every start, whether or not the run needs it.
func (b *bench) initCost(port int) {
	type cost struct {
		module string
		ms     float64
		bytes  int
	}
	var total float64
	byModule := map[string]*cost{}
	for range 5 { // the median trace would need per-run alignment; five runs averaged are enough
		cmd := exec.Command(b.pg, "-q", "-p", strconv.Itoa(port), "--", "true")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		out, _ := cmd.CombinedOutput()
		for line := range strings.SplitSeq(string(out), "\n") {
			// init internal/bytealg @0.004 ms, 0.002 ms clock, 0 bytes, 0 allocs
			f := strings.Fields(line)
			if len(f) < 8 || f[0] != "init" {
				continue
			}
			ms, _ := strconv.ParseFloat(f[4], 64)
			bytes, _ := strconv.Atoi(f[7])
			mod := module(f[1])
			if byModule[mod] == nil {
				byModule[mod] = &cost{module: mod}
			}
			byModule[mod].ms += ms / 5
			byModule[mod].bytes += bytes / 5
			total += ms / 5
		}
	}
	list := make([]*cost, 0, len(byModule))
	for _, c := range byModule {
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b *cost) int { return cmp.Compare(b.ms, a.ms) })
	fmt.Printf("package initialisation on the free path (GODEBUG=inittrace=1, mean of 5): %.2f ms in all; the largest:\n", total)
	for _, c := range list[:min(6, len(list))] {
		fmt.Printf("  %-40s %.3f ms  %d bytes\n", c.module, c.ms, c.bytes)
	}
	fmt.Println()
}

// pageFaults prints the minor page faults of a free-path run beside the
// floors'. They are what start-up costs on a machine like this one (each
// is a few microseconds here, and a larger binary touches more pages
// before main), and unlike its time they hardly vary from run to run.
func (b *bench) pageFaults(port int, floor string) {
	faults := func(cmd ...string) int64 {
		var n []int64
		for range 21 {
			c := exec.Command(cmd[0], cmd[1:]...)
			if c.Run() != nil {
				return -1
			}
			if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
				n = append(n, ru.Minflt)
			}
		}
		slices.Sort(n)
		return n[len(n)/2]
	}
	p := strconv.Itoa(port)
	pg, fl, ref := faults(b.pg, "-q", "-p", p, "--", "true"), faults(floor, p, "true"), faults(b.ref, p, "true")
	fmt.Printf("minor page faults of one run (median of 21, the exec'd true's own included): portguard -p %d, floor %d, reference %d\n\n", pg, fl, ref)
	b.rows = append(b.rows, row{what: "minor page faults of one free-path run (median of 21, true's own included)",
		value: fmt.Sprintf("portguard %d, floor %d, reference %d", pg, fl, ref), goalLabel: "(no goal)"})
}

// module names the module a package belongs to, roughly: the standard
// library, or the first three path elements.
func module(pkg string) string {
	parts := strings.Split(pkg, "/")
	if !strings.Contains(parts[0], ".") {
		return "std"
	}
	return strings.Join(parts[:min(3, len(parts))], "/")
}

// time is the median of one command alone.
func (b *bench) time(cmd []string) time.Duration {
	var ts []time.Duration
	for range b.runs {
		ts = append(ts, timed(cmd, "", nil))
	}
	return median(ts)
}

func runOnce(cmd []string, dir string, env []string) error {
	c := command(cmd, dir, env)
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func timed(cmd []string, dir string, env []string) time.Duration {
	c := command(cmd, dir, env)
	start := time.Now()
	_ = c.Run() // "which" exits 1 on a free port; the time still counts
	return time.Since(start)
}

func command(cmd []string, dir string, env []string) *exec.Cmd {
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Dir = dir
	c.Env = append(os.Environ(), env...)
	return c
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// project makes the project the inferred free path runs in: a Create
// React App project whose .env moves it to a free port, and an "npm" on PATH that is
// /bin/true, so that both sides exec the same trivial program.
func (b *bench) project(port int) (dir, path string) {
	dir = filepath.Join(b.work, "web")
	bin := filepath.Join(b.work, "bin")
	must0(os.MkdirAll(dir, 0o755))
	must0(os.MkdirAll(bin, 0o755))
	must0(os.WriteFile(filepath.Join(dir, "package.json"),
		[]byte(`{"name":"web","private":true,"scripts":{"dev":"react-scripts start","build":"react-scripts build"},"dependencies":{"react-scripts":"5.0.1"}}`+"\n"), 0o644))
	must0(os.WriteFile(filepath.Join(dir, ".env"), []byte(fmt.Sprintf("BROWSER=none\nPORT=%d\n", port)), 0o644))
	truePath := must(exec.LookPath("true"))
	must0(os.Symlink(truePath, filepath.Join(bin, "npm")))
	cmd := exec.Command(b.pg, "infer", "--explain", "--", "npm", "run", "dev")
	cmd.Dir = dir
	explain, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "harness: portguard infer in %s: %v\n", dir, err)
		b.failed = true
	}
	fmt.Printf("inferred for the free path's project: %s\n", explain)
	return dir, bin + ":" + os.Getenv("PATH")
}

// listener starts a process listening on a free loopback port.
func (b *bench) listener() (port, pid int) {
	self := must(os.Executable())
	cmd := exec.Command(self, "-listen", "127.0.0.1:0")
	out := must(cmd.StdoutPipe())
	must0(cmd.Start())
	b.started = append(b.started, cmd)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		panic(err)
	}
	port, err = strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		panic(line)
	}
	return port, cmd.Process.Pid
}

// newerPIDs counts the processes with a PID above pid.
func newerPIDs(pid int) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if p, err := strconv.Atoi(e.Name()); err == nil && p > pid {
			n++
		}
	}
	return n
}

func readTrim(name string) string {
	b, _ := os.ReadFile(name)
	return strings.TrimSpace(string(b))
}

func listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
	}
}

// idleUntil starts idle processes until the machine has n.
func (b *bench) idleUntil(n int) {
	for have := processCount(); have < n; have++ {
		cmd := exec.Command("sleep", "3600")
		must0(cmd.Start())
		b.started = append(b.started, cmd)
	}
}

func (b *bench) rss(cmd []string) {
	c := command(cmd, "", nil)
	_ = c.Run()
	kib := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	met := kib <= 15*1024
	b.rows = append(b.rows, row{what: "peak RSS of portguard which P", value: fmt.Sprintf("%.1f MiB", float64(kib)/1024), goalLabel: "≤ 15 MiB", met: &met})
}

func (b *bench) size() {
	fi := must(os.Stat(b.pg))
	met := fi.Size() <= 12<<20
	b.rows = append(b.rows, row{what: "binary size (stripped, as install.sh builds it)", value: fmt.Sprintf("%.1f MiB", float64(fi.Size())/(1<<20)), goalLabel: "≤ 12 MiB", met: &met})
}

// growth checks that the held path grows no faster than linearly in the
// number of processes: from 1,000 to 3,000 it may at most triple.
func (b *bench) growth(t map[int]time.Duration) {
	ratio := float64(t[3000]) / float64(t[1000])
	met := ratio <= 3
	b.rows = append(b.rows, row{what: "held path growth",
		value:     fmt.Sprintf("%s at 100, %s at 1,000, %s at 3,000 processes (3,000 / 1,000 = %.2f×)", ms(t[100]), ms(t[1000]), ms(t[3000]), ratio),
		goalLabel: "≤ 3× (linear)", met: &met})
}

// The generated table is a file of its own beside the page (TableFile),
// and the page includes it between these lines, as the same text:
// docs_test.go checks that they agree, so that nobody edits either.
const (
	docsBegin = "<!-- bench/run writes this table: do not edit by hand -->"
	docsEnd   = "<!-- end of bench/run's table -->"
)

// tableFile is where the table of a page is written: performance.md's in
// performance-table.md.
func tableFile(page string) string {
	return strings.TrimSuffix(page, ".md") + "-table.md"
}

// writeDocs writes this run's table, with the machine, the load and the
// date, to the page's table file, and the same text between the markers
// in the page.
func (b *bench) writeDocs(page string) error {
	old, err := os.ReadFile(page)
	if err != nil {
		return err
	}
	table := b.table()
	if err := os.WriteFile(tableFile(page), []byte(table), 0o644); err != nil {
		return err
	}
	text, err := include(string(old), table)
	if err != nil {
		return fmt.Errorf("%s: %v", page, err)
	}
	return os.WriteFile(page, []byte(text), 0o644)
}

// include puts table between the markers of page.
func include(page, table string) (string, error) {
	before, rest, ok := strings.Cut(page, docsBegin)
	_, after, ok2 := strings.Cut(rest, docsEnd)
	if !ok || !ok2 {
		return "", fmt.Errorf("no bench/run markers")
	}
	return before + docsBegin + "\n\n" + table + "\n" + docsEnd + after, nil
}

// table is the run's table as Markdown: every row, each goal with met or
// not, and the machine it ran on.
func (b *bench) table() string {
	var t strings.Builder
	fmt.Fprintf(&t, "`bench/run -runs %d` on %s, %d processes and a load average of %s at the start, %s (medians):\n\n",
		b.runs, machine(), b.processes, b.load, time.Now().UTC().Format("2006-01-02"))
	t.WriteString("| what | portguard | against | ratio | goal | met |\n|---|---|---|---|---|---|\n")
	met := true
	for _, r := range b.rows {
		status := ""
		if r.met != nil {
			status = "yes"
			if !*r.met {
				status, met = "**no**", false
			}
		}
		cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
		if r.value != "" {
			fmt.Fprintf(&t, "| %s | %s | | | %s | %s |\n", cell(r.what), cell(r.value), cell(r.goalLabel), status)
			continue
		}
		fmt.Fprintf(&t, "| %s: `%s` | %s | %s %s | %.2f× | %s | %s |\n", cell(r.what), cell(r.a), ms(r.am), cell(r.b), ms(r.bm), r.ratio, cell(r.goalLabel), status)
	}
	if met {
		t.WriteString("\nEvery goal is met in this run.\n")
	} else {
		t.WriteString("\nNot every goal is met in this run.\n")
	}
	return t.String()
}

func (b *bench) print() {
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "what\tportguard\tvs\tratio\tgoal\tmet")
	for _, r := range b.rows {
		status := "yes"
		switch {
		case r.met == nil:
			status = ""
		case !*r.met:
			status = "NO"
			b.failed = true
		}
		if r.value != "" {
			fmt.Fprintf(w, "%s\t%s\t\t\t%s\t%s\n", r.what, r.value, r.goalLabel, status)
			continue
		}
		fmt.Fprintf(w, "%s: %s\t%s\t%s %s\t%.2f×\t%s\t%s\n", r.what, r.a, ms(r.am), r.b, ms(r.bm), r.ratio, r.goalLabel, status)
	}
	w.Flush()
	if b.failed {
		fmt.Println("\nnot every goal is met")
	} else {
		fmt.Println("\nevery goal is met")
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// cleanup ends every process the harness started, by PID.
func (b *bench) cleanup() {
	for _, c := range b.started {
		if c.Process != nil {
			_ = c.Process.Kill()
			_, _ = c.Process.Wait()
		}
	}
	b.started = nil
	os.RemoveAll(b.work)
}

// loadAverage is the one-minute load average: a busy machine's figures
// are not a quiet one's.
func loadAverage() string {
	f := strings.Fields(readTrim("/proc/loadavg"))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

func processCount() int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			n++
		}
	}
	return n
}

func freePort() int {
	ln := must(net.Listen("tcp", "127.0.0.1:0"))
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var u syscall.Utsname
	_ = syscall.Uname(&u)
	release := make([]byte, 0, len(u.Release))
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		release = append(release, byte(c))
	}
	return fmt.Sprintf("%s, %d CPUs, Linux %s", cpu, runtime.NumCPU(), release)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func must0(err error) {
	if err != nil {
		panic(err)
	}
}
