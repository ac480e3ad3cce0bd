package infer

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

// Lines as users type them at a shell, in testdata/project: a package.json
// with vite, web/ with next, a Makefile, Rails 7's bin/dev and its
// Procfile.dev, and a Python script that is not shell.
func TestCommandLinePorts(t *testing.T) {
	dir, err := filepath.Abs("testdata/project")
	if err != nil {
		t.Fatal(err)
	}
	aliases := map[string]string{"dev": "npm run dev", "web": "cd web", "serve": "make api"}
	tests := []struct {
		line  string
		shell string
		want  []int
	}{
		{"npm run dev", "bash", []int{5200}},
		{"cd web && npm run dev", "bash", []int{3100}},
		{"cd web; cd ..; npm run dev", "zsh", []int{5200}},
		{"(cd web && npm run dev) 2>&1 | tee dev.log", "bash", []int{3100}},
		{"npm run dev & cd web && npm run dev", "bash", []int{5200, 3100}},
		{"make run", "bash", []int{8100}},
		{"make", "bash", []int{8100}},
		{"make run PORT=8101", "bash", []int{8101}},
		{"make -j4 api", "zsh", []int{8200}},
		{"make web", "bash", []int{8200}},
		{"make -C .. run", "bash", nil},
		{"./bin/dev", "bash", []int{3300}},
		{"bin/dev", "fish", []int{3300}},
		{"./bin/seed", "bash", nil},
		{"PORT=4000 ./bin/server", "bash", []int{4000}},
		{"dev", "zsh", []int{5200}},
		{"web && npm run dev", "bash", []int{3100}},
		{"serve", "bash", []int{8200}},
		{"'dev'", "bash", nil},
		{"echo 'npm run dev'", "bash", nil},
		{"ls -la | grep x && echo done", "bash", nil},
		{"git commit -m 'fix: port 3000'", "zsh", nil},
		{"npm run dev &>/dev/null", "zsh", []int{5200}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			ports, err := CommandLine{Text: tt.line, Shell: tt.shell, Aliases: aliases}.Ports(nil, dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range ports {
				got = append(got, p.Port)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v (%+v), want %v", got, ports, tt.want)
			}
		})
	}
}

func TestCommandLineNotShell(t *testing.T) {
	for _, line := range []string{"npm run dev &&", "if true; then", "echo 'open"} {
		if ports, err := (CommandLine{Text: line, Shell: "bash"}).Ports(nil, "."); err == nil {
			t.Errorf("%q parsed, with ports %v; want an error", line, ports)
		}
	}
}

func TestParseMakefile(t *testing.T) {
	mk := parseMakefile("A = 1\nB := $(A)2\nB += 3\nC ?= x\nC ?= y\nall: a b\n\t@echo $(B) $$HOME ${C} $(shell date)\nx: ; run it\n")
	if mk.first != "all" {
		t.Errorf("first target %q, want all", mk.first)
	}
	if got := mk.expand(mk.recipes["all"][0], map[string]string{}, 0); got != "echo 12 3 $HOME x " {
		t.Errorf("recipe expands to %q", got)
	}
	if got := mk.recipes["x"]; !slices.Equal(got, []string{"run it"}) {
		t.Errorf("inline recipe %q", got)
	}
}

func TestCommandLineFollowsShellSyntax(t *testing.T) {
	dir := winetest.TempDir(t)
	write(t, dir, "package.json", `{"scripts": {"dev": "vite --port 5199"}}`)
	for _, line := range []string{
		"time npm run dev",
		"while true; do npm run dev; done",
		"until false; do npm run dev; sleep 1; done",
		"for i in 1 2; do npm run dev; done",
		"if true; then npm run dev; fi",
		"if npm run dev; then echo stopped; fi",
		"case x in x) npm run dev ;; esac",
		"{ npm run dev; }",
	} {
		ports, err := CommandLine{Text: line, Shell: "bash"}.Ports(nil, dir)
		if err != nil || len(ports) != 1 || ports[0].Port != 5199 {
			t.Errorf("%q: ports %v, %v; want 5199", line, ports, err)
		}
	}
}

func TestNpmWorkspacesAndConfigFlags(t *testing.T) {
	dir := winetest.TempDir(t)
	write(t, dir, "package.json", `{"name": "mono", "workspaces": ["apps/*"], "scripts": {"dev": "npm run dev -w web"}}`)
	write(t, dir, "apps/web/package.json", `{"name": "web", "scripts": {"dev": "vite --port 5301"}}`)
	write(t, dir, "apps/api/package.json", `{"name": "api", "scripts": {"dev": "PORT=4301 node server.js"}}`)
	write(t, dir, "site/vite.dev.config.js", "export default { server: { port: 5401 } }\n")
	write(t, dir, "site/vite.config.js", "export default { server: { port: 5402 } }\n")
	write(t, dir, "ng/angular.json", `{"projects": {"shop": {"root": "projects/shop", "architect": {"serve": {"options": {"port": 4401}}}}, "admin": {"root": "projects/admin", "architect": {"serve": {"options": {"port": 4402}}}}}}`)
	tests := []struct {
		dir  string
		argv []string
		want []int
	}{
		{".", []string{"npm", "run", "dev", "-w", "web"}, []int{5301}},
		{".", []string{"npm", "run", "dev", "--workspace=api"}, []int{4301}},
		{".", []string{"npm", "run", "-w", "web", "dev"}, []int{5301}},
		// npm runs the workspaces one after another: the first server
		// blocks the second (bench/realports npmws01).
		{".", []string{"npm", "run", "dev", "--workspaces"}, []int{4301}},
		{".", []string{"npm", "run", "dev"}, []int{5301}}, // a root script that delegates to a workspace
		{"site", []string{"vite", "--config", "vite.dev.config.js"}, []int{5401}},
		{"site", []string{"vite", "-c", "vite.dev.config.js"}, []int{5401}},
		{"site", []string{"vite"}, []int{5402}},
		{"ng", []string{"ng", "serve", "admin"}, []int{4402}},
		{"ng", []string{"ng", "serve"}, nil}, // two projects, none named: the CLI refuses to guess
	}
	for _, tt := range tests {
		var got []int
		for _, p := range Ports(tt.argv, nil, filepath.Join(dir, tt.dir)) {
			got = append(got, p.Port)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v in %s = %v, want %v", tt.dir, tt.argv, tt.dir, got, tt.want)
		}
	}
}
