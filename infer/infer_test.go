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
	write(t, dir, "nginx.conf", "events {}\nhttp { server { listen 3093; } }\n")
	tests := []struct {
		argv []string
		want int // 0: no port
	}{
		{[]string{"vite", "--help"}, 0},
		{[]string{"nginx", "-p", ".", "-c", "nginx.conf"}, 3093},
		{[]string{"nginx", "-t", "-p", ".", "-c", "nginx.conf"}, 0},
		{[]string{"nginx", "-s", "stop", "-p", ".", "-c", "nginx.conf"}, 0},
		{[]string{"deno", "serve", "--help"}, 0},
		{[]string{"deno", "serve", "--port", "3092", "main.ts", "--help"}, 3092}, // the script's --help
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

// The tools that read a file of their own, or start a second server, or
// changed between majors: what each listens on, as observed
// (bench/realports/observed.tsv has the runs).
func TestToolFilesSecondServersAndVersions(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		argv  []string
		env   []string
		want  []int
	}{
		{"caddy run: the site and the admin endpoint", map[string]string{"Caddyfile": ":3030 {\n\trespond \"hi\"\n}\n"},
			[]string{"caddy", "run"}, nil, []int{2019, 3030}},
		{"caddy run with admin off", map[string]string{"Caddyfile": "{\n\tadmin off\n}\nlocalhost:3031, :3032 {\n}\n"},
			[]string{"caddy", "run"}, nil, []int{3031, 3032}},
		{"caddy run with a JSON config", map[string]string{"c.json": `{"admin": {"listen": "localhost:3033"}, "apps": {"http": {"servers": {"a": {"listen": [":3034"]}}}}}`},
			[]string{"caddy", "run", "--config", "c.json"}, nil, []int{3033, 3034}},
		{"nginx: every listen, comments left out", map[string]string{"conf/n.conf": "events {}\nhttp {\n # listen 1;\n server { listen 3035; listen [::]:3036 ipv6only=on; }\n server { listen 127.0.0.1:3037; } # listen 2;\n}\n"},
			[]string{"nginx", "-p", "conf", "-c", "n.conf"}, nil, []int{3035, 3036, 3037}},
		{"nginx: a relative -c without -p is read from nginx's own prefix: nothing", map[string]string{"n.conf": "events {}\nhttp { server { listen 3065; } }\n"},
			[]string{"nginx", "-c", "n.conf"}, nil, nil},
		{"nginx: a UDP listen is not a TCP port", map[string]string{"n.conf": "stream { server { listen 5353 udp; } server { listen 3066; } }\n"},
			[]string{"nginx", "-p", ".", "-c", "n.conf"}, nil, []int{3066}},
		{"caddy: an upstream's address and a unix admin socket are not listens", map[string]string{"Caddyfile": "{\n\tadmin unix//run/caddy-admin.sock\n}\n:3067 {\nreverse_proxy localhost:9000 {\n}\n}\n"},
			[]string{"caddy", "run"}, nil, []int{3067}},
		{"thin reads thin.yml only with -C", map[string]string{"thin.yml": "port: 4000\n"},
			[]string{"thin", "start"}, nil, []int{3000}},
		{"nginx without -c reads the system's config: nothing", nil,
			[]string{"nginx"}, nil, nil},
		{"mosquitto -c: its listeners", map[string]string{"m.conf": "listener 3038\nlistener 3039 127.0.0.1\n"},
			[]string{"mosquitto", "-c", "m.conf"}, nil, []int{3038, 3039}},
		{"jekyll --livereload: LiveReload's port too", map[string]string{"_config.yml": "port: 3040\n"},
			[]string{"jekyll", "serve", "--livereload"}, nil, []int{3040, 35729}},
		{"jekyll --livereload-port", nil,
			[]string{"jekyll", "serve", "-l", "--livereload-port", "3041"}, nil, []int{3041, 4000}},
		{"puma: several binds", nil,
			[]string{"puma", "-b", "tcp://127.0.0.1:3042", "-b", "tcp://127.0.0.1:3043"}, nil, []int{3042, 3043}},
		{"puma reads no PORT", nil, []string{"puma"}, []string{"PORT=3044"}, []int{9292}},
		{"rack 2's options line in config.ru", map[string]string{"config.ru": "#\\ -p 3045 -o 127.0.0.1\nrun App\n", "Gemfile.lock": "GEM\n  specs:\n    rack (2.2.8)\n"},
			[]string{"rackup"}, nil, []int{3045}},
		{"rack 3 ignores the options line", map[string]string{"config.ru": "#\\ -p 3072\nrun App\n", "Gemfile.lock": "GEM\n  specs:\n    rack (3.1.7)\n    rackup (2.1.0)\n"},
			[]string{"rackup"}, nil, []int{9292}},
		{"Storybook 9: SBCONFIG_PORT over -p", map[string]string{"node_modules/storybook/package.json": `{"version": "9.1.3"}`, ".git/HEAD": ""},
			[]string{"storybook", "dev", "-p", "3050"}, []string{"SBCONFIG_PORT=3051"}, []int{3051}},
		{"Storybook 10: -p over SBCONFIG_PORT", map[string]string{"node_modules/storybook/package.json": `{"version": "10.6.9"}`, ".git/HEAD": ""},
			[]string{"storybook", "dev", "-p", "3050"}, []string{"SBCONFIG_PORT=3051"}, []int{3050}},
		{"Storybook 10 without a port: a free one, none to infer", nil,
			[]string{"storybook", "dev"}, nil, nil},
		{"pnpm 7 and later pass a literal -- on: Vite ignores what follows", map[string]string{"package.json": `{"scripts": {"dev": "vite"}}`},
			[]string{"pnpm", "dev", "--", "--port", "3052"}, nil, []int{5173}},
		{"pnpm 6 swallowed it", map[string]string{"package.json": `{"packageManager": "pnpm@6.35.1", "scripts": {"dev": "vite"}}`},
			[]string{"pnpm", "dev", "--", "--port", "3053"}, nil, []int{3053}},
		{"pnpm -r: every workspace's script", map[string]string{"pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n", "package.json": `{}`, "apps/a/package.json": `{"scripts": {"dev": "vite --port 3054"}}`, "apps/b/package.json": `{"scripts": {"dev": "vite --port 3055"}}`},
			[]string{"pnpm", "-r", "dev"}, nil, []int{3054, 3055}},
		{"pnpm -r passes the arguments after the script name", map[string]string{"pnpm-workspace.yaml": "packages: [apps/*]\n", "package.json": `{}`, "apps/a/package.json": `{"scripts": {"dev": "vite"}}`},
			[]string{"pnpm", "run", "-r", "dev", "--port", "3068"}, nil, []int{3068}},
		{"pnpm --filter that is not a package: nothing, never the root's script", map[string]string{"package.json": `{"scripts": {"dev": "vite"}}`},
			[]string{"pnpm", "--filter", "web...", "dev"}, nil, nil},
		{"turbo passes what follows -- to the tasks", map[string]string{"package.json": `{"workspaces": ["apps/*"]}`, "apps/web/package.json": `{"name": "web", "scripts": {"dev": "vite"}}`},
			[]string{"turbo", "dev", "--filter", "web", "--", "--port", "3069"}, nil, []int{3069}},
		{"run-s: a script that may serve on a port not inferred blocks the next", map[string]string{"package.json": `{"scripts": {"api": "node server.js", "web": "vite --port 3070"}}`, "server.js": "app.listen(base + 1)\n"},
			[]string{"run-s", "api", "web"}, nil, nil},
		{"run-s: a build, then the server", map[string]string{"package.json": `{"scripts": {"build": "vite build", "web": "vite --port 3071"}}`},
			[]string{"run-s", "build", "web"}, nil, []int{3071}},
		{"run-s: the first server blocks the rest", map[string]string{"package.json": `{"scripts": {"a": "vite --port 3056", "b": "vite --port 3057"}}`},
			[]string{"run-s", "a", "b"}, nil, []int{3056}},
		{"npm-run-all: a build, then servers together", map[string]string{"package.json": `{"scripts": {"build": "vite build", "a": "vite --port 3058", "b": "vite --port 3059"}}`},
			[]string{"npm-run-all", "build", "--parallel", "a", "b"}, nil, []int{3058, 3059}},
		{"browser-sync: not its UI, which moves when 3001 is taken", nil,
			[]string{"browser-sync", "start", "--server", "--port", "3060"}, nil, []int{3060}},
		{"browser-sync's config: the exported object's port, not the UI's", map[string]string{"bs-config.js": "module.exports = { ui: { port: 8080 }, port: 3063 }\n"},
			[]string{"browser-sync", "start", "--config", "bs-config.js"}, nil, []int{3063}},
		{"lite-server's JSON config", map[string]string{"bs-config.json": `{"port": 3061, "ui": false}`},
			[]string{"lite-server"}, nil, []int{3061}},
		{"@web/dev-server: the exported port, not a proxy's or a comment's", map[string]string{"web-dev-server.config.mjs": "const api = { host: 'localhost', port: 3000 }\n// port: 9000\nexport default { proxy: api, port: 3064 }\n"},
			[]string{"wds"}, nil, []int{3064}},
		{"deno task", map[string]string{"deno.json": `{"tasks": {"dev": "deno serve --port 3062 main.ts"}}`},
			[]string{"deno", "task", "dev"}, nil, []int{3062}},
		{"Angular 22: PORT over --port", map[string]string{"node_modules/@angular/build/package.json": `{"version": "22.2.7"}`},
			[]string{"ng", "serve", "--port", "3046"}, []string{"PORT=3047"}, []int{3047}},
		{"Angular 21: PORT is not read", map[string]string{"node_modules/@angular/build/package.json": `{"version": "21.0.3"}`, ".git/HEAD": ""},
			[]string{"ng", "serve", "--port", "3048"}, []string{"PORT=3049"}, []int{3048}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := winetest.TempDir(t)
			for name, text := range tt.files {
				write(t, dir, name, text)
			}
			var got []int
			for _, p := range Ports(tt.argv, tt.env, dir) {
				got = append(got, p.Port)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%v: ports %v, want %v", tt.argv, got, tt.want)
			}
		})
	}
}
