// Package winetest holds what the tests need to run on Windows as well as
// on Unix, and under Wine, where the Windows tier runs them
// (testdata/wine/run-tests): Wine's own gaps are worked around or named
// here, once, rather than in every test.
package winetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TempDir is t.TempDir for tests that also run under Wine. Wine 8 does not
// implement FileDispositionInformationEx, which os.RemoveAll uses on
// Windows since Go 1.25, so t.TempDir's own cleanup fails there with
// "Invalid function". This cleanup runs first (cleanups run last
// registered first) and falls back to os.Remove, file by file, which Wine
// has: t.TempDir's then finds nothing left to remove. A directory that
// still cannot be removed fails the test, as t.TempDir's would.
func TempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		var paths []string
		_ = filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
			paths = append(paths, p)
			return nil
		})
		// Deepest first: a directory is empty when its turn comes.
		slices.Reverse(paths)
		for _, p := range paths {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				t.Errorf("removing the test's temporary directory: %v", err)
				return
			}
		}
	})
	return dir
}

// Skip skips a test that Wine cannot run, saying which of Wine's gaps
// stops it; on Windows itself and elsewhere the test runs.
func Skip(t testing.TB, gap string) {
	t.Helper()
	if v, ok := Wine(); ok {
		t.Skipf("Wine %s: %s", v, gap)
	}
}

// SetHome makes dir the home directory os.UserHomeDir returns for the
// rest of the test: HOME on Unix, USERPROFILE on Windows.
func SetHome(t testing.TB, dir string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Setenv("USERPROFILE", dir)
		return
	}
	t.Setenv("HOME", dir)
}
