//go:build linux

package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The release tier: GoReleaser's snapshot (scripts/release-snapshot, run
// by scripts/npm-pack.sh, which .ci/run calls) leaves the archives, the
// checksums and the Homebrew cask in dist/, and the npm packages in
// dist/npm. These tests check what a user would download. Without a
// snapshot of this checkout they are skipped, except in CI.

type releaseMeta struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

type releaseArtifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
}

// releaseSnapshot reads dist/'s metadata, and skips (or fails, in CI)
// when there is none, or when it was built from another commit.
func releaseSnapshot(t *testing.T) (releaseMeta, []releaseArtifact) {
	t.Helper()
	var meta releaseMeta
	b, err := os.ReadFile("dist/metadata.json")
	if err != nil {
		skipOrFail(t, tierRelease, "no release snapshot in dist/: run scripts/npm-pack.sh dist/npm")
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatalf("dist/metadata.json: %v", err)
	}
	// GoReleaser says "none" where it cannot read the git state (a
	// checkout without a remote); the version then cannot be matched.
	if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil && meta.Commit != "none" {
		if h := strings.TrimSpace(string(head)); h != meta.Commit {
			skipOrFail(t, tierRelease, fmt.Sprintf("dist/ was built from %s, not from HEAD (%s): run scripts/npm-pack.sh dist/npm", meta.Commit, h))
		}
	}
	var artifacts []releaseArtifact
	b, err = os.ReadFile("dist/artifacts.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &artifacts); err != nil {
		t.Fatalf("dist/artifacts.json: %v", err)
	}
	return meta, artifacts
}

// Each archive holds the README and a binary for its own system and
// architecture, read from the executable's own header; its checksum is
// in checksums.txt, and the cask names the macOS ones.
func TestReleaseArchives(t *testing.T) {
	meta, artifacts := releaseSnapshot(t)
	sums := readChecksums(t, "dist/checksums.txt")
	cask := readFile("dist/homebrew/Casks/portguard.rb")
	if !strings.Contains(cask, fmt.Sprintf("version %q", meta.Version)) {
		t.Errorf("the cask is not for version %s:\n%s", meta.Version, cask)
	}

	var targets []string
	for _, a := range artifacts {
		if a.Type != "Archive" {
			continue
		}
		target := a.Goos + "/" + a.Goarch
		targets = append(targets, target)
		t.Run(target, func(t *testing.T) {
			data, err := os.ReadFile(a.Path)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if got := sums[a.Name]; got != hex.EncodeToString(sum[:]) {
				t.Errorf("checksums.txt has %q for %s; the file's is %x", got, a.Name, sum)
			}
			if a.Goos == "darwin" && !strings.Contains(cask, hex.EncodeToString(sum[:])) {
				t.Errorf("the cask does not name %s by its checksum", a.Name)
			}
			files := archiveFiles(t, a.Path, data)
			if _, ok := files["README.md"]; !ok {
				t.Errorf("%s has no README.md; it holds %v", a.Name, keys(files))
			}
			exe := "portguard"
			if a.Goos == "windows" {
				exe += ".exe"
			}
			bin, ok := files[exe]
			if !ok {
				t.Fatalf("%s has no %s; it holds %v", a.Name, exe, keys(files))
			}
			if got := executableTarget(t, bin); got != target {
				t.Errorf("%s holds a binary for %s", a.Name, got)
			}
			if target == "linux/amd64" {
				run := filepath.Join(t.TempDir(), exe)
				writeFile(t, run, string(bin), 0o755)
				out, err := exec.Command(run, "version").CombinedOutput()
				if want := "portguard " + meta.Version + "\n"; err != nil || string(out) != want {
					t.Errorf("%s version: %q (%v); want %q", a.Name, out, err, want)
				}
			}
		})
	}
	sort.Strings(targets)
	want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	if strings.Join(targets, " ") != strings.Join(want, " ") {
		t.Errorf("archives for %v; want %v", targets, want)
	}
}

// readChecksums reads a sha256sum listing: "HEX  NAME" per line.
func readChecksums(t *testing.T, path string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(readFile(path)), "\n") {
		if sum, name, ok := strings.Cut(line, "  "); ok {
			sums[name] = sum
		}
	}
	if len(sums) == 0 {
		t.Fatalf("%s lists no checksums", path)
	}
	return sums
}

// archiveFiles returns the regular files of a .tar.gz or .zip by name.
func archiveFiles(t *testing.T, name string, data []byte) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	if strings.HasSuffix(name, ".zip") {
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name] = b
		}
		return files
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
}

// executableTarget reads an ELF, Mach-O or PE header and says which
// GOOS/GOARCH it runs on.
func executableTarget(t *testing.T, bin []byte) string {
	t.Helper()
	r := bytes.NewReader(bin)
	if f, err := elf.NewFile(r); err == nil {
		arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return "linux/" + arch + " (dynamically linked)"
			}
		}
		return "linux/" + arch
	}
	if f, err := macho.NewFile(r); err == nil {
		return "darwin/" + map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
	}
	if f, err := pe.NewFile(r); err == nil {
		return "windows/" + map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64"}[f.Machine]
	}
	return fmt.Sprintf("none (% x)", bin[:min(8, len(bin))])
}

func keys[V any](m map[string]V) []string {
	var names []string
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
