//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/shell"
)

// portCase is one row of a port-cases table: a command line, its
// environment and project files, and the ports it really listens on.
type portCase struct {
	id, argv, env, files, ports, source, tool string
	dir                                       string // the working directory below the case's root, "" for the root
}

func readPortCases(t *testing.T, path string) []portCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []portCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "id\t") {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) < 5 {
			t.Fatalf("%s: bad row %q", path, line)
		}
		c := portCase{id: col[0], argv: col[1], env: col[2], files: col[3], ports: col[4]}
		if len(col) > 5 {
			c.source = col[5]
		}
		if len(col) > 6 {
			c.tool = col[6]
		}
		if len(col) > 7 && col[7] != "-" {
			c.dir = col[7]
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestInferPortCases runs every sourced case through `portguard infer`, in
// a directory holding only the case's files and with only the case's
// environment: ../shared/port-cases.tsv (shared by everyone working on
// portguard) and testdata/port-cases.tsv (one or more cases per rule of
// the tool table).
//
// bench/realports/observed.tsv is the ground truth: the ports real tools
// really listened on, observed by `go run ./bench/realports`. Its cases
// listed in bench/realports/misses.tsv are known misses, each with the
// reason portguard does not infer that port; they must still miss (a
// fixed one is taken off the list).
func TestInferPortCases(t *testing.T) {
	tables := []string{"testdata/port-cases.tsv", "bench/realports/observed.tsv"}
	misses := readMisses(t, "bench/realports/misses.tsv")
	disputed := readMisses(t, "testdata/shared-disputed.tsv")
	shared := filepath.Join("..", "shared", "port-cases.tsv")
	if _, err := os.Stat(shared); err == nil {
		tables = append(tables, shared)
	} else if os.Getenv("CI") != "" {
		t.Errorf("%s is missing; CI runs beside shared/", shared)
	}
	installed := observedVersions(t, "bench/realports/observed.tsv")
	observedIDs := map[string]bool{}
	observedTools := map[string]bool{}
	for _, c := range readPortCases(t, "bench/realports/observed.tsv") {
		observedIDs[c.id] = true
		observedTools[c.tool] = true
	}
	checkScoreIsQuoted(t, len(observedIDs), len(observedIDs)-len(misses), len(observedTools), "README.md", "docs/inference.md")
	pg := portguardPath(t)
	for _, table := range tables {
		for _, c := range readPortCases(t, table) {
			t.Run(filepath.Base(filepath.Dir(table))+"/"+c.id, func(t *testing.T) {
				t.Parallel() // each case is a process of its own: most of it is waiting
				var versions map[string]string
				if table == "bench/realports/observed.tsv" {
					versions = installed // the run had them in node_modules
				}
				got, out := inferCase(t, pg, c, versions)
				want := strings.Split(c.ports, ",")
				if c.ports == "-" {
					want = nil
				}
				if reason, known := disputed[c.id]; known && table == shared {
					if id, ok := strings.CutPrefix(reason, "observed as "); ok {
						// The real tool, at the version observed, listens
						// elsewhere: the observed case is the one checked.
						id, _, _ = strings.Cut(id, ":")
						if !observedIDs[id] {
							t.Errorf("%s is disputed by %s, which bench/realports/observed.tsv does not have", c.id, id)
						}
						return
					}
					// The real tool listens on nothing here.
					if len(got) > 0 {
						t.Errorf("%s: got %v; the real tool listens on nothing (testdata/shared-disputed.tsv: %s)", c.id, got, reason)
					}
					return
				}
				if reason, known := misses[c.id]; known && table == "bench/realports/observed.tsv" {
					if slices.Equal(got, want) {
						t.Errorf("%s is inferred right now (%v); take it off bench/realports/misses.tsv (%s)", c.id, got, reason)
					}
					return
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s\n  argv:  %s\n  env:   %s\n  files: %s\n  got %v, want %v (%s)\n%s", c.id, c.argv, c.env, c.files, got, want, c.source, out)
				}
			})
		}
	}
}

// checkScoreIsQuoted checks that the documents quote the corpus's current
// score, as the line this prints: the cases below check that every case
// not listed as a miss is matched, so the score follows from the tables.
func checkScoreIsQuoted(t *testing.T, total, matched, tools int, docs ...string) {
	t.Helper()
	score := fmt.Sprintf("%d of %d observed runs (%.1f%%) across %d tools", matched, total, float64(matched)*100/float64(total), tools)
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), score) {
			t.Errorf("%s does not quote the real-run score: it is %q", doc, score)
		}
	}
}

// versionedPackages are the npm packages whose installed version changes
// what portguard infers (infer's forInstalled and installedDefault).
var versionedPackages = []string{"@angular/build", "storybook", "vite"}

// observedVersions reads the npm packages' versions from the header of
// observed.tsv ("#   npm registry: a 1.2.3, b 4.5.6"), for the packages
// whose version matters to inference: the cases are inferred with those
// versions' package.json in node_modules, as the observed runs had them.
func observedVersions(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		list, ok := strings.CutPrefix(line, "#   npm registry: ")
		if !ok {
			continue
		}
		for _, item := range strings.Split(list, ", ") {
			name, version, _ := strings.Cut(item, " ")
			if slices.Contains(versionedPackages, name) {
				out[name] = version
			}
		}
	}
	if len(out) != len(versionedPackages) {
		t.Errorf("%s names the versions of %v of %v", path, out, versionedPackages)
	}
	return out
}

func inferCase(t *testing.T, pg string, c portCase, installed map[string]string) ([]string, string) {
	t.Helper()
	dir := t.TempDir()
	for name, version := range installed {
		p := filepath.Join(dir, "node_modules", name, "package.json")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"version": "`+version+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c.files != "-" {
		var files map[string]string
		if err := json.Unmarshal([]byte(c.files), &files); err != nil {
			t.Fatalf("files: %v", err)
		}
		for name, content := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	env := []string{}
	if c.env != "-" {
		var vars map[string]string
		if err := json.Unmarshal([]byte(c.env), &vars); err != nil {
			t.Fatalf("env: %v", err)
		}
		for k, v := range vars {
			env = append(env, k+"="+v)
		}
	}
	argv, err := shell.Fields(c.argv, func(string) string { return "" })
	if err != nil {
		t.Fatalf("argv %q: %v", c.argv, err)
	}
	cmd := exec.Command(pg, append([]string{"infer", "--explain", "--"}, argv...)...)
	cmd.Dir, cmd.Env = filepath.Join(dir, c.dir), env
	out, err := cmd.CombinedOutput()
	code := exitCode(err)
	var ports []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				ports = append(ports, f[0])
			}
		}
	}
	if (code == 0) != (len(ports) > 0) {
		t.Errorf("exit %d with ports %v", code, ports)
	}
	slices.SortFunc(ports, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	return ports, fmt.Sprintf("  output: %s", out)
}

// readMisses reads id<TAB>reason rows.
func readMisses(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	misses := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if id, reason, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") && id != "id" {
			misses[id] = reason
		}
	}
	return misses
}
