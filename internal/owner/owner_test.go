//go:build unix

package owner

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTrusted(t *testing.T) {
	uid, _ := Invoking()
	if uid != os.Geteuid() {
		t.Skip("runs as the user it tests for")
	}
	own := t.TempDir()
	shared := filepath.Join(own, "shared")
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o1777); err != nil { // as /tmp is
		t.Fatal(err)
	}
	group := filepath.Join(own, "group")
	if err := os.Mkdir(group, 0o775); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{own: true, group: true, shared: false, filepath.Join(own, "missing"): false} {
		if got := Trusted(dir); got != want {
			t.Errorf("Trusted(%s) = %v, want %v", filepath.Base(dir), got, want)
		}
	}
	if os.Geteuid() == 0 {
		other := filepath.Join(own, "alice")
		if err := os.Mkdir(other, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(other, 54321, 54321); err != nil {
			t.Fatal(err)
		}
		if Trusted(other) {
			t.Error("a directory of another user is trusted")
		}
	}
}
