package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Package initialisation runs at every start, whether the run needs what
// it builds or not, so portguard's own packages build nothing of size then
// (no regular expression, no large map: those are made on first use).
// GODEBUG=inittrace counts each package's allocations before main, which,
// unlike its time, is the same from run to run.
func TestOwnPackagesBuildLittleAtStart(t *testing.T) {
	// The test binary is portguard when its argv[0] says so. Under Wine
	// (CI's Windows tier) a child's argv[0] is its path, and the child
	// would run the tests again, this one included, without end.
	if runtime.GOOS != "linux" {
		t.Skip("reads the start of the Linux binary; the test binary is portguard only by argv[0], which Windows does not keep")
	}
	const most = 32 // a package's allocations; a regular expression alone makes about 80
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "version")
	cmd.Args[0] = "portguard"
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("portguard version: %v\n%s", err, out)
	}
	seen := 0
	for line := range strings.SplitSeq(string(out), "\n") {
		// init github.com/portguard/portguard/infer @1.2 ms, 0.05 ms clock, 3600 bytes, 28 allocs
		f := strings.Fields(line)
		if len(f) != 11 || f[0] != "init" || !strings.HasPrefix(f[1], "github.com/portguard/portguard/") || f[10] != "allocs" {
			continue
		}
		seen++
		if n, err := strconv.Atoi(f[9]); err != nil || n > most {
			t.Errorf("%s allocates %s times before main (at most %d)", f[1], f[9], most)
		}
	}
	if seen < 5 {
		t.Fatalf("inittrace named %d of portguard's packages; its output:\n%s", seen, out)
	}
}
