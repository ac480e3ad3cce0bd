//go:build unix

package wrap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseClaim(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	stamp := func(d time.Duration) string { return strconv.FormatInt(now.Add(-d).UnixNano(), 10) }
	tests := []struct {
		record string
		since  time.Duration
	}{
		{"", 0}, // being written right now
		{stamp(3*time.Second) + "\nvite\n", 3 * time.Second},
		{stamp(-time.Hour) + "\nvite\n", FreshClaim}, // in the future: stale
		{"garbage\n", FreshClaim},
		{"\x00\x00\x00", FreshClaim},
	}
	for _, tt := range tests {
		if got := parseClaim(3000, 42, tt.record, now).Since; got != tt.since {
			t.Errorf("parseClaim(%q).Since = %v, want %v", tt.record, got, tt.since)
		}
	}
}

func TestClaimStarting(t *testing.T) {
	tests := []struct {
		since     time.Duration
		listening bool
		want      bool
	}{
		{200 * time.Millisecond, true, true},  // two started together
		{200 * time.Millisecond, false, true}, // the other is still starting
		{3 * time.Second, false, true},        // a slow start: nothing listens yet
		{3 * time.Second, true, false},        // its server is up: a holder like any other
		{FreshClaim, false, false},            // its command never listened: stale
	}
	for _, tt := range tests {
		e := &ClaimedError{Since: tt.since}
		if got := e.Starting(tt.listening); got != tt.want {
			t.Errorf("Starting(since %v, listening %v) = %v, want %v", tt.since, tt.listening, got, tt.want)
		}
	}
}

// A user who controls the directory a claim is made in swaps it, and the
// lock file, for symlinks to a file of someone else's, as fast as it can:
// the file is never written.
func TestClaimNeverFollowsASwappedSymlink(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	victimDir := t.TempDir()
	victim := filepath.Join(victimDir, "3999.claim")
	if err := os.WriteFile(victim, []byte("root's own file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	claims := filepath.Join(run, "portguard")
	stop := make(chan struct{})
	swapped := make(chan int)
	go func() {
		n := 0
		defer func() { swapped <- n }()
		real := filepath.Join(run, "real")
		for {
			select {
			case <-stop:
				return
			default:
			}
			// The directory itself a symlink to the victim's...
			_ = os.RemoveAll(claims)
			_ = os.Symlink(victimDir, claims)
			// ...then a real directory whose lock file is a symlink.
			_ = os.Remove(claims)
			_ = os.MkdirAll(real, 0o700)
			_ = os.Remove(filepath.Join(real, "3999.claim"))
			_ = os.Symlink(victim, filepath.Join(real, "3999.claim"))
			_ = os.Remove(filepath.Join(real, lockFile))
			_ = os.Symlink(victim, filepath.Join(real, lockFile))
			_ = os.Rename(real, claims)
			n++
		}
	}()
	deadline := time.Now().Add(time.Second)
	tries := 0
	for time.Now().Before(deadline) {
		c, err := ClaimPorts([]int{3999}, "attack", func(int) bool { return false })
		var unusable *UnusableError
		if err != nil && !errors.As(err, &unusable) {
			t.Fatal(err)
		}
		if c != nil {
			c.Release()
		}
		tries++
	}
	close(stop)
	n := <-swapped
	if b, _ := os.ReadFile(victim); string(b) != "root's own file\n" {
		t.Fatalf("the victim file was written through a symlink: %q", b)
	}
	t.Logf("%d claims against %d swaps", tries, n)
}

// The claim directory is made on first use, private to the user, and
// found on later ones.
func TestClaimDirIsMadeOnce(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	for range 2 {
		c, err := ClaimPorts([]int{3998}, "true", func(int) bool { return false })
		if err != nil {
			t.Fatal(err)
		}
		c.Release()
		st, err := os.Stat(filepath.Join(run, "portguard"))
		if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
			t.Fatalf("claim directory: %v, %v", st, err)
		}
		if _, err := os.Stat(filepath.Join(run, "portguard", "3998.claim")); err != nil {
			t.Fatal(err)
		}
	}
}

// Records of claims that no process holds are removed when a port is
// claimed for the first time, so the directory keeps about one record per
// live claim; a held one, and the claimer's own, stay, beside the one
// shared lock file.
func TestClaimSweepsUnheldLockFiles(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	dir := filepath.Join(run, "portguard")
	for port := 40000; port < 40100; port++ {
		c, err := ClaimPorts([]int{port}, "true", func(int) bool { return false })
		if err != nil {
			t.Fatal(err)
		}
		c.Release()
	}
	// Claims are held by processes: another one holds these two.
	holdClaims(t, "41000,41001")
	// A new port: the sweep runs, and only the held claims and the new
	// one are left.
	c, err := ClaimPorts([]int{41002}, "next dev", func(int) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"41000.claim", "41001.claim", "41002.claim", lockFile}; !slices.Equal(names, want) {
		t.Fatalf("claim directory holds %v, want %v", names, want)
	}
	// The held claims still hold: a second claimer is told so.
	_, err = ClaimPorts([]int{41001}, "vite", func(int) bool { return false })
	var claimed *ClaimedError
	if !errors.As(err, &claimed) {
		t.Fatalf("claiming a held port after the sweep: %v, want a ClaimedError", err)
	}
}

// holdClaims has a child process (this test binary again) claim ports and
// hold them until the test ends.
func holdClaims(t *testing.T, ports string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldClaims$")
	cmd.Env = append(os.Environ(), "WRAP_TEST_HOLD_CLAIMS="+ports)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the helper exits when its input ends
		_ = cmd.Wait()
	})
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "held\n" {
		t.Fatalf("the claim helper said %q", line)
	}
}

// TestHelperHoldClaims is holdClaims's child, not a test of its own.
func TestHelperHoldClaims(t *testing.T) {
	list := os.Getenv("WRAP_TEST_HOLD_CLAIMS")
	if list == "" {
		t.Skip("a helper process for TestClaimSweepsUnheldLockFiles")
	}
	var ports []int
	for f := range strings.SplitSeq(list, ",") {
		p, _ := strconv.Atoi(f)
		ports = append(ports, p)
	}
	c, err := ClaimPorts(ports, "vite", func(int) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	fmt.Println("held")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// All of a claim's ports are held through one descriptor, whatever their
// number, and a second claimer (here in the same process: the locks belong
// to the descriptor) is told who claimed them, for what.
func TestClaimHoldsManyPortsThroughOneDescriptor(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	before := openFiles(t)
	var ports []int
	for p := 42000; p < 42900; p++ {
		ports = append(ports, p)
	}
	c, err := ClaimPorts(ports, "vite --port 42000", func(int) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if n := openFiles(t) - before; n != 1 {
		t.Errorf("claiming %d ports opened %d descriptors, want 1", len(ports), n)
	}
	_, err = ClaimPorts([]int{42450}, "next dev", func(int) bool { return false })
	var claimed *ClaimedError
	if !errors.As(err, &claimed) || claimed.PID != os.Getpid() || claimed.Command != "vite --port 42000" {
		t.Fatalf("claiming a claimed port: %v (%+v), want a ClaimedError naming pid %d and its command", err, claimed, os.Getpid())
	}
	c.Release()
	again, err := ClaimPorts([]int{42450}, "next dev", func(int) bool { return false })
	if err != nil {
		t.Fatalf("claiming a released port: %v", err)
	}
	again.Release()
}

func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(entries)
}
