package wrap

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/portguard/portguard/internal/winetest"
)

// This test binary plays three parts besides the tests, by the mode in
// its environment: portguard's last step (Exec of the argv in
// modeArgv), a program that prints the arguments it got, and a server
// that prints its PID and waits.
const (
	modeVar   = "PORTGUARD_TEST_WRAP"
	innerVar  = "PORTGUARD_TEST_WRAP_INNER" // the mode of the command Exec runs
	modeArgv  = "PORTGUARD_TEST_WRAP_ARGV"  // JSON
	modeExec  = "exec"
	modeArgs  = "args"
	modeSleep = "sleep"
)

func TestMain(m *testing.M) {
	switch os.Getenv(modeVar) {
	case modeExec:
		var argv []string
		if err := json.Unmarshal([]byte(os.Getenv(modeArgv)), &argv); err != nil || len(argv) == 0 {
			fmt.Fprintln(os.Stderr, "bad", modeArgv, err)
			os.Exit(2)
		}
		os.Setenv(modeVar, os.Getenv(innerVar))
		path, err := Resolve(argv[0])
		if err == nil {
			err = Exec(path, argv, os.Environ())
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(127)
	case modeArgs:
		// Split as node.exe (the Universal C Runtime) splits, by the rules
		// BatchCommandLine writes for (splitArgvW, the model's): Go's
		// os.Args and CommandLineToArgvW end a quoted part after a "" in
		// it, which the C runtime since 2008 does not.
		out, _ := json.Marshal(splitArgvW(windows.UTF16PtrToString(windows.GetCommandLine()))[1:])
		fmt.Println(string(out))
		os.Exit(0)
	case modeSleep:
		fmt.Println(os.Getpid())
		time.Sleep(time.Minute) // the test ends it long before
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// asPortguard runs this binary as portguard's last step would run argv,
// with inner as the mode of the command when it is this binary again.
func asPortguard(argv []string, inner string) *exec.Cmd {
	b, _ := json.Marshal(argv)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), modeVar+"="+modeExec, innerVar+"="+inner, modeArgv+"="+string(b))
	return cmd
}

// The command's exit status is portguard's, through cmd.exe as through a
// program.
func TestExecExitStatus(t *testing.T) {
	for _, code := range []int{0, 3, 75, 255} {
		cmd := asPortguard([]string{"cmd", "/c", "exit " + strconv.Itoa(code)}, "")
		out, err := cmd.CombinedOutput()
		got := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			got = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if got != code {
			t.Errorf(`cmd /c "exit %d" through Exec: exit %d, want %d (%s)`, code, got, code, out)
		}
	}
}

// A batch file (npm.cmd) gets its arguments as typed, through the real
// cmd.exe: the published BatBadBut vectors and the rest of batchVectors,
// passed on by a .cmd that runs a program with %*, as npm.cmd does. Under
// Wine, cmd.exe is Wine's, which expands a % in the arguments that %*
// substitutes: those arguments are skipped there, once they are seen to
// arrive as one argument each, with nothing run.
func TestExecBatchArguments(t *testing.T) {
	dir := winetest.TempDir(t)
	script := filepath.Join(dir, "echo args.cmd") // a space, as in C:\Program Files
	body := "@\"" + os.Args[0] + "\" %*\r\n"
	if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	// The arguments without a % in one run, as Wine starts processes
	// slowly, and each with a % in a run of its own: Wine's cmd.exe
	// expands from a % in one argument to a % in the next, across the
	// quotes between them.
	var plain []string
	runs := [][]string{nil}
	for _, arg := range batchVectors {
		switch {
		case strings.ContainsAny(arg, "\t"): // a tab separates on cmd.exe's own line; the model covers it
		case strings.Contains(arg, "%"):
			runs = append(runs, []string{arg})
		default:
			plain = append(plain, arg)
		}
	}
	runs[0] = plain
	_, wine := winetest.Wine()
	for _, run := range runs {
		args := append(append([]string{"run"}, run...), "x")
		out, err := asPortguard(append([]string{script}, args...), modeArgs).Output()
		var got []string
		if jerr := json.Unmarshal(out, &got); err != nil || jerr != nil {
			t.Fatalf("%q through %s: %v, %v: %q", run, filepath.Base(script), err, jerr, out)
		}
		if len(got) != len(args) {
			t.Errorf("%d arguments arrive as %d:\n%q\nwant\n%q", len(args), len(got), got, args)
			continue
		}
		for i, arg := range args {
			t.Run(arg, func(t *testing.T) {
				if got[i] == arg {
					return
				}
				if wine && strings.Contains(arg, "%") {
					t.Skipf("Wine 8's cmd.exe expands %%…%% again in the text %%* puts in a batch file's line (Windows' does not): %q arrives as %q", arg, got[i])
				}
				t.Errorf("%q arrives as %q", arg, got[i])
			})
		}
	}
}

// When portguard is ended (TerminateProcess, as portguard itself ends a
// wrapper), the job object it put the command in ends the command too,
// rather than leaving it holding the port as an orphan.
func TestJobObjectEndsTheCommand(t *testing.T) {
	cmd := asPortguard([]string{os.Args[0], "-test.run=^$"}, modeSleep)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		stdout.Close()
		pid, perr := strconv.Atoi(strings.TrimSpace(line))
		if perr != nil {
			t.Errorf("the command did not say its PID: %q", line)
			_ = cmd.Process.Kill()
		} else {
			checkJobEnds(t, cmd, pid)
		}
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command never started")
	}
	_ = cmd.Wait()
}

func checkJobEnds(t *testing.T, portguard *exec.Cmd, pid int) {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		t.Errorf("opening the command, pid %d: %v", pid, err)
		_ = portguard.Process.Kill()
		return
	}
	defer windows.CloseHandle(h)
	if err := portguard.Process.Kill(); err != nil {
		t.Errorf("ending portguard (pid %d): %v", portguard.Process.Pid, err)
	}
	if ev, err := windows.WaitForSingleObject(h, 10000); ev != windows.WAIT_OBJECT_0 {
		_ = windows.TerminateProcess(h, 1)
		t.Errorf("the command, pid %d, still runs 10 s after portguard (pid %d) was ended: %v", pid, portguard.Process.Pid, err)
	}
}
