//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The wrapped path is bounded as the hook's is: a project built to exhaust
// inference costs at most the budget, and the command runs unchecked with
// a notice. Each project here once took from 2 s to minutes, and up to
// 6 GB, on `portguard -- CMD`.
func TestWrappedPathIsBoundedOnHostileProjects(t *testing.T) {
	t.Parallel() // its own projects and processes
	big := func(unit string, size int) string { return strings.Repeat(unit, size/len(unit)) }
	tests := []struct {
		name  string
		files map[string]string
		argv  []string
	}{
		{"a 1 MiB npm script of pipes", map[string]string{"package.json": `{"scripts": {"dev": "a` + big("|a", 1<<20-64) + `"}}`}, []string{"npm", "run", "dev"}},
		{"an npm script of && chains", map[string]string{"package.json": `{"scripts": {"dev": "a` + big("&&a", 1<<20-64) + `"}}`}, []string{"npm", "run", "dev"}},
		{"arithmetic of 100,000 negations", map[string]string{"package.json": `{"scripts": {"dev": "echo $((` + big("!", 100000) + `1))"}}`}, []string{"npm", "run", "dev"}},
		{"a compose file of nested sequences", map[string]string{"compose.yaml": "services:\n  web:\n    ports:\n      " + big("- ", 128<<10) + "3000\n"}, []string{"docker", "compose", "up"}},
	}
	// The wrapped path (--dry-run, which reads as a run does); the same
	// with the port named and held (the command is still read, for the
	// prompt and --next-free); and infer.
	h := holder(t)
	for _, mode := range [][]string{{"--dry-run", "--"}, {"--dry-run", "-p", strconv.Itoa(h.Port), "--"}, {"infer", "--"}} {
		for _, tt := range tests {
			t.Run(strings.Join(mode[:len(mode)-1], " ")+" "+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				for name, text := range tt.files {
					writeFile(t, filepath.Join(dir, name), text, 0o644)
				}
				// The deadline only keeps a hang from hanging the suite.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, portguardPath(t), append(slices.Clone(mode), tt.argv...)...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "NO_COLOR=1", "PORTGUARD_YES=")
				ownedBy(t, cmd)
				out, err := cmd.CombinedOutput()
				if ctx.Err() != nil {
					t.Fatalf("portguard did not finish within a minute:\n%.2000s", out)
				}
				// infer exits 1 when it infers nothing, or gives up.
				if code := exitCode(err); code != 0 && (mode[0] != "infer" || code != 1) {
					t.Fatalf("exit %d:\n%.2000s", code, out)
				}
				// Peak memory: the budget's heap bound, with the runtime's own.
				if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > 256<<10 {
					t.Fatalf("peak RSS %d KiB, over 256 MiB:\n%.2000s", rss, out)
				}
			})
		}
	}
}
