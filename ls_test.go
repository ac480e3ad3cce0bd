//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// holderIn starts a holder working in dir, as a server started there.
func holderIn(t *testing.T, dir string) *holderProc {
	t.Helper()
	path, err := exec.LookPath("holder")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	cmd.Dir = dir
	h, err := startHolderCmd(t.Name(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Stop)
	return h
}

func TestLsGroupsByProject(t *testing.T) {
	root := t.TempDir()
	shop, blog := filepath.Join(root, "shop"), filepath.Join(root, "blog")
	for _, d := range []string{shop, blog} {
		if err := os.MkdirAll(filepath.Join(d, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	loose := t.TempDir() // in no project
	a, b, c := holderIn(t, shop), holderIn(t, blog), holderIn(t, loose)

	cmd := exec.Command(portguardPath(t), "ls")
	cmd.Dir = shop
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	wantExit(t, exitCode(err), 0, out)
	row := func(h *holderProc, role string) int {
		t.Helper()
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^  :%d +127\.0\.0\.1:%d +%d +holder +\S+ +%s +\S*/holder$`, h.Port, h.Port, h.PID(), regexp.QuoteMeta(role)))
		loc := re.FindStringIndex(out)
		if loc == nil {
			t.Fatalf("ls has no row for :%d as %q:\n%s", h.Port, role, out)
		}
		return loc[0]
	}
	ia, ib, ic := row(a, "this project"), row(b, "another project"), row(c, "")
	if !(ia < ib && ib < ic) {
		t.Fatalf("want this project, then the other project, then the rest:\n%s", out)
	}
	wantOutput(t, out, shop+" (this project)\n")
	wantOutput(t, out, blog+"\n")
	wantOutput(t, out, "not in a project\n")

	// ls PORT filters, and --json adds role and project to which's schema.
	cmd = exec.Command(portguardPath(t), "ls", "--json", strconv.Itoa(b.Port))
	cmd.Dir = shop
	outb, err = cmd.CombinedOutput()
	wantExit(t, exitCode(err), 0, string(outb))
	var records []holderRecord
	dec := json.NewDecoder(strings.NewReader(string(outb)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&records); err != nil || len(records) != 1 || records[0].Role != "another project" || records[0].Project != blog || records[0].PID != b.PID() {
		t.Fatalf("ls --json %d: %v\n%s", b.Port, err, outb)
	}
}

// ls -i in a terminal: pick two of the project's three servers, confirm
// the plan, and only those two are gone.
func TestLsPickTwoOfThree(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	hs := []*holderProc{holderIn(t, dir), holderIn(t, dir), holderIn(t, dir)}
	exitFile := filepath.Join(t.TempDir(), "exit")
	tm := newTmux(t, fmt.Sprintf("cd '%s' && NO_COLOR=1 %s ls -i; echo $? > %s", dir, portguardPath(t), exitFile))
	// This project's servers are listed first, in port order.
	waitFor(t, "tmux", tm.screen, "Free which ports?")
	sorted := slices.Clone(hs)
	slices.SortFunc(sorted, func(a, b *holderProc) int { return a.Port - b.Port })
	for _, h := range sorted {
		waitFor(t, "tmux", tm.screen, fmt.Sprintf(":%d  holder (pid %d)", h.Port, h.PID()))
	}
	tm.run("send-keys", "Space", "Down", "Space", "Enter")
	waitFor(t, "tmux", tm.screen, fmt.Sprintf("Free :%d,%d?", sorted[0].Port, sorted[1].Port))
	tm.run("send-keys", "Enter")
	waitFor(t, "the exit file", func() string { b, _ := os.ReadFile(exitFile); return string(b) }, "\n")
	if b, _ := os.ReadFile(exitFile); strings.TrimSpace(string(b)) != "0" {
		t.Fatalf("ls -i exited %s:\n%s", b, tm.screen())
	}
	wantDead(t, sorted[0].PID())
	wantDead(t, sorted[1].PID())
	if !isAlive(sorted[2].PID()) {
		t.Fatalf("the server that was not picked was terminated:\n%s", tm.screen())
	}
}

// which and free complete with the ports listening now, not with
// urfave/cli's hidden help alias.
func TestWhichAndFreeCompleteListeningPorts(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t)
	for _, sub := range []string{"which", "free"} {
		out, code := runPortguard(t, sub, "--generate-bash-completion")
		wantExit(t, code, 0, out)
		words := strings.Fields(out)
		if !slices.Contains(words, strconv.Itoa(h.Port)) || slices.Contains(words, "h") {
			t.Fatalf("portguard %s <Tab> offers %q, want the listening ports, :%d among them", sub, words, h.Port)
		}
	}
}

// ls says so when nothing listens, rather than printing nothing: in a
// network namespace of its own, nothing does.
func TestLsWithNothingListening(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("unshare"); err != nil {
		skipOrFail(t, tierTools, "unshare is not installed")
	}
	cmd := exec.Command("unshare", "-n", portguardPath(t), "ls")
	ownedBy(t, cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if string(out) != "nothing is listening\n" {
		t.Fatalf("ls printed %q", out)
	}
}
