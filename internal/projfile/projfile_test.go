//go:build unix

package projfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var errAny = errors.New("any error")

func TestRead(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "package.json")
	if err := os.WriteFile(regular, []byte(`{"scripts":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "linked.json")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.json")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 30); err != nil { // 50 GB, no blocks
		t.Fatal(err)
	}
	f.Close()
	exact := filepath.Join(dir, "exact.json")
	if err := os.WriteFile(exact, make([]byte, MaxSize), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want error
	}{
		{regular, nil},
		{link, nil},
		{exact, nil},
		{fifo, ErrNotRegular},
		{"/dev/zero", ErrNotRegular},
		{"/dev/tty", errAny}, // ENXIO without a controlling terminal
		{dir, ErrNotRegular},
		{sparse, ErrTooBig},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() { _, err := Read(tt.path); done <- err }()
		select {
		case err := <-done:
			if tt.want == nil && err != nil || tt.want == errAny && err == nil || tt.want != nil && tt.want != errAny && !errors.Is(err, tt.want) {
				t.Errorf("Read(%s) = %v, want %v", filepath.Base(tt.path), err, tt.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Read(%s) blocked", tt.path)
		}
	}
}

// A link into /proc is never read: /proc/kmsg looks like a regular file,
// and reading it as root consumes the kernel's messages.
func TestReadRefusesKernelFiles(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no procfs here")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "package.json")
	if err := os.Symlink("/proc/self/status", link); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(link); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Read(link to /proc/self/status) = %v, want ErrNotRegular", err)
	}
}
