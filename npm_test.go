//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The npm packages that scripts/npm-pack.sh dist/npm makes, installed the
// way a project installs them, with the real npm and no registry at all
// (--offline, an empty cache of its own): the tarballs of the portguard
// package and of this machine's platform package.

// npmPackages returns the two tarballs for this snapshot's version.
func npmPackages(t *testing.T) (root, platform string) {
	t.Helper()
	meta, _ := releaseSnapshot(t)
	if _, err := exec.LookPath("npm"); err != nil {
		skipOrFail(t, tierRelease, "npm is not installed")
	}
	root, _ = filepath.Abs(filepath.Join("dist", "npm", "portguard-"+meta.Version+".tgz"))
	platform, _ = filepath.Abs(filepath.Join("dist", "npm", "portguard-linux-x64-"+meta.Version+".tgz"))
	for _, p := range []string{root, platform} {
		if _, err := os.Stat(p); err != nil {
			skipOrFail(t, tierRelease, fmt.Sprintf("%s is missing: run scripts/npm-pack.sh dist/npm", p))
		}
	}
	return root, platform
}

// npmProject is an empty project with an npm cache of its own, so that
// nothing can come from a registry or an earlier install.
func npmProject(t *testing.T, scripts string) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "package.json"), `{"name": "app", "version": "1.0.0", "private": true, "scripts": {`+scripts+`}}`, 0o644)
	writeFile(t, filepath.Join(dir, "server.js"), `require('http').createServer((req, res) => res.end('app ' + process.pid)).listen(Number(process.env.PORT), '127.0.0.1')`+"\n", 0o644)
	env = append(os.Environ(), "npm_config_cache="+filepath.Join(t.TempDir(), "npm-cache"), "npm_config_update_notifier=false", "PORTGUARD_YES=", "CI=")
	return dir, env
}

func npm(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("npm", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var npmInstall = []string{"install", "--offline", "--no-audit", "--no-fund", "--save-dev"}

// A project installs portguard from npm, and its dev script frees the
// port and starts the server; uninstalling removes it.
func TestNpmPackageInAProject(t *testing.T) {
	t.Parallel() // its own project, port and npm cache
	root, platform := npmPackages(t)
	h := holder(t)
	dir, env := npmProject(t, fmt.Sprintf(`"dev": "PORT=%d portguard -p %d -- node server.js"`, h.Port, h.Port))
	npm(t, dir, env, append(npmInstall, root, platform)...)

	// The bin npm links is the native binary itself: no Node start-up in
	// front of every run.
	bin := filepath.Join(dir, "node_modules", ".bin", "portguard")
	head, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(head, []byte("\x7fELF")) {
		t.Fatalf("node_modules/.bin/portguard is not the native binary; it starts %q", head[:min(40, len(head))])
	}
	meta, _ := releaseSnapshot(t)
	if out := npm(t, dir, env, "exec", "--offline", "--", "portguard", "version"); !strings.Contains(out, "portguard "+meta.Version) {
		t.Fatalf("npx portguard version printed %q; want version %s", out, meta.Version)
	}
	// npm rebuild runs the install step again: it leaves the binary in
	// place and nothing beside it.
	npm(t, dir, env, "rebuild", "--offline")
	if entries, _ := os.ReadDir(filepath.Join(dir, "node_modules", "portguard", "bin")); len(entries) != 1 {
		t.Errorf("after npm rebuild, bin/ holds %v; want the binary alone", entries)
	}
	if head, _ := os.ReadFile(bin); !bytes.HasPrefix(head, []byte("\x7fELF")) {
		t.Errorf("after npm rebuild, the bin is no longer the native binary")
	}

	// npm run dev, as in CI: no terminal, PORTGUARD_YES=1.
	job := exec.Command("npm", "run", "dev")
	job.Dir, job.Env = dir, append(env, "PORTGUARD_YES=1")
	job.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // ended whole, with its server
	logPath := filepath.Join(t.TempDir(), "dev.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	job.Stdout, job.Stderr = logf, logf
	startAndReap(t, job)
	if body := serves(t, h.Port, 20*time.Second); !strings.HasPrefix(body, "app ") {
		t.Fatalf(":%d answers %q, not the project's server:\n%s", h.Port, body, readFile(logPath))
	}
	if isAlive(h.PID()) {
		t.Fatalf("the holder (pid %d) is still alive:\n%s", h.PID(), readFile(logPath))
	}
	if log := readFile(logPath); !strings.Contains(log, fmt.Sprintf("pid %d", h.PID())) {
		t.Errorf("npm run dev did not say what it terminated:\n%s", log)
	}
	_ = syscall.Kill(-job.Process.Pid, syscall.SIGKILL)

	out := npm(t, dir, env, "uninstall", "--offline", "--no-audit", "--no-fund", "portguard")
	for _, gone := range []string{"node_modules/portguard", "node_modules/.bin/portguard"} {
		if _, err := os.Lstat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("npm uninstall portguard left %s:\n%s", gone, out)
		}
	}
	if strings.Contains(readFile(filepath.Join(dir, "package.json")), `"portguard"`) {
		t.Errorf("package.json still lists portguard:\n%s", readFile(filepath.Join(dir, "package.json")))
	}
}

// Where install scripts do not run, the Node launcher stays and runs the
// binary; where the platform package is missing, it says which one and
// how else to install.
func TestNpmPackageFallbacks(t *testing.T) {
	t.Parallel()
	root, platform := npmPackages(t)
	meta, _ := releaseSnapshot(t)

	t.Run("install scripts disabled", func(t *testing.T) {
		dir, env := npmProject(t, "")
		npm(t, dir, env, append(npmInstall, "--ignore-scripts", root, platform)...)
		if head := readFile(filepath.Join(dir, "node_modules", ".bin", "portguard")); !strings.HasPrefix(head, "#!/usr/bin/env node") {
			t.Fatalf("without install scripts the bin should be the Node launcher; it starts %q", head[:min(40, len(head))])
		}
		cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", "portguard"), "-p", "1", "--timeout", "5")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if code := exitCode(err); code != exitUsage || !strings.Contains(string(out), "--timeout 5s") {
			t.Errorf("through the launcher, a usage error should keep its exit code %d and message; got %d:\n%s", exitUsage, code, out)
		}
		if out := npm(t, dir, env, "exec", "--offline", "--", "portguard", "version"); !strings.Contains(out, "portguard "+meta.Version) {
			t.Errorf("npx portguard version through the launcher printed %q", out)
		}
	})
	t.Run("platform package missing", func(t *testing.T) {
		dir, env := npmProject(t, "")
		npm(t, dir, env, append(npmInstall, "--omit=optional", root)...)
		cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", "portguard"), "version")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		for _, want := range []string{"linux-x64", "@portguard/linux-x64 is not installed", "--omit=optional", "go install"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the message lacks %q:\n%s", want, out)
			}
		}
		if exitCode(err) != 1 {
			t.Errorf("exit %d; want 1", exitCode(err))
		}
	})
}
