//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/portguard/portguard/detect"
)

// startCopy starts `npm run dev` (a stand-in npm, a shell script that
// stays the parent of the listener, as npm does) in dir, listening on a
// free port, and returns the listener's port and the npm process.
func startCopy(t *testing.T, bin, dir string) (int, *exec.Cmd) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(filepath.Join(bin, "npm"), "run", "dev")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != fmt.Sprintf("port %d\n", port) {
		t.Fatalf("the earlier copy did not listen: %q %v", line, err)
	}
	// The listener is npm's child: killing npm would leave it running.
	holders, err := detect.Holders(port)
	if err != nil || len(holders) != 1 {
		t.Fatalf("want the earlier copy's listener on :%d, got %+v %v", port, holders, err)
	}
	listener := holders[0].PID
	t.Cleanup(func() { _ = syscall.Kill(listener, syscall.SIGKILL) })
	return port, cmd
}

// projects makes $HOME/shop (a git project with web/ inside) and
// $HOME/blog, and a stand-in npm on bin.
func projects(t *testing.T) (home, bin string) {
	home = t.TempDir()
	bin = filepath.Join(home, "bin")
	for _, d := range []string{"shop/.git", "shop/web", "blog", "bin"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(home, "shop/web/package.json"), `{"scripts": {"dev": "vite"}}`, 0o644)
	writeFile(t, filepath.Join(bin, "npm"), "#!/bin/sh\n# npm stays the parent of the server it starts; without a PORT it only\n# says it ran\n[ -n \"$PORT\" ] || { echo npm ran; exit 0; }\nholder -addr \"127.0.0.1:$PORT\"\n", 0o755)
	return home, bin
}

func TestEarlierCopyOfThisProject(t *testing.T) {
	home, bin := projects(t)
	port, earlier := startCopy(t, bin, filepath.Join(home, "shop/web"))

	// Started again from the project's root: the copy in ./web is named
	// for what it is, and nothing happens without a terminal.
	cmd := exec.Command(portguardPath(t), "-p", strconv.Itoa(port), "--", filepath.Join(bin, "npm"), "run", "dev")
	cmd.Dir = filepath.Join(home, "shop")
	cmd.Env = append(os.Environ(), "HOME="+home, "NO_COLOR=1", "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	want := fmt.Sprintf("an earlier %q of this project (started 0s ago in ./web) holds :%d", filepath.Join(bin, "npm")+" run dev", port)
	if exitCode(err) != exitHeld || !strings.Contains(string(out), want) {
		t.Fatalf("exit %d; want %d and %q in:\n%s", exitCode(err), exitHeld, want, out)
	}
	if !isAlive(earlier.Process.Pid) {
		t.Fatal("the earlier copy was stopped without a yes")
	}
}

// At the prompt, an earlier copy is the default to terminate; a server of
// another project is warned about, and "abort" becomes the default.
func TestPromptDefaultsByProject(t *testing.T) {
	tests := []struct {
		name        string
		holderDir   string
		want        string
		holderAlive bool // after pressing Enter
	}{
		{"earlier copy", "shop/web", "Terminate the earlier copy, holder (pid", false},
		{"another project", "blog", "is another project's: it runs in ~/blog", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, bin := projects(t)
			port, earlier := startCopy(t, bin, filepath.Join(home, tt.holderDir))
			cmd := exec.Command(portguardPath(t), "-p", strconv.Itoa(port), "--", "npm", "run", "dev")
			cmd.Dir = filepath.Join(home, "shop/web")
			cmd.Env = append(os.Environ(), "HOME="+home, "NO_COLOR=1", "PATH="+bin+":"+os.Getenv("PATH"), "PORT=")
			session := startInPty(t, cmd)
			out := session.out
			waitFor(t, "the pty", out.String, "Free :")
			if !strings.Contains(out.String(), tt.want) {
				t.Fatalf("want %q in:\n%s", tt.want, out.String())
			}
			_ = session.answer("\r")
			if alive := isAlive(earlier.Process.Pid); alive != tt.holderAlive {
				t.Fatalf("holder alive = %v after Enter, want %v:\n%s", alive, tt.holderAlive, out.String())
			}
		})
	}
}

// With replace_earlier in the project's settings, an earlier copy is
// replaced without asking, even without a terminal; a holder that is not
// one is still only reported.
func TestReplaceEarlierSetting(t *testing.T) {
	home, bin := projects(t)
	writeFile(t, filepath.Join(home, "shop/.portguard.toml"), "replace_earlier = true\n", 0o644)
	run := func(port int) (string, error) {
		cmd := exec.Command(portguardPath(t), "-p", strconv.Itoa(port), "--", "npm", "run", "dev")
		cmd.Dir = filepath.Join(home, "shop/web")
		cmd.Env = append(os.Environ(), "HOME="+home, "NO_COLOR=1", "PATH="+bin+":"+os.Getenv("PATH"), "PORT=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	port, earlier := startCopy(t, bin, filepath.Join(home, "shop/web"))
	out, err := run(port)
	if err != nil || !strings.Contains(out, "replacing the earlier copy without asking (replace_earlier in "+filepath.Join(home, "shop/.portguard.toml")+")") ||
		!strings.Contains(out, "npm ran") {
		t.Fatalf("%v\n%s", err, out)
	}
	if isAlive(earlier.Process.Pid) {
		t.Fatal("the earlier copy is still alive")
	}

	other, _ := startCopy(t, bin, filepath.Join(home, "blog"))
	if out, err := run(other); exitCode(err) != exitHeld || strings.Contains(out, "npm ran") {
		t.Fatalf("another project's server was replaced: exit %d\n%s", exitCode(err), out)
	}
}

// The hook says what the wrapper says: a line that starts the project's
// server again names the earlier copy for what it is.
func TestEarlierCopyInHookMode(t *testing.T) {
	home, bin := projects(t)
	web := filepath.Join(home, "shop/web")
	writeFile(t, filepath.Join(web, "package.json"), `{"scripts": {"dev": "next dev"}}`, 0o644) // next reads PORT
	port, earlier := startCopy(t, bin, web)
	cmd := exec.Command(portguardPath(t), "check-line", "--", fmt.Sprintf("PORT=%d npm run dev", port))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "HOME="+home, "NO_COLOR=1", "PATH="+bin+":"+os.Getenv("PATH"))
	ownedBy(t, cmd)
	out, err := cmd.CombinedOutput()
	want := fmt.Sprintf(`an earlier "npm run dev" of this project (started 0s ago in .) holds :%d`, port)
	if exitCode(err) != exitHeld || !strings.Contains(string(out), want) {
		t.Fatalf("exit %d; want %d and %q in:\n%s", exitCode(err), exitHeld, want, out)
	}
	if !isAlive(earlier.Process.Pid) {
		t.Fatal("the earlier copy was stopped without a yes")
	}
}
