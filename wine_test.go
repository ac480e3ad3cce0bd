//go:build linux

package main

import (
	"os/exec"
	"testing"
)

var tierWine = tier{"Windows under Wine", "apt-get install wine gcc-mingw-w64-x86-64-win32"}

// TestWindowsUnderWine runs every package's Windows test binary under Wine
// (testdata/wine/run-tests), so that go test ./... — the one command the
// README gives and CI runs — covers the Windows code paths too, as far as
// Wine reaches; each test Wine cannot run says why in the output (-v).
// It runs beside the root package's other parallel tests: most of its time
// is Wine starting processes, one at a time.
func TestWindowsUnderWine(t *testing.T) {
	for _, tool := range []string{"wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, tierWine, tool+" is not installed")
		}
	}
	t.Parallel()
	cmd := exec.Command("testdata/wine/run-tests")
	ownedBy(t, cmd) // the script ends Wine's processes; should it not, the cleanup does
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("testdata/wine/run-tests: %v\n%s", err, out)
	}
	t.Logf("testdata/wine/run-tests:\n%s", out)
}
