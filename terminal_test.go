//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// These tests drive portguard on a terminal: a bare pseudo-terminal that
// never answers queries (the plain prompt), and tmux, a real terminal
// emulator that does (survey's menu).

func portguardPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("portguard")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func holder(t *testing.T, args ...string) *holderProc {
	t.Helper()
	h, err := startHolder(t.Name(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Stop)
	return h
}

// freePort returns a port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// screen collects what a program writes to its terminal.
type screen struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// ptySession is a command running on a bare pseudo-terminal of its own.
type ptySession struct {
	t   *testing.T
	cmd *exec.Cmd
	tty *os.File
	out *screen
}

// startInPty starts cmd on a new pseudo-terminal and collects what it
// writes there.
func startInPty(t *testing.T, cmd *exec.Cmd) *ptySession {
	t.Helper()
	ownedBy(t, cmd) // ended with the test, however it ends
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	s := &ptySession{t: t, cmd: cmd, tty: tty, out: &screen{}}
	go func() { _, _ = io.Copy(s.out, tty) }()
	return s
}

// answer types keys at the prompt and waits for the command to end,
// returning how it ended.
func (s *ptySession) answer(keys string) error {
	s.t.Helper()
	if _, err := s.tty.Write([]byte(keys)); err != nil {
		s.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		s.t.Fatalf("portguard did not finish:\n%s", s.out.String())
		return nil
	}
}

// waitFor polls until the screen shows want. The limit only keeps a hung
// prompt from hanging the test; it asserts nothing about speed.
func waitFor(t *testing.T, what string, read func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(read(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never showed %q; it shows:\n%s", what, want, read())
}

func TestPromptInBarePty(t *testing.T) {
	pg := portguardPath(t)
	tests := []struct {
		name        string
		keys        string
		wantExit    int
		holderAlive bool
	}{
		{"enter terminates and runs", "\r", 7, false},
		{"y terminates and runs", "y\r", 7, false},
		{"ctrl-c interrupts", "\x03", exitInterrupted, true},
		{"n aborts", "n\r", exitHeld, true},
		{"ctrl-d aborts", "\x04", exitHeld, true},
		{"r runs anyway", "r\r", 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := holder(t)
			cmd := exec.Command(pg, "-p", strconv.Itoa(h.Port), "--", "sh", "-c", "echo command ran; grep -E '^Sig(Ign|Blk)' /proc/self/status; exit 7")
			cmd.Env = append(os.Environ(), "NO_COLOR=1", "TERM=dumb")
			tty, err := pty.Start(cmd)
			if err != nil {
				t.Fatal(err)
			}
			defer tty.Close()
			var out screen
			drained := make(chan struct{})
			go func() {
				// Ends with EIO once every process on the terminal is gone.
				_, _ = io.Copy(&out, tty)
				close(drained)
			}()

			waitFor(t, "the pty", out.String, "[Y/n/r]")
			if s := out.String(); strings.Contains(s, "[6n") {
				t.Fatalf("the cursor query was printed on a dumb terminal:\n%s", s)
			}
			if s := out.String(); !strings.Contains(s, fmt.Sprintf("held by holder (pid %d)", h.PID())) {
				t.Fatalf("the prompt does not name the holder's PID and command:\n%s", s)
			}
			if _, err := tty.Write([]byte(tt.keys)); err != nil {
				t.Fatal(err)
			}
			code := exitCode(cmd.Wait())
			select {
			case <-drained:
			case <-time.After(10 * time.Second):
				t.Fatal("the terminal was not closed after the command exited")
			}
			if code != tt.wantExit {
				t.Fatalf("exit %d, want %d; screen:\n%s", code, tt.wantExit, out.String())
			}
			if alive := isAlive(h.PID()); alive != tt.holderAlive {
				t.Fatalf("holder alive = %v, want %v; screen:\n%s", alive, tt.holderAlive, out.String())
			}
			ran := strings.Contains(out.String(), "command ran")
			if ran != (tt.wantExit == 7) {
				t.Fatalf("command ran = %v; screen:\n%s", ran, out.String())
			}
			if ran {
				// The prompt caught SIGINT; the command must get Ctrl-C and
				// SIGTERM as if it had been started directly.
				for _, want := range []string{"SigBlk:\t0000000000000000", "SigIgn:\t" + ownSignals(t, "SigIgn")} {
					if !strings.Contains(out.String(), want) {
						t.Fatalf("the command's signal state is not its own, want %q; screen:\n%s", want, out.String())
					}
				}
			}
		})
	}
}

// ownSignals is a signal mask line of this test process, which portguard
// and the command inherit.
func ownSignals(t *testing.T, field string) string {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, field+":\t"); ok {
			return v
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return ""
}

// tmux is a terminal that answers the cursor query, so portguard shows
// survey's menu there.
type tmux struct {
	t    *testing.T
	sock string
}

var tmuxSeq atomic.Int64

func newTmux(t *testing.T, command string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; .ci/run installs it")
		}
		skipOrFail(t, tierTools, "tmux is not installed")
	}
	// A socket path of its own, short: a unix socket's path is limited to
	// 108 bytes, and test directories are named after the test.
	tm := &tmux{t: t, sock: filepath.Join(os.TempDir(), fmt.Sprintf("tmux%d.sock", tmuxSeq.Add(1)))}
	t.Cleanup(func() { os.Remove(tm.sock) })
	tm.run("-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "40", command)
	t.Cleanup(func() {
		// The pane's shell writes its history on the SIGHUP kill-server
		// sends: wait for it to exit before the test's directories are
		// removed, or the removal races that write.
		out, _ := exec.Command("tmux", "-S", tm.sock, "display-message", "-p", "#{pane_pid}").Output()
		pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		_ = exec.Command("tmux", "-S", tm.sock, "kill-server").Run()
		for deadline := time.Now().Add(3 * time.Second); pid > 0 && isAlive(pid) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	})
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmux) screen() string {
	out, _ := exec.Command("tmux", "-S", tm.sock, "capture-pane", "-p").Output()
	return string(out)
}

func TestPromptInTmux(t *testing.T) {
	pg := portguardPath(t)
	tests := []struct {
		name        string
		keys        []string
		wantExit    int
		holderAlive bool
	}{
		{"enter terminates and runs", []string{"Enter"}, 7, false},
		{"ctrl-c interrupts", []string{"C-c"}, exitInterrupted, true},
		// survey's menu took Ctrl-D for Enter, on Terminate.
		{"ctrl-d declines", []string{"C-d"}, exitHeld, true},
		{"down enter aborts", []string{"Down", "Enter"}, exitHeld, true},
		// Letters are the plain prompt's shortcuts in the menu too.
		{"n enter aborts", []string{"n", "Enter"}, exitHeld, true},
		{"y enter terminates", []string{"y", "Enter"}, 7, false},
		{"a letter that is no shortcut never selects terminate", []string{"e", "Enter", "t", "Enter", "C-c"}, exitInterrupted, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := holder(t)
			dir := t.TempDir()
			exitFile, ranFile := filepath.Join(dir, "exit"), filepath.Join(dir, "ran")
			command := fmt.Sprintf("%s -p %d -- sh -c 'touch %s; exit 7'; echo $? > %s.tmp; mv %s.tmp %s",
				pg, h.Port, ranFile, exitFile, exitFile, exitFile)
			tm := newTmux(t, command)

			waitFor(t, "tmux", tm.screen, fmt.Sprintf("Terminate holder (pid %d) and run sh", h.PID()))
			if s := tm.screen(); strings.Contains(s, "[Y/n/r]") || !strings.Contains(s, "holder") {
				t.Fatalf("expected survey's menu with the holder's command, got:\n%s", s)
			}
			tm.run(append([]string{"send-keys"}, tt.keys...)...)

			waitFor(t, "the exit file", func() string { b, _ := os.ReadFile(exitFile); return string(b) }, "\n")
			b, _ := os.ReadFile(exitFile)
			if code, _ := strconv.Atoi(strings.TrimSpace(string(b))); code != tt.wantExit {
				t.Fatalf("exit %d, want %d", code, tt.wantExit)
			}
			if alive := isAlive(h.PID()); alive != tt.holderAlive {
				t.Fatalf("holder alive = %v, want %v", alive, tt.holderAlive)
			}
			_, err := os.Stat(ranFile)
			if ran := err == nil; ran != (tt.wantExit == 7) {
				t.Fatalf("command ran = %v", ran)
			}
		})
	}
}

// After exec, portguard *is* the command: same PID, so a signal sent to
// portguard's PID reaches the command, and its exit status is the command's.
func TestSignalReachesCommandAfterExec(t *testing.T) {
	pg := portguardPath(t)
	cmd := exec.Command(pg, "-q", "-p", strconv.Itoa(freePort(t)), "--", "sh", "-c",
		`trap 'echo got TERM; exit 42' TERM; echo pid $$; while :; do sleep 0.05; done`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("pid %d\n", cmd.Process.Pid); line != want {
		t.Fatalf("the command printed %q, want %q: portguard did not exec it", line, want)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if code := exitCode(cmd.Wait()); code != 42 {
		t.Fatalf("exit %d, want 42 (the trap's)", code)
	}
	if !strings.Contains(string(rest), "got TERM") {
		t.Fatalf("the command did not get SIGTERM: %q", rest)
	}
}
