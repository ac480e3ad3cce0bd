package identify

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/internal/winetest"
)

func TestParsePS(t *testing.T) {
	out := []byte(`{"Command":"\"docker-entrypoint.s…\"","ID":"4f1c2a9e8b7d","Image":"postgres:16","Labels":"com.docker.compose.config-hash=9b1e,com.docker.compose.project=shop,com.docker.compose.service=db","Names":"shop-db-1","Ports":"0.0.0.0:5432->5432/tcp","State":"running"}
{"ID":"aa","Image":"redis","Labels":"","Names":"cache","Ports":"0.0.0.0:5432->6379/tcp"}
`)
	c, err := parsePS(out, "0.0.0.0:5432", detect.TCP)
	if err != nil {
		t.Fatal(err)
	}
	want := detect.Container{ID: "4f1c2a9e8b7d", Name: "shop-db-1", Image: "postgres:16", Project: "shop"}
	if c == nil || *c != want {
		t.Fatalf("parsePS = %+v, want %+v", c, want)
	}
	if got := Describe(c); got != "container shop-db-1 (image postgres:16, compose project shop)" {
		t.Errorf("Describe = %q", got)
	}
	if c, err := parsePS([]byte("\n"), "0.0.0.0:5432", detect.TCP); c != nil || err != nil {
		t.Errorf("no containers: %+v, %v", c, err)
	}
	if _, err := parsePS([]byte("Cannot connect"), "0.0.0.0:5432", detect.TCP); err == nil {
		t.Error("garbage parsed")
	}
}

// docker ps --filter publish=P lists every container with host port P,
// whatever its address: the one whose published address is the proxy's
// own is the one, and none matching means none.
func TestParsePSMatchesTheProxysAddress(t *testing.T) {
	out := []byte(`{"ID":"other","Image":"nginx","Names":"other","Ports":"127.0.0.2:8080->80/tcp"}
{"ID":"mine","Image":"nginx","Names":"mine","Ports":"127.0.0.1:8080->80/tcp"}
{"ID":"range","Image":"nginx","Names":"range","Ports":"127.0.0.3:8000-8090->8000-8090/tcp"}
{"ID":"v6","Image":"nginx","Names":"v6","Ports":"0.0.0.0:9000->80/tcp, [::]:9000->80/tcp"}
`)
	tests := []struct {
		addr string
		want string // "" for none
	}{
		{"127.0.0.1:8080", "mine"},
		{"127.0.0.2:8080", "other"},
		{"127.0.0.3:8080", "range"},
		{"127.0.0.4:8080", ""},
		{"[::]:9000", "v6"},
		{"0.0.0.0:9000", "v6"},
		{"0.0.0.0:8080", ""},
	}
	for _, tt := range tests {
		c, err := parsePS(out, tt.addr, detect.TCP)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if c != nil {
			got = c.ID
		}
		if got != tt.want {
			t.Errorf("the proxy on %s: container %q, want %q", tt.addr, got, tt.want)
		}
	}
	if c, _ := parsePS(out, "127.0.0.1:8080", detect.UDP); c != nil {
		t.Errorf("a TCP mapping matched a UDP proxy: %+v", c)
	}
}

func TestIsProxy(t *testing.T) {
	for _, tt := range []struct {
		h    detect.Holder
		want bool
	}{
		{detect.Holder{Name: "docker-proxy", Cmdline: []string{"/usr/bin/docker-proxy", "-proto", "tcp"}}, true},
		{detect.Holder{Name: "rootlesskit", Cmdline: []string{"rootlesskit", "--net=slirp4netns"}}, true},
		{detect.Holder{Name: "node", Cmdline: []string{"node", "server.js"}}, false},
		{detect.Holder{Name: "com.docker.backend"}, true},
	} {
		if got := IsProxy(tt.h); got != tt.want {
			t.Errorf("IsProxy(%s) = %v", tt.h.Name, got)
		}
	}
}

func TestWords(t *testing.T) {
	for _, tt := range []struct{ argv, want []string }{
		{[]string{"/usr/bin/node", "/home/ana/shop/node_modules/.bin/next", "dev"}, []string{"next", "dev"}},
		{[]string{"node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "run", "dev"}, []string{"npm-cli", "run", "dev"}},
		{[]string{"npm", "run", "dev"}, []string{"npm", "run", "dev"}},
		{[]string{"/bin/sh", "/home/ana/bin/dev"}, []string{"dev"}},
		{[]string{"sh", "-c", "next dev"}, []string{"sh", "-c", "next dev"}},
		{[]string{"python3", "-m", "http.server"}, []string{"python3", "-m", "http.server"}},
		{nil, nil},
	} {
		if got := words(tt.argv); !slices.Equal(got, tt.want) {
			t.Errorf("words(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}

func TestProjectRoot(t *testing.T) {
	home := winetest.TempDir(t)
	winetest.SetHome(t, home)
	for _, d := range []string{".git", "mono/.git", "mono/apps/web", "plain/src", "marked/src"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, "marked/package.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ dir, want string }{
		{"mono/apps/web", "mono"},  // the git root of a monorepo
		{"marked/src", "marked"},   // the nearest project marker
		{"plain/src", "plain/src"}, // nothing: the directory itself
	} {
		if got := ProjectRoot(filepath.Join(home, tt.dir)); got != filepath.Join(home, tt.want) {
			t.Errorf("ProjectRoot(%s) = %s, want %s (a home kept in git is no project)", tt.dir, got, filepath.Join(home, tt.want))
		}
	}
}

// Under sudo, the user's own processes are the ones of the user who ran
// sudo: an earlier copy of theirs is still recognised.
func TestRelateUnderSudo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, as under sudo")
	}
	dir := winetest.TempDir(t)
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := detect.Holder{PID: 1 << 30, UID: 1000, Cwd: dir, Cmdline: []string{"node", "/app/node_modules/.bin/next", "dev"}}
	cmd := Command{Argv: []string{"npm", "run", "dev"}, Tool: "next", Dir: dir}
	t.Setenv("SUDO_UID", "")
	if f := Relate(h, cmd); f.Relation != Unknown {
		t.Fatalf("another user's process: %+v, want Unknown", f)
	}
	t.Setenv("SUDO_UID", "1000")
	if f := Relate(h, cmd); f.Relation != EarlierCopy || f.Where != "." {
		t.Fatalf("under sudo by uid 1000: %+v, want an earlier copy in .", f)
	}
}
