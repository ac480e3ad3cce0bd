//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/terminate"
	"github.com/portguard/portguard/wrap"
)

// TestFaults is the fault table of docs/safety.md: each row
// is a way termination can go wrong, played with real processes on real
// loopback ports, and what portguard must do about it.
func TestFaults(t *testing.T) {
	t.Run("holder ignores SIGTERM", func(t *testing.T) {
		h := holder(t, "-ignore-term")
		out, code := runPortguard(t, "-y", "-t", "300ms", "-p", strconv.Itoa(h.Port), "--", "true")
		wantExit(t, code, 0, out)
		wantOutput(t, out, fmt.Sprintf("terminated holder (pid %d) with SIGKILL after", h.PID()))
		wantDead(t, h.PID())
	})

	t.Run("holder exits by itself during the grace period", func(t *testing.T) {
		h := holder(t, "-ignore-term", "-exit-on-term", "200ms")
		out, code := runPortguard(t, "-y", "-t", "5s", "-p", strconv.Itoa(h.Port), "--", "sh", "-c", "echo command ran")
		wantExit(t, code, 0, out)
		wantOutput(t, out, "command ran")
		if strings.Contains(out, "SIGKILL") {
			t.Fatalf("a holder that exited within the grace period got SIGKILL:\n%s", out)
		}
		wantDead(t, h.PID())
	})

	t.Run("holder's PID is reused by an unrelated process between detection and signal", func(t *testing.T) {
		h := holder(t)
		holders, err := detect.Holders(h.Port)
		if err != nil || len(holders) != 1 {
			t.Fatalf("detect.Holders = %v, %v", holders, err)
		}
		plan, err := terminate.NewPlan(holders, terminate.Rules{})
		if err != nil {
			t.Fatal(err)
		}
		pid := h.PID()
		h.Stop()                                       // the holder exits after the plan was made...
		sleeper := startWithPID(t, pid, "sleep", "60") // ...and an unrelated process gets its PID
		results, err := terminate.Execute(context.Background(), plan, terminate.Options{Grace: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 1 || results[0].Signal != 0 || !strings.Contains(results[0].String(), "another process") {
			t.Fatalf("results = %v, want the holder reported replaced with no signal sent", results)
		}
		if !isAlive(sleeper.Process.Pid) {
			t.Fatalf("the unrelated process with the reused pid %d was signalled", pid)
		}
	})

	t.Run("holder's PID is reused while its launcher lives: nothing derived from it is signalled", func(t *testing.T) {
		port := freePort(t)
		// sh is the holder's launcher: a job of its own, with the holder
		// its only child, so the plan holds both.
		launcher := exec.Command("sh", "-c", fmt.Sprintf("holder -addr 127.0.0.1:%d; exec sleep 60", port))
		launcher.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		startAndReap(t, launcher)
		waitListening(t, port)
		holders, err := detect.Holders(port)
		if err != nil || len(holders) != 1 {
			t.Fatalf("detect.Holders = %v, %v", holders, err)
		}
		plan, err := terminate.NewPlan(holders, terminate.Rules{})
		if err != nil {
			t.Fatal(err)
		}
		if ls := plan.Launchers(); len(ls) != 1 || ls[0].PID != launcher.Process.Pid {
			t.Fatalf("launchers = %+v, want sh (pid %d)", ls, launcher.Process.Pid)
		}
		pid := holders[0].PID
		_ = syscall.Kill(pid, syscall.SIGKILL) // the holder dies while the prompt is open...
		for isAlive(pid) {
			time.Sleep(5 * time.Millisecond)
		}
		sleeper := startWithPID(t, pid, "sleep", "60") // ...and its PID is taken
		results, err := terminate.Execute(context.Background(), plan, terminate.Options{Grace: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Signal != 0 {
				t.Fatalf("%v: a process was signalled although the planned holder was gone", r)
			}
		}
		if !isAlive(sleeper.Process.Pid) || !isAlive(launcher.Process.Pid) {
			t.Fatalf("the new owner of pid %d or the old holder's launcher (pid %d) was signalled: %v", pid, launcher.Process.Pid, results)
		}
	})

	t.Run("watcher respawns the listener", func(t *testing.T) {
		t.Run("a shell loop in its own process group", func(t *testing.T) {
			port := freePort(t)
			watcher := exec.Command("sh", "-c", fmt.Sprintf("while :; do holder -addr 127.0.0.1:%d; sleep 0.05; done", port))
			watcher.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a job, as a shell with job control starts it
			startAndReap(t, watcher)
			waitListening(t, port)
			out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "sh", "-c", "echo command ran")
			wantExit(t, code, 0, out)
			wantMatch(t, out, fmt.Sprintf(`launcher +sh \(pid %d\)`, watcher.Process.Pid))
			wantTerminated(t, out, fmt.Sprintf("sh (pid %d)", watcher.Process.Pid))
			wantOutput(t, out, "command ran")
			wantDead(t, watcher.Process.Pid)
			wantFree(t, port)
		})
		t.Run("a watcher portguard does not know by name", func(t *testing.T) {
			h := holder(t, "-respawn")
			out, code := runPortguard(t, "-y", "-p", strconv.Itoa(h.Port), "--", "sh", "-c", "echo command ran")
			wantExit(t, code, 0, out)
			wantTerminated(t, out, fmt.Sprintf("holder (pid %d)", h.PID()))
			wantOutput(t, out, "command ran")
			wantDead(t, h.PID())
			wantFree(t, h.Port)
		})
	})

	t.Run("two holders (IPv4 and IPv6 sockets in different processes)", func(t *testing.T) {
		a := holder(t, "-addr", "127.0.0.1:0")
		b := holder(t, "-addr", fmt.Sprintf("[::1]:%d", a.Port))
		out, code := runPortguard(t, "-y", "-p", strconv.Itoa(a.Port), "--", "true")
		wantExit(t, code, 0, out)
		wantTerminated(t, out, fmt.Sprintf("holder (pid %d)", a.PID()))
		wantTerminated(t, out, fmt.Sprintf("holder (pid %d)", b.PID()))
		wantDead(t, a.PID())
		wantDead(t, b.PID())

		// SO_REUSEPORT: two processes listen on the very same address.
		c := holder(t, "-reuseport", "-addr", "127.0.0.1:0")
		d := holder(t, "-reuseport", "-addr", fmt.Sprintf("127.0.0.1:%d", c.Port))
		out, code = runPortguard(t, "-y", "-p", strconv.Itoa(c.Port), "--", "true")
		wantExit(t, code, 0, out)
		wantDead(t, c.PID())
		wantDead(t, d.PID())
	})

	t.Run("pre-fork server: workers share the listening socket", func(t *testing.T) {
		h := holder(t, "-workers", "2")
		out, code := runPortguard(t, "which", strconv.Itoa(h.Port))
		wantExit(t, code, 0, out)
		if n := strings.Count(out, "sleep 300"); n != 2 {
			t.Fatalf("which lists %d workers, want 2:\n%s", n, out)
		}
		out, code = runPortguard(t, "-y", "-p", strconv.Itoa(h.Port), "--", "true")
		wantExit(t, code, 0, out)
		wantDead(t, h.PID())
		wantFree(t, h.Port)
	})
	t.Run("holder is another user's process", func(t *testing.T) {
		dir := sharedBinaries(t)
		alice, bob := testUser(t, "pg-alice", 61001), testUser(t, "pg-bob", 61002)
		h := startAs(t, dir, alice, "holder")
		pg := exec.Command(filepath.Join(dir, "portguard"), "-y", "-p", strconv.Itoa(h.Port), "--", "touch", "ran")
		// TMPDIR: bob's claim directory is made in dir, removed with it.
		pg.Dir, pg.Env = dir, []string{"PATH=" + dir + ":/usr/bin:/bin", "HOME=" + dir, "TMPDIR=" + dir}
		ownedBy(t, pg)
		pg.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: bob, Gid: bob}}
		outb, err := pg.CombinedOutput()
		out := string(outb)
		wantExit(t, exitCode(err), exitNoPermission, out)
		wantOutput(t, out, fmt.Sprintf(":%d is held by a process of user ", h.Port))
		wantOutput(t, out, fmt.Sprintf("hint: sudo portguard free %d", h.Port))
		if !isAlive(h.PID()) {
			t.Fatal("the other user's holder was signalled")
		}
		if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
			t.Fatal("the command ran")
		}

		// Under sudo, root acts for the user who ran sudo: another user's
		// holder needs --force as well as --yes.
		sudo := []string{"SUDO_UID=" + strconv.Itoa(int(bob)), "SUDO_USER=pg-bob"}
		out, code := runPortguardEnv(t, sudo, "-y", "-p", strconv.Itoa(h.Port), "--", "true")
		wantExit(t, code, exitNoPermission, out)
		wantOutput(t, out, "not to you")
		wantOutput(t, out, "--force")
		if !isAlive(h.PID()) {
			t.Fatal("--yes alone terminated another user's holder under sudo")
		}
		out, code = runPortguardEnv(t, sudo, "-y", "--force", "-p", strconv.Itoa(h.Port), "--", "true")
		wantExit(t, code, 0, out)
		wantDead(t, h.PID())
	})

	t.Run("holder is portguard's own ancestor", func(t *testing.T) {
		h := holder(t, "portguard", "-y", "-p", "{port}", "--", "touch", "ran")
		rest, _ := io.ReadAll(h.out)
		if !strings.Contains(string(rest), "child exit 75") {
			t.Fatalf("portguard under its holder did not exit 75: %q", rest)
		}
		if _, err := os.Stat("ran"); err == nil {
			t.Fatal("the command ran")
		}
	})

	t.Run("holder is in a zombie state / socket held by a child after the parent died", func(t *testing.T) {
		t.Run("socket held by a child after the parent died", func(t *testing.T) {
			h := holder(t, "-hand-off")
			child, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(h.handOff, "child ")))
			if err != nil {
				t.Fatalf("no child pid in %q", h.handOff)
			}
			t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
			out, code := runPortguard(t, "-y", "-p", strconv.Itoa(h.Port), "--", "true")
			wantExit(t, code, 0, out)
			wantOutput(t, out, fmt.Sprintf("terminated sleep (pid %d) with SIGTERM", child))
			wantFree(t, h.Port)
		})
		t.Run("holder becomes a zombie its parent does not reap", func(t *testing.T) {
			path, _ := exec.LookPath("holder")
			cmd := exec.Command(path)
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			port, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "port ")))
			// Not reaped until the end: after SIGTERM it stays a zombie.
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
			wantExit(t, code, 0, out)
			wantOutput(t, out, fmt.Sprintf("terminated holder (pid %d) with SIGTERM", cmd.Process.Pid))
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)); !strings.Contains(string(b), ") Z ") {
				t.Fatalf("the holder is not a zombie: %s", b)
			}
		})
	})

	t.Run("port held only by TIME_WAIT", func(t *testing.T) {
		port := timeWaitOnly(t)
		out, code := runPortguard(t, "-p", strconv.Itoa(port), "--", "sh", "-c", "echo command ran")
		wantExit(t, code, 0, out)
		wantOutput(t, out, "command ran")
		out, code = runPortguard(t, "which", strconv.Itoa(port))
		wantExit(t, code, 1, out)
	})

	t.Run("a port range or list with one free and one held", func(t *testing.T) {
		h := holder(t)
		free := freePort(t)
		out, code := runPortguard(t, "-y", "-p", fmt.Sprintf("%d,%d", free, h.Port), "--", "true")
		wantExit(t, code, 0, out)
		wantOutput(t, out, fmt.Sprintf("terminated holder (pid %d)", h.PID()))
		if strings.Contains(out, fmt.Sprintf(":%d", free)) || strings.Count(out, "terminated") != 1 {
			t.Fatalf("portguard acted on the free port:\n%s", out)
		}
		wantDead(t, h.PID())
	})

	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGHUP, syscall.SIGTERM} {
		t.Run(fmt.Sprintf("%v while waiting for the grace period", sig), func(t *testing.T) {
			h := holder(t, "-report-term")
			pg := exec.Command(portguardPath(t), "-y", "-t", "30s", "-p", strconv.Itoa(h.Port), "--", "touch", "ran")
			pg.Dir = t.TempDir()
			var out strings.Builder
			pg.Stdout, pg.Stderr = &out, &out
			ownedBy(t, pg)
			if err := pg.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- pg.Wait() }()
			if line, _ := h.out.ReadString('\n'); line != "got TERM\n" {
				t.Fatalf("the holder did not get SIGTERM: %q", line)
			}
			_ = pg.Process.Signal(sig)
			code := -1
			select {
			case err := <-done:
				code = exitCode(err)
			case <-time.After(10 * time.Second):
			}
			wantExit(t, code, exitInterrupted, out.String())
			// It says what was signalled and what still runs.
			wantOutput(t, out.String(), fmt.Sprintf("sent SIGTERM to holder (pid %d), which still runs: the wait for it was interrupted", h.PID()))
			if _, err := os.Stat(filepath.Join(pg.Dir, "ran")); err == nil {
				t.Fatal("the command ran after the interruption")
			}
			if !isAlive(h.PID()) {
				t.Fatal("the holder was killed after the interruption")
			}
		})
	}
}

// TestConcurrentPortguards: two `portguard -y -p P -- server` started at
// once (make -j) must not both fail nor kill each other's command: the
// first claims the port, the second leaves the first's server alone.
func TestConcurrentPortguards(t *testing.T) {
	port := freePort(t)
	var cmds [2]*exec.Cmd
	var outs [2]strings.Builder
	for i := range cmds {
		cmds[i] = exec.Command(portguardPath(t), "-y", "-p", strconv.Itoa(port), "--", "holder", "-addr", "127.0.0.1:"+strconv.Itoa(port))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Process.Kill() })
	}
	// One of them exits 75 at once; the other is the server, listening.
	done := make(chan int, 2)
	for i, c := range cmds {
		go func() { _ = c.Wait(); done <- i }()
	}
	var first int
	select {
	case first = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("neither portguard gave way:\n%s\n%s", outs[0].String(), outs[1].String())
	}
	other := 1 - first
	wantExit(t, cmds[first].ProcessState.ExitCode(), exitHeld, outs[first].String())
	wantOutput(t, outs[first].String(), fmt.Sprintf(":%d was claimed", port))
	waitListening(t, port)
	holders, _ := detect.Holders(port)
	if len(holders) != 1 || holders[0].PID != cmds[other].Process.Pid {
		t.Fatalf("the port is held by %+v, want the surviving portguard's server (pid %d)", holders, cmds[other].Process.Pid)
	}
}

func runPortguard(t *testing.T, args ...string) (string, int) {
	return runPortguardEnv(t, nil, args...)
}

// runPortguardEnv runs portguard with no terminal, in a fresh directory.
func runPortguardEnv(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(portguardPath(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), append([]string{"NO_COLOR=1", "PORTGUARD_YES="}, env...)...)
	ownedBy(t, cmd)
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(err)
}

func wantExit(t *testing.T, got, want int, out string) {
	t.Helper()
	if got != want {
		t.Fatalf("exit %d, want %d; output:\n%s", got, want, out)
	}
}

func wantOutput(t *testing.T, out, want string) {
	t.Helper()
	if !strings.Contains(out, want) {
		t.Fatalf("output lacks %q:\n%s", want, out)
	}
}

func wantDead(t *testing.T, pid int) {
	t.Helper()
	if isAlive(pid) {
		t.Fatalf("pid %d is still alive", pid)
	}
}

func wantFree(t *testing.T, port int) {
	t.Helper()
	// A respawning watcher would take the port again within moments.
	time.Sleep(300 * time.Millisecond)
	if hs, _ := detect.Holders(port); len(hs) > 0 {
		t.Fatalf(":%d is held again by %+v", port, hs)
	}
}

func waitListening(t *testing.T, port int) {
	t.Helper()
	for range 500 {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("nothing listens on :%d", port)
}

func startAndReap(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	ownedBy(t, cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		_ = cmd.Process.Kill()
	})
}

// startWithPID starts a program as the given PID, by setting the kernel's
// last-allocated PID just below it (root only). Other processes may take
// the PID first, so it tries a few times.
func startWithPID(t *testing.T, pid int, name string, args ...string) *exec.Cmd {
	t.Helper()
	// Other tests fork meanwhile and may take the PID first: many tries.
	for range 500 {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("cannot reuse a PID: %v", err)
			}
			t.Skipf("cannot reuse a PID here: %v", err)
		}
		cmd := exec.Command(name, args...)
		startAndReap(t, cmd)
		if cmd.Process.Pid == pid {
			return cmd
		}
		_ = cmd.Process.Kill()
	}
	t.Fatalf("could not start a process as pid %d", pid)
	return nil
}

// sharedBinaries copies portguard and holder where other users may run them.
func sharedBinaries(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("this test runs as root in CI, to run processes as other users")
		}
		skipOrFail(t, tierRoot, "needs root to run processes as other users")
	}
	dir, err := os.MkdirTemp("", "portguard-users-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"portguard", "holder"} {
		src, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testUser is the uid of a user .ci/run creates, or a uid with no name
// where it does not exist (the kernel needs none).
func testUser(t *testing.T, name string, fallback uint32) uint32 {
	out, err := exec.Command("id", "-u", name).Output()
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil {
			return uint32(n)
		}
	}
	return fallback
}

// startAs starts a holder from dir as the given user.
func startAs(t *testing.T, dir string, uid uint32, name string, args ...string) *holderProc {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, name), args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	h, err := startHolderCmd(t.Name(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Stop)
	return h
}

// timeWaitOnly leaves a port with a TIME_WAIT socket and no listener: the
// server side closes a connection first, then stops listening.
func timeWaitOnly(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	server.Close() // the active close: the server's end goes to TIME_WAIT
	_, _ = client.Read(make([]byte, 1))
	client.Close()
	ln.Close()
	b, _ := os.ReadFile("/proc/net/tcp")
	if !strings.Contains(string(b), fmt.Sprintf(":%04X 0100007F:%04X 06 ", port, client.LocalAddr().(*net.TCPAddr).Port)) {
		t.Fatalf("no TIME_WAIT socket on :%d:\n%s", port, b)
	}
	return port
}

// A restart a moment after the first start is no race: once the first
// portguard's command listens, the second treats it as any holder.
func TestRestartSoonAfterStart(t *testing.T) {
	port := freePort(t)
	first := exec.Command(portguardPath(t), "-y", "-p", strconv.Itoa(port), "--", "holder", "-addr", "127.0.0.1:"+strconv.Itoa(port))
	startAndReap(t, first)
	waitListening(t, port)
	time.Sleep(wrap.StartUp + 200*time.Millisecond)
	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("terminated holder (pid %d)", first.Process.Pid))
	wantDead(t, first.Process.Pid)
}

var (
	terminatedLine = regexp.MustCompile(`(?m)^portguard: terminated (.*) with (?:SIGTERM|SIGKILL) after `)
	processName    = regexp.MustCompile(`(?:^|, | and )(.+?) \(pid (\d+)\)`)
)

// terminated lists "name (pid N)" for every process the lines of what was
// terminated name, in their order.
func terminated(out string) []string {
	var names []string
	for _, line := range terminatedLine.FindAllStringSubmatch(out, -1) {
		for _, m := range processName.FindAllStringSubmatch(line[1], -1) {
			names = append(names, fmt.Sprintf("%s (pid %s)", m[1], m[2]))
		}
	}
	return names
}

// wantTerminated checks that portguard said it terminated who, "name (pid N)".
func wantTerminated(t *testing.T, out, who string) {
	t.Helper()
	if !slices.Contains(terminated(out), who) {
		t.Fatalf("output does not say %s was terminated:\n%s", who, out)
	}
}

// Ctrl-C while portguard waits out a long grace for a holder that ignores
// SIGTERM: the wait stops, nothing more is signalled (no SIGKILL), and the
// command does not run. It is pressed once portguard says "Ctrl-C stops
// waiting", as a user would.
func TestCtrlCDuringTheGraceStopsTheWait(t *testing.T) {
	t.Parallel() // its own port and processes
	h, err := startHolder(t.Name(), "-ignore-term", "-report-term")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	cmd := exec.Command(portguardPath(t), "-y", "-t", "60s", "-p", strconv.Itoa(h.Port), "--", "sh", "-c", "echo the command ran")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "PORTGUARD_YES=")
	ownedBy(t, cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	var said strings.Builder
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		said.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "Ctrl-C stops waiting") {
			break
		}
	}
	if !strings.Contains(said.String(), "Ctrl-C stops waiting") {
		t.Fatalf("portguard never said that Ctrl-C stops the wait:\n%s", said.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	said.Write(rest)
	code := exitCode(cmd.Wait())
	wantExit(t, code, 130, said.String())
	wantOutput(t, said.String(), "interrupted while freeing the port; nothing was run")
	if stdout.Len() > 0 {
		t.Errorf("the command ran after Ctrl-C: %q", stdout.String())
	}
	if !isAlive(h.PID()) {
		t.Errorf("the holder (pid %d) was killed after Ctrl-C stopped the wait", h.PID())
	}
}
