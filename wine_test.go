//go:build linux

package main

import (
	"bytes"
	"flag"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

var tierWine = tier{"Windows under Wine", "apt-get install wine gcc-mingw-w64-x86-64-win32"}

// windowsTier is a run of the Windows tier (testdata/wine/run-tests), which
// starts with the tests, before the first of them, and which
// TestWindowsUnderWine waits for. Most of its minute and a half is Wine
// starting processes one at a time, little of it CPU: run beside the other
// tests, it costs the run little. As a parallel test it held one of go
// test's parallel slots (two on two cores) for all that time, which cost
// the run nearly as long.
type windowsTier struct {
	cmd     *exec.Cmd
	out     bytes.Buffer
	err     error
	missing string // a tool that is not installed
	done    chan struct{}
}

var wineTier *windowsTier

// startWindowsTier starts the tier when TestWindowsUnderWine is to run.
func startWindowsTier() *windowsTier {
	if !willRun("TestWindowsUnderWine") {
		return nil
	}
	w := &windowsTier{done: make(chan struct{})}
	wineTier = w
	for _, tool := range []string{"wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			w.missing = tool
			close(w.done)
			return w
		}
	}
	w.cmd = exec.Command("testdata/wine/run-tests")
	w.cmd.Stdout, w.cmd.Stderr = &w.out, &w.out
	if w.err = w.cmd.Start(); w.err != nil {
		close(w.done)
		return w
	}
	go func() {
		w.err = w.cmd.Wait()
		close(w.done)
	}()
	return w
}

// stop ends a run no test waited for (the run was interrupted): its own
// trap ends Wine's processes and removes the prefix.
func (w *windowsTier) stop() {
	if w == nil || w.cmd == nil || w.cmd.Process == nil {
		return
	}
	select {
	case <-w.done:
	default:
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		<-w.done
	}
}

// willRun says whether -test.run and -test.skip let the top-level test
// name run (their first element, which names the top-level tests).
func willRun(name string) bool {
	if !flag.Parsed() {
		flag.Parse()
	}
	matches := func(flagName string) (set, match bool) {
		f := flag.Lookup(flagName)
		if f == nil || f.Value.String() == "" {
			return false, false
		}
		ok, err := regexp.MatchString(strings.Split(f.Value.String(), "/")[0], name)
		return true, ok && err == nil
	}
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		return false
	}
	if set, match := matches("test.run"); set && !match {
		return false
	}
	if set, match := matches("test.skip"); set && match {
		return false
	}
	return true
}

// TestWindowsUnderWine is the Windows tier in go test ./... — the one
// command the README gives and CI runs: every package's Windows test
// binary under Wine, which covers the Windows code paths as far as Wine
// reaches. Each test Wine cannot run says why in the output (-v).
func TestWindowsUnderWine(t *testing.T) {
	w := wineTier
	if w == nil {
		w = startWindowsTier()
		if w == nil {
			t.Fatal("the Windows tier did not start")
		}
	}
	<-w.done
	if w.missing != "" {
		skipOrFail(t, tierWine, w.missing+" is not installed")
	}
	if w.err != nil {
		t.Fatalf("testdata/wine/run-tests: %v\n%s", w.err, w.out.Bytes())
	}
	t.Logf("testdata/wine/run-tests:\n%s", w.out.Bytes())
}
