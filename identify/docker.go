package identify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/internal/outside"
)

// proxies are the processes that hold a port on behalf of a container:
// Docker's userland proxy, rootless Docker's and Podman's port forwarders,
// and Docker Desktop's backend on macOS and Windows.
var proxies = map[string]bool{
	"docker-proxy": true, "rootlesskit": true, "rootlessport": true,
	"com.docker.backend": true, "com.docker.backend.exe": true, "com.docker.vpnkit": true, "vpnkit": true,
}

// IsProxy reports whether h only forwards its port for a container, so
// that terminating it would break the container's networking rather than
// stop what the user started.
func IsProxy(h detect.Holder) bool {
	name := h.Name
	if len(h.Cmdline) > 0 {
		name = filepath.Base(h.Cmdline[0])
	}
	return proxies[name] || proxies[h.Name]
}

// dockerTimeout bounds a docker CLI call: a daemon that does not answer
// must not hold the user's command up.
const dockerTimeout = 5 * time.Second

// ErrNoDocker means the docker CLI is not installed.
var ErrNoDocker = errors.New("the docker command is not installed")

// Containers fills in Container for every holder that is a container
// proxy, by asking the docker CLI which running container publishes its
// port. The CLI, rather than the Engine API, is asked because it honours
// the user's contexts and DOCKER_HOST exactly as their own docker commands
// do, and it adds no client library to portguard. An error says why the
// containers could not be named; the holders are then left as processes.
func Containers(holders []detect.Holder) error {
	for i := range holders {
		h := &holders[i]
		if !IsProxy(*h) || h.Container != nil {
			continue
		}
		c, err := publisher(h.Addr, h.Port, h.Protocol)
		if err != nil {
			return err
		}
		h.Container = c // nil: no container publishes this very address
	}
	return nil
}

// psLine is one line of `docker ps --format '{{json .}}'`.
type psLine struct {
	ID     string `json:"ID"`
	Names  string `json:"Names"`
	Image  string `json:"Image"`
	Labels string `json:"Labels"` // k=v,k=v
	Ports  string `json:"Ports"`  // 0.0.0.0:5432->5432/tcp, [::]:5432->5432/tcp
}

func publisher(addr string, port int, proto detect.Protocol) (*detect.Container, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	filter := "publish=" + strconv.Itoa(port)
	if proto == detect.UDP {
		filter += "/udp"
	}
	out, err := outside.Command(ctx, "docker", "ps", "--filter", filter, "--format", "{{json .}}").Output()
	if errors.Is(err, exec.ErrNotFound) {
		return nil, ErrNoDocker
	}
	if err != nil {
		return nil, fmt.Errorf("docker ps: %s", dockerError(err))
	}
	return parsePS(out, addr, proto)
}

// parsePS reads docker ps's JSON lines and returns the container that
// publishes the proxy's own socket: its host address and port, as the
// engine lists them ("127.0.0.1:5432->5432/tcp"). docker ps's publish
// filter matches the port alone, so a container on 127.0.0.2:5432 is
// listed beside the one on 127.0.0.1:5432; the wrong one must never be
// stopped. No match is no container.
func parsePS(out []byte, addr string, proto detect.Protocol) (*detect.Container, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var ps psLine
		if err := json.Unmarshal(line, &ps); err != nil {
			return nil, fmt.Errorf("reading docker ps: %w", err)
		}
		if !publishes(ps.Ports, addr, proto) {
			continue
		}
		c := &detect.Container{ID: ps.ID, Name: strings.Split(ps.Names, ",")[0], Image: ps.Image}
		for _, kv := range strings.Split(ps.Labels, ",") {
			if v, ok := strings.CutPrefix(kv, "com.docker.compose.project="); ok {
				c.Project = v
			}
		}
		return c, nil
	}
	return nil, nil
}

// publishes reports whether a docker ps Ports field ("0.0.0.0:5432->5432/tcp,
// [::]:5432->5432/tcp") publishes the host address addr ("127.0.0.1:5432",
// "[::]:5432") for proto.
func publishes(ports, addr string, proto detect.Protocol) bool {
	want, err := netip.ParseAddrPort(addr)
	if err != nil {
		return false
	}
	suffix := "/tcp"
	if proto == detect.UDP {
		suffix = "/udp"
	}
	for _, m := range strings.Split(ports, ",") {
		host, target, ok := strings.Cut(strings.TrimSpace(m), "->")
		if !ok || !strings.HasSuffix(target, suffix) {
			continue
		}
		// A published range ("0.0.0.0:8000-8001->8000-8001/tcp"): each
		// host port of it.
		i := strings.LastIndexByte(host, ':')
		if i < 0 {
			continue
		}
		ip, err := netip.ParseAddr(strings.Trim(host[:i], "[]"))
		if err != nil || ip.Unmap() != want.Addr().Unmap() {
			continue
		}
		lo, hi, _ := strings.Cut(host[i+1:], "-")
		if hi == "" {
			hi = lo
		}
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		if errA == nil && errB == nil && int(want.Port()) >= a && int(want.Port()) <= b {
			return true
		}
	}
	return false
}

// Stop stops container c with `docker stop`, which gives it its own
// grace period (SIGTERM, then SIGKILL after 10 s by default).
func Stop(ctx context.Context, c *detect.Container, grace time.Duration) error {
	args := []string{"stop"}
	if grace > 0 {
		args = append(args, "--time", strconv.Itoa(int(grace.Round(time.Second)/time.Second)))
	}
	_, err := outside.Command(ctx, "docker", append(args, c.ID)...).Output()
	if errors.Is(err, exec.ErrNotFound) {
		return ErrNoDocker
	}
	if err != nil {
		return fmt.Errorf("docker stop %s: %s", c.Name, dockerError(err))
	}
	return nil
}

// dockerError is the CLI's own message, which says what is wrong (no
// daemon, no permission on the socket) better than an exit status.
func dockerError(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) && len(bytes.TrimSpace(exit.Stderr)) > 0 {
		return strings.TrimSpace(string(bytes.TrimSpace(exit.Stderr)))
	}
	return err.Error()
}

// Describe names a container the way the user knows it:
// container shop-db-1 (image postgres:16, compose project shop).
func Describe(c *detect.Container) string {
	s := "container " + c.Name + " (image " + c.Image
	if c.Project != "" {
		s += ", compose project " + c.Project
	}
	return s + ")"
}
