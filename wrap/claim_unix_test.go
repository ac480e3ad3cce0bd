//go:build unix

package wrap

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
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
	victim := filepath.Join(victimDir, "3999.lock")
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
			_ = os.Remove(filepath.Join(real, "3999.lock"))
			_ = os.Symlink(victim, filepath.Join(real, "3999.lock"))
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
		if _, err := os.Stat(filepath.Join(run, "portguard", "3998.lock")); err != nil {
			t.Fatal(err)
		}
	}
}
