//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Docker tier: a real Docker engine (Debian's docker.io), started by
// testdata/docker/engine in a network namespace of its own, and a
// container made from busybox-static without any registry. portguard runs
// inside that namespace (nsenter), where the container's port is
// published on 127.0.0.1 by docker-proxy. .ci/run starts the engine; on a
// machine without one these tests are skipped, except in CI.

type dockerEngine struct {
	host string // DOCKER_HOST
	pid  int    // dockerd, whose network namespace the tests enter
}

func engine(t *testing.T) dockerEngine {
	t.Helper()
	dir := os.Getenv("PORTGUARD_DOCKER_DIR")
	if dir == "" {
		dir = "/tmp/portguard-docker"
	}
	b, err := os.ReadFile(filepath.Join(dir, "dockerd.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid == 0 || !isAlive(pid) {
		skipOrFail(t, tierDocker, "no Docker engine: run testdata/docker/engine start (as root, with docker.io and busybox-static)")
	}
	e := dockerEngine{host: "unix://" + filepath.Join(dir, "docker.sock"), pid: pid}
	if out, err := e.docker(t, "version"); err != nil {
		skipOrFail(t, tierDocker, "the Docker engine does not answer: "+out)
	}
	return e
}

func (e dockerEngine) docker(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+e.host)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// container starts a busybox httpd published on 127.0.0.1:port, removed
// by its ID when the test ends.
func (e dockerEngine) container(t *testing.T, name string, port int) string {
	t.Helper()
	return e.containerOn(t, name, "127.0.0.1", port)
}

// containerOn is container published on host:port.
func (e dockerEngine) containerOn(t *testing.T, name, host string, port int) string {
	t.Helper()
	id, err := e.docker(t, "run", "-d", "--label", "portguard-test=1", "--name", name,
		"-p", fmt.Sprintf("%s:%d:8080", host, port), "portguard-busybox", "/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/")
	if err != nil {
		t.Fatalf("docker run: %v\n%s", err, id)
	}
	t.Cleanup(func() { _, _ = e.docker(t, "rm", "-f", id) })
	for range 100 {
		if out, _ := e.portguard(t, t.TempDir(), nil, "which", strconv.Itoa(port)); strings.Contains(out, "container "+name) {
			return id
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("container %s never published :%d", name, port)
	return ""
}

func (e dockerEngine) running(t *testing.T, id string) bool {
	t.Helper()
	out, err := e.docker(t, "inspect", "-f", "{{.State.Running}}", id)
	return err == nil && out == "true"
}

// portguard runs portguard in the engine's network namespace.
func (e dockerEngine) portguard(t *testing.T, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("nsenter", append([]string{"-t", strconv.Itoa(e.pid), "-n", "--", portguardPath(t)}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"NO_COLOR=1", "PORTGUARD_YES=", "DOCKER_HOST=" + e.host}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(err)
}

func TestDockerContainers(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	e := engine(t)
	port := 20000 + os.Getpid()%20000 // the engine's own namespace: no other listener there
	id := e.container(t, "pg-shop-db", port)
	dir := t.TempDir()

	out, code := e.portguard(t, dir, nil, "which", strconv.Itoa(port))
	wantExit(t, code, 0, out)
	wantOutput(t, out, "container pg-shop-db (image portguard-busybox)")

	out, code = e.portguard(t, dir, nil, "which", "--json", strconv.Itoa(port))
	wantExit(t, code, 0, out)
	var records []holderRecord
	if err := json.Unmarshal([]byte(out), &records); err != nil || len(records) != 1 || records[0].Container == nil ||
		records[0].Container.Name != "pg-shop-db" || !strings.HasPrefix(id, records[0].Container.ID) || records[0].Container.Image != "portguard-busybox" {
		t.Fatalf("which --json: %v\n%s", err, out)
	}

	// ls names it too, as a container.
	out, code = e.portguard(t, dir, nil, "ls", strconv.Itoa(port))
	wantExit(t, code, 0, out)
	wantMatch(t, out, fmt.Sprintf(`:%d +127\.0\.0\.1:%d +\d+ +docker-proxy +\S+ +container pg-shop-db \(image portguard-busybox\)`, port, port))

	// never with the container's name: not stopped, even with --yes.
	writeFile(t, filepath.Join(dir, ".portguard.toml"), "never = [\"pg-shop-db\"]\n", 0o644)
	out, code = e.portguard(t, dir, nil, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, exitHeld, out)
	wantOutput(t, out, `lists "pg-shop-db" under never`)
	if !e.running(t, id) {
		t.Fatal("the container listed under never was stopped")
	}
	os.Remove(filepath.Join(dir, ".portguard.toml"))

	// docker not reachable: nothing is terminated, docker-proxy least of all.
	out, code = e.portguard(t, dir, []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, exitHeld, out)
	wantOutput(t, out, "for a container that docker could not name; nothing was terminated")
	if !e.running(t, id) {
		t.Fatal("the container was stopped although docker could not be reached")
	}

	// --yes: docker stop, within its grace; the port is free, the command runs.
	out, code = e.portguard(t, dir, nil, "-y", "-t", "2s", "-p", strconv.Itoa(port), "--", "sh", "-c", "echo command ran")
	wantExit(t, code, 0, out)
	wantOutput(t, out, "stopped container pg-shop-db (image portguard-busybox) with docker stop after")
	wantOutput(t, out, "command ran")
	if e.running(t, id) {
		t.Fatal("the container still runs after docker stop")
	}
	if out, _ := e.portguard(t, dir, nil, "which", strconv.Itoa(port)); !strings.Contains(out, "(free)") {
		t.Fatalf(":%d is still held after docker stop:\n%s", port, out)
	}
}

// Two containers publish the same port on two addresses: each proxy is
// named by the container that publishes its own address (docker ps's
// publish filter lists both), so the right one is stopped.
func TestDockerContainerByAddress(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	e := engine(t)
	port := 20000 + (os.Getpid()+7)%20000 // the engine's own namespace: no other listener there
	e.containerOn(t, "pg-addr-mine", "127.0.0.1", port)
	e.containerOn(t, "pg-addr-other", "127.0.0.2", port)
	dir := t.TempDir()
	out, code := e.portguard(t, dir, nil, "which", "--json", strconv.Itoa(port))
	wantExit(t, code, 0, out)
	var records []holderRecord
	if err := json.Unmarshal([]byte(out), &records); err != nil {
		t.Fatalf("which --json: %v\n%s", err, out)
	}
	names := map[string]string{}
	for _, r := range records {
		if r.Container != nil {
			names[r.Address] = r.Container.Name
		}
	}
	want := map[string]string{fmt.Sprintf("127.0.0.1:%d", port): "pg-addr-mine", fmt.Sprintf("127.0.0.2:%d", port): "pg-addr-other"}
	if !maps.Equal(names, want) {
		t.Fatalf("containers by address = %v, want %v\n%s", names, want, out)
	}
}

// composeFlavours are the compose implementations on this machine:
// Debian 12's docker-compose (1.29, Python) and the Compose v2 plugin
// (`docker compose`), which Debian 12 does not package.
func composeFlavours(t *testing.T, e dockerEngine) map[string][]string {
	t.Helper()
	flavours := map[string][]string{}
	if _, err := exec.LookPath("docker-compose"); err == nil {
		flavours["docker-compose v1"] = []string{"docker-compose"}
	} else {
		skipOrFail(t, tierDocker, "docker-compose is not installed (apt-get install docker-compose)")
	}
	if out, err := e.docker(t, "compose", "version"); err == nil {
		flavours["docker compose v2"] = []string{"docker", "compose"}
	} else {
		// Not in CI: Debian 12 has no package for it, and building it from
		// the Go module proxy takes minutes (docs/ci.md: Docker).
		t.Logf("docker compose (v2) is not installed, so only v1 runs: %s", out)
	}
	return flavours
}

// A compose project publishes the port its file says (the variable from
// .env, as compose reads it): portguard infers exactly that port before
// `up`, names the container compose started, and stops it with --yes.
func TestDockerCompose(t *testing.T) {
	t.Parallel()
	e := engine(t)
	for flavour, compose := range composeFlavours(t, e) {
		t.Run(flavour, func(t *testing.T) {
			port := 20000 + (os.Getpid()+100*len(compose))%20000 // the engine's namespace: only these tests listen there
			project := fmt.Sprintf("pgc%d%d", os.Getpid(), len(compose))
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "docker-compose.yml"), `services:
  web:
    image: portguard-busybox
    command: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/"]
    labels: ["portguard-test=1"]
    ports:
      - "127.0.0.1:${WEB_PORT:-1}:8080"
`, 0o644)
			writeFile(t, filepath.Join(dir, ".env"), fmt.Sprintf("WEB_PORT=%d\n", port), 0o644)
			up := append(append([]string{}, compose...), "-p", project, "up")

			out, code := e.portguard(t, dir, nil, append([]string{"infer", "--explain", "--"}, up...)...)
			wantExit(t, code, 0, out)
			if !strings.HasPrefix(out, strconv.Itoa(port)+" ") {
				t.Fatalf("portguard infer -- %s:\n%s\nwant %d", strings.Join(up, " "), out, port)
			}

			cmd := exec.Command(compose[0], append(compose[1:], "-p", project, "up", "-d")...)
			cmd.Dir, cmd.Env = dir, append(os.Environ(), "DOCKER_HOST="+e.host)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s up -d: %v\n%s", strings.Join(compose, " "), err, b)
			}
			id, _ := e.docker(t, "ps", "-aq", "--filter", "label=com.docker.compose.project="+project)
			networks, _ := e.docker(t, "network", "ls", "-q", "--filter", "label=com.docker.compose.project="+project)
			t.Cleanup(func() {
				for _, c := range strings.Fields(id) {
					_, _ = e.docker(t, "rm", "-f", c)
				}
				// The project's network too: left behind, each run's used
				// up one of the engine's address pools, and after some
				// thirty runs compose could create none.
				for _, n := range strings.Fields(networks) {
					_, _ = e.docker(t, "network", "rm", n)
				}
			})
			if published, _ := e.docker(t, "port", id, "8080"); !strings.Contains(published, fmt.Sprintf("127.0.0.1:%d", port)) {
				t.Fatalf("compose published %q, not the inferred :%d", published, port)
			}
			// v1 names it project_web_1, v2 project-web-1.
			name := regexp.MustCompile(`container ` + project + `[-_]web[-_]1 \(image portguard-busybox, compose project ` + project + `\)`)
			var which string
			for range 100 {
				if which, _ = e.portguard(t, dir, nil, "which", strconv.Itoa(port)); name.MatchString(which) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !name.MatchString(which) {
				t.Fatalf("which does not name compose's container:\n%s", which)
			}

			out, code = e.portguard(t, dir, nil, "-y", "-p", strconv.Itoa(port), "--", "true")
			wantExit(t, code, 0, out)
			if e.running(t, id) {
				t.Fatalf("the container is still running after -y:\n%s", out)
			}
		})
	}
}
