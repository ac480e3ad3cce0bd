package infer

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in   string
		port int
		kind addr
	}{
		{"8000", 8000, addrPort},
		{":8000", 8000, addrPort},
		{"0.0.0.0:8000", 8000, addrPort},
		{"[::1]:8081", 8081, addrPort},
		{"localhost:9000", 9000, addrPort},
		{"tcp://127.0.0.1:9393", 9393, addrPort},
		{"http://+:5000", 5000, addrPort},
		{"http://localhost", 80, addrPort},
		{"unix:/tmp/s.sock", 0, addrNotTCP},
		{"unix:///tmp/s.sock", 0, addrNotTCP},
		{"/tmp/s.sock", 0, addrNotTCP},
		{"fd://3", 0, addrNotTCP},
		{"localhost", 0, addrNone},
		{"0.0.0.0", 0, addrNone},
		{"localhost:99999", 0, addrNone},
		{"", 0, addrNone},
	}
	for _, tt := range tests {
		port, kind := parseAddr(tt.in)
		if port != tt.port || kind != tt.kind {
			t.Errorf("parseAddr(%q) = %d, %d; want %d, %d", tt.in, port, kind, tt.port, tt.kind)
		}
	}
}

func TestParsePublish(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"8080:80", []int{8080}},
		{"127.0.0.1:5432:5432", []int{5432}},
		{"[::1]:8082:80", []int{8082}},
		{"8000-8002:8000-8002", []int{8000, 8001, 8002}},
		{"8080:80/tcp", []int{8080}},
		{"5353:53/udp", nil},
		{"80", nil},
		{"127.0.0.1::80", nil},
		{"x:80", nil},
		{"9-1:80", nil},
	}
	for _, tt := range tests {
		if got := parsePublish(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("parsePublish(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFlagValue(t *testing.T) {
	tests := []struct {
		args  []string
		flags string
		value string
		ok    bool
		next  int
	}{
		{[]string{"--port", "4000"}, "-p --port", "4000", true, 1},
		{[]string{"--port=4000"}, "-p --port", "4000", true, 0},
		{[]string{"-p4000"}, "-p --port", "4000", true, 0},
		{[]string{"-pretty"}, "-p --port", "", false, 0},
		{[]string{"-p"}, "-p --port", "", false, 0},
		{[]string{"--portal", "x"}, "-p --port", "", false, 0},
		{[]string{"--", "-p", "1"}, "-p", "", false, 0},
	}
	for _, tt := range tests {
		i := 0
		v, ok := flagValue(tt.args, &i, tt.flags)
		if v != tt.value || ok != tt.ok || i != tt.next {
			t.Errorf("flagValue(%q, %q) = %q, %v, i=%d; want %q, %v, i=%d", tt.args, tt.flags, v, ok, i, tt.value, tt.ok, tt.next)
		}
	}
}

// TestExplain checks that each answer says where it came from.
func TestExplain(t *testing.T) {
	dir := winetest.TempDir(t)
	write(t, dir, "package.json", `{"scripts": {"dev": "next dev", "serve": "npm run dev"}}`)
	write(t, dir, "vite.config.ts", `export default defineConfig(() => ({}))`)
	tests := []struct {
		argv []string
		env  []string
		want string
	}{
		{[]string{"npm", "run", "dev"}, nil, `default of "next dev" (npm script "dev" in ./package.json)`},
		{[]string{"npm", "run", "serve"}, nil, `default of "next dev" (npm script "dev" in ./package.json) (npm script "serve" in ./package.json)`},
		{[]string{"vite"}, nil, `default of "vite", its config sets no port`},
		{[]string{"next", "dev"}, []string{"PORT=4000"}, `PORT=4000 in the environment, read by "next dev"`},
		{[]string{"PORT=4001", "next", "dev"}, nil, `PORT=4001 set on the command line, read by "next dev"`},
		{[]string{"next", "dev", "-p", "4002"}, []string{"PORT=4000"}, `-p 4002 of "next dev"`},
	}
	for _, tt := range tests {
		got := Ports(tt.argv, tt.env, dir)
		if len(got) != 1 || got[0].Source != tt.want {
			t.Errorf("Ports(%q) = %+v, want source %q", tt.argv, got, tt.want)
		}
	}
}

func write(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzPorts: inference never panics and never returns a port outside
// 1-65535, whatever the command line, environment and package.json.
func FuzzPorts(f *testing.F) {
	f.Add("npm\x00run\x00dev\x00--\x00-p\x004000", "PORT=3000", `{"scripts":{"dev":"next dev"}}`)
	f.Add("docker\x00run\x00-p\x008000-8002:80\x00x", "", "")
	f.Add("bash\x00-c\x00cd web && npm start", "", `{"scripts":{"start":"PORT=$((1+1)) vite $(x)"}}`)
	f.Add("kubectl\x00port-forward\x00svc/x\x00:80\x0099999:1", "", "")
	f.Add("concurrently\x00npm:*\x00yarn:dev", "", `{"scripts":{"dev":"concurrently npm:dev","a":"serve -l 70000"}}`)
	f.Fuzz(func(t *testing.T, argv, env, pkg string) {
		dir := winetest.TempDir(t)
		if pkg != "" {
			write(t, dir, "package.json", pkg)
		}
		for _, p := range Ports(strings.Split(argv, "\x00"), strings.Split(env, "\x00"), dir) {
			if p.Port < 1 || p.Port > 65535 {
				t.Fatalf("port %d out of range for %q", p.Port, argv)
			}
			if p.Source == "" {
				t.Fatalf("port %d without a source", p.Port)
			}
		}
	})
}

// BenchmarkPortsNpmRunDev is the common case: a package.json script and a
// .env file, read from disk on every call.
func BenchmarkPortsNpmRunDev(b *testing.B) {
	dir := winetest.TempDir(b)
	write(b, dir, "package.json", `{"name":"app","scripts":{"dev":"npm run build:css && vite --port 3000","build:css":"tailwindcss -i in.css -o out.css"}}`)
	write(b, dir, ".env", "PORT=4000\nVITE_API=http://localhost:8000\n")
	env := os.Environ()
	for b.Loop() {
		if ports := Ports([]string{"npm", "run", "dev"}, env, dir); len(ports) != 1 {
			b.Fatal(ports)
		}
	}
}

// TestREADMEListsEveryTool keeps the table of tools in docs/inference.md in step with
// the table in tools.go.
func TestREADMEListsEveryTool(t *testing.T) {
	b, err := os.ReadFile("../docs/inference.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, r := range tools {
		name := strings.Fields(r.names)[0]
		if !strings.Contains(readme, "| `"+name) {
			t.Errorf("docs/inference.md has no row for %q", name)
		}
		if r.src == "" {
			t.Errorf("tool %q cites no source", name)
		}
	}
}

// hostPort splits as net.SplitHostPort does, without linking net.
func TestHostPortAgreesWithNet(t *testing.T) {
	for _, s := range []string{
		"localhost:8000", ":8000", "0.0.0.0:8000", "[::1]:8000", "[::]:3000", "::1", "::1:80",
		"a:b:c", "[::1]x:80", "[[::1]]:80", "[::1:80", "::1]:80", "host", "host:", ":", "[]:80",
		"a[b]:80", "[fe80::1%lo0]:80", "127.0.0.1:http", "a:8]0", "[::1]:8[0",
	} {
		_, wantPort, err := net.SplitHostPort(s)
		port, ok := hostPort(s)
		if ok != (err == nil) || (ok && port != wantPort) {
			t.Errorf("hostPort(%q) = %q, %v; net.SplitHostPort says %q, %v", s, port, ok, wantPort, err)
		}
	}
}

// Help, version and dry-run lines infer no port, and say why.
func TestNotServingLinesInferNoPort(t *testing.T) {
	dir := winetest.TempDir(t)
	write(t, dir, "package.json", `{"scripts": {"dev": "vite", "start": "next start"}}`)
	write(t, dir, "Makefile", "dev:\n\tvite --port 5174\n")
	tests := []struct {
		argv []string
		want int // 0: no port
	}{
		{[]string{"vite", "--help"}, 0},
		{[]string{"vite", "-h"}, 0},
		{[]string{"vite", "--port", "41210", "--help"}, 0},
		{[]string{"vite", "--version"}, 0},
		{[]string{"vite", "-v"}, 0},
		{[]string{"next", "--version"}, 0},
		{[]string{"next", "help"}, 0},
		{[]string{"npm", "run", "dev", "--", "--help"}, 0},
		{[]string{"npm", "start", "--help"}, 0},
		{[]string{"npm", "--version"}, 0},
		{[]string{"npm", "-v"}, 0},
		{[]string{"make", "-n", "dev"}, 0},
		{[]string{"make", "--dry-run", "dev"}, 0},
		{[]string{"make", "-kn", "dev"}, 0},
		{[]string{"rails", "s", "--help"}, 0},
		{[]string{"flask", "run", "--help"}, 0},
		{[]string{"python3", "-m", "http.server", "--help"}, 0},
		// Not help: flask's -h is its host, hugo's -v is verbose, a
		// script's own --help is the script's.
		{[]string{"flask", "run", "-h", "127.0.0.1"}, 5000},
		{[]string{"hugo", "server", "-v"}, 1313},
		{[]string{"vite"}, 5173},
		{[]string{"npm", "run", "dev"}, 5173},
		{[]string{"make", "dev"}, 5174},
		{[]string{"make", "-j4", "dev"}, 5174},
	}
	for _, tt := range tests {
		ports, notes := Explain(tt.argv, nil, dir)
		got := 0
		if len(ports) > 0 {
			got = ports[0].Port
		}
		if got != tt.want {
			t.Errorf("%q: port %d, want %d (notes %q)", tt.argv, got, tt.want, notes)
		}
		if tt.want == 0 && len(notes) == 0 {
			t.Errorf("%q: no port and no note saying why", tt.argv)
		}
	}
}

// PORT is read as the tools read it, or not at all: a value they would
// read differently, or 0 (any free port), frees nothing, and never the
// default instead.
func TestEnvPortValues(t *testing.T) {
	dir := winetest.TempDir(t)
	write(t, dir, "server.js", "const app = require('express')();\napp.listen(process.env.PORT || 3000);\n")
	tests := []struct {
		value string
		want  int
	}{
		{"", 3000}, {"4000", 4000}, {" 4000 ", 4000}, {"+4000", 4000}, {"04000", 4000},
		{"0", 0}, {"-1", 0}, {"0x1f90", 0}, {"4.15e4", 0}, {"4000abc", 0}, {"70000", 0},
	}
	for _, argv := range [][]string{{"node", "server.js"}, {"next", "dev"}} {
		for _, tt := range tests {
			want := tt.want
			if argv[0] == "next" && tt.value == "" {
				want = 3000
			}
			ports, notes := Explain(argv, []string{"PORT=" + tt.value}, dir)
			got := 0
			if len(ports) > 0 {
				got = ports[0].Port
			}
			if got != want {
				t.Errorf("PORT=%q %q: port %d, want %d (notes %q)", tt.value, argv, got, want, notes)
			}
			if want == 0 && len(notes) == 0 {
				t.Errorf("PORT=%q %q: no port and no note", tt.value, argv)
			}
		}
	}
}

// When nothing is inferred, --explain says why: no package.json, no such
// script. A path that is not there is not "skipped".
func TestExplainSaysWhyNothingFollows(t *testing.T) {
	dir := winetest.TempDir(t)
	_, notes := Explain([]string{"npm", "run", "dev"}, nil, dir)
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "no package.json in ") }) {
		t.Errorf("no package.json: notes %q", notes)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"scripts": {"build": "vite build"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, notes = Explain([]string{"npm", "run", "dev"}, nil, dir)
	if !slices.Contains(notes, `./package.json has no script "dev"`) {
		t.Errorf("no such script: notes %q", notes)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"scripts": {"dev": "npm -w web run dev"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, notes = Explain([]string{"npm", "run", "dev"}, nil, dir)
	if slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "skipped") }) {
		t.Errorf("a workspace that is not there was called skipped: %q", notes)
	}
}
