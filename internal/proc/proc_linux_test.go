package proc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Stat
		bad  bool
	}{
		{"plain", "42 (node) S 1 42 42 34816 42 4194560 0 0 0 0 0 0 0 0 20 0 11 0 12345 0 0",
			Stat{PID: 42, PPID: 1, PGID: 42, SID: 42, TTY: 34816, Comm: "node", State: 'S', StartTicks: 12345}, false},
		{"comm with spaces and parens", "7 (a) b (c)) Z 3 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0",
			Stat{PID: 7, PPID: 3, PGID: 7, SID: 7, Comm: "a) b (c)", State: 'Z', StartTicks: 99}, false},
		{"truncated", "7 (a) S 1 2", Stat{}, true},
		{"no parens", "7 a S 1 2 3", Stat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.want.PID, []byte(tt.line))
			if (err != nil) != tt.bad {
				t.Fatalf("err = %v, want error %v", err, tt.bad)
			}
			if !tt.bad && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSelf(t *testing.T) {
	pid := os.Getpid()
	st, err := ReadStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	if st.PPID != os.Getppid() || st.State == 0 || st.Comm == "" {
		t.Errorf("stat = %+v", st)
	}
	if age := time.Since(st.Started()); age < 0 || age > time.Hour {
		t.Errorf("started %v ago", age)
	}
	if uid, err := EffectiveUID(pid); err != nil || uid != os.Geteuid() {
		t.Errorf("EffectiveUID = %d, %v", uid, err)
	}
	argv, err := Cmdline(pid)
	if err != nil || !slices.Equal(argv, os.Args) {
		t.Errorf("Cmdline = %q, %v; want %q", argv, err, os.Args)
	}
	wd, _ := os.Getwd()
	if cwd, err := Cwd(pid); err != nil || cwd != wd {
		t.Errorf("Cwd = %q, %v; want %q", cwd, err, wd)
	}
	pids, err := PIDs()
	if err != nil || !slices.Contains(pids, pid) || !slices.Contains(pids, os.Getppid()) {
		t.Errorf("PIDs() misses this process or its parent: %v", err)
	}
	if kids := Children(os.Getppid()); !slices.Contains(kids, pid) {
		t.Errorf("Children(parent) = %v, want it to contain %d", kids, pid)
	}
}

func TestSocketsFindsAListener(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	want := fi.Sys().(*syscall.Stat_t).Ino
	var found []uint64
	if err := Sockets(os.Getpid(), func(inode uint64) bool { found = append(found, inode); return true }); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(found, want) {
		t.Fatalf("Sockets found %v, want it to contain the listener's inode %d", found, want)
	}
	stopped := 0
	_ = Sockets(os.Getpid(), func(uint64) bool { stopped++; return false })
	if stopped != 1 {
		t.Errorf("fn was called %d times after returning false, want once", stopped)
	}
	if err := Sockets(1<<22+1, func(uint64) bool { return true }); err == nil {
		t.Error("no error for a PID that does not exist")
	}
}

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{"node\x00server.js\x00", []string{"node", "server.js"}},
		// npm run dev, as the real npm 11 leaves it (process.title).
		{"npm run dev\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", []string{"npm", "run", "dev"}},
		{"next-server (v16.0.3)\x00\x00\x00\x00\x00\x00\x00", []string{"next-server", "(v16.0.3)"}},
		// One real argument with a blank in it ends in a single NUL.
		{"/opt/My App/server\x00", []string{"/opt/My App/server"}},
		{"sleep\x00", []string{"sleep"}},
	}
	for _, tt := range tests {
		if got := ParseCmdline([]byte(tt.raw)); !slices.Equal(got, tt.want) {
			t.Errorf("ParseCmdline(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct {
		comm string
		argv []string
		want string
	}{
		{"node", []string{"node", "server.js"}, "node"},
		{"npm run dev", []string{"npm", "run", "dev"}, "npm"},
		{"next-server (v1", []string{"next-server", "(v16.0.3)"}, "next-server"},
		{"webpack-dev-ser", []string{"/app/node_modules/.bin/webpack-dev-server"}, "webpack-dev-server"},
		{"a-fifteen-chars", []string{"/bin/other"}, "a-fifteen-chars"},
		{"kworker/0:1", nil, "kworker/0:1"},
	}
	for _, tt := range tests {
		if got := DisplayName(tt.comm, tt.argv); got != tt.want {
			t.Errorf("DisplayName(%q, %q) = %q, want %q", tt.comm, tt.argv, got, tt.want)
		}
	}
}

// A process started after LastPID has an ID above it, and IsProcess tells
// a process from one of its threads.
func TestLastPIDAndIsProcess(t *testing.T) {
	mark, ok := LastPID()
	if !ok {
		t.Skip("/proc is not this PID namespace's")
	}
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	now, _ := LastPID()
	if pid := cmd.Process.Pid; pid <= mark || pid > now {
		t.Fatalf("started pid %d, not in (%d, %d]", pid, mark, now)
	}
	if !IsProcess(cmd.Process.Pid) || !IsProcess(os.Getpid()) {
		t.Fatal("IsProcess: a process is not one")
	}
	thread := 0
	_ = readDir(path(os.Getpid(), "task"), func(tid string) bool {
		if n, _ := strconv.Atoi(tid); n != os.Getpid() {
			thread = n
			return false
		}
		return true
	})
	if thread == 0 {
		t.Skip("no other thread to look at")
	}
	if IsProcess(thread) {
		t.Fatalf("IsProcess: thread %d of pid %d is taken for a process", thread, os.Getpid())
	}
}

// A zombie leader: a process whose first thread has exited while another
// runs on, holding the listener. Its own fd directory is empty; the
// socket is found through its live thread. (The child is this test
// binary, started as a listener by TestMain's PROC_TEST_ZOMBIE_LEADER.)
func TestSocketsOfAZombieLeader(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PROC_TEST_ZOMBIE_LEADER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var inode uint64
	if _, err := fmt.Fscan(out, &inode); err != nil {
		t.Fatalf("reading the child's socket inode: %v", err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := ReadStat(pid)
		if err == nil && st.State == 'Z' {
			break // the leader is gone; its other threads run
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child's first thread did not exit: %+v, %v", st, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if entries, _ := os.ReadDir(path(pid, "fd")); len(entries) != 0 {
		t.Fatalf("a zombie leader's own fd directory lists %d entries, want none", len(entries))
	}
	found := false
	if err := Sockets(pid, func(i uint64) bool { found = found || i == inode; return true }); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Errorf("Sockets(%d) did not find the listener (inode %d) its live thread holds", pid, inode)
	}
}

// The kernel's threads are passed over; this process, PID 1 and a child
// started now never are. (Under a PID namespace of its own the set is
// empty.)
func TestKernelThreads(t *testing.T) {
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	set := readKernelThreads()
	for _, pid := range []int{os.Getpid(), 1, cmd.Process.Pid} {
		if set[pid] {
			t.Errorf("PID %d taken for a kernel thread", pid)
		}
	}
	st, err := ReadStat(2)
	if err == nil && st.Comm == "kthreadd" && st.PPID == 0 && len(set) == 0 {
		t.Error("kthreadd is PID 2, and no kernel thread was found")
	}
	// A kernel thread has no command line. kthreadd's other children,
	// the kernel's user-mode helpers, are rare and short-lived: most of
	// the set has none.
	without := 0
	for pid := range set {
		if cmdline, err := ReadFile(path(pid, "cmdline")); err == nil && len(cmdline) == 0 {
			without++
		}
	}
	if len(set) > 0 && without < len(set)/2 {
		t.Errorf("%d of the %d processes taken for kernel threads have a command line", len(set)-without, len(set))
	}
}

// A process's start time, by the wall clock, is when it started: to the
// clock tick /proc counts in (10 ms), not to the whole second of
// /proc/stat's btime, which put a process started a moment ago up to a
// second in the past.
func TestStartedIsWhenTheProcessStarted(t *testing.T) {
	before := time.Now()
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	st, err := ReadStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	const tick = time.Second / userHZ
	started := st.Started()
	if started.Before(before.Add(-2*tick)) || started.After(after.Add(tick)) {
		t.Errorf("started %s, want between %s and %s (the fork, to a clock tick)",
			started.Format(time.StampMicro), before.Format(time.StampMicro), after.Format(time.StampMicro))
	}
}

func TestIsKthreadd(t *testing.T) {
	for _, tt := range []struct {
		name, stat string
		want       bool
	}{
		{"the kernel's", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 1 0 0 0 20 0 1 0 2", true},
		{"a shell named so, entered from outside the namespace", "2 (kthreadd) S 0 2 2 34816 2 4194304 0 0 0 0 1 0 0 0 20 0 1 0 2", false},
		{"a kernel thread with a parent", "2 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 9", false},
		{"truncated", "2 (kthreadd) S 0 0", false},
		{"garbage", "kthreadd", false},
	} {
		if got := isKthreadd([]byte(tt.stat)); got != tt.want {
			t.Errorf("%s: isKthreadd = %v, want %v", tt.name, got, tt.want)
		}
	}
}
