package infer

import (
	"strings"
	"testing"
)

func TestPortFromNodeSource(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		argv   []string
		env    []string
		want   int    // 0: none
		source string // part of --explain's source
	}{
		{"a literal", map[string]string{"server.js": "const app = require('express')()\napp.listen(3000)\n"},
			[]string{"node", "server.js"}, nil, 3000, "server.js:2 listens on"},
		{"PORT || literal, no PORT", map[string]string{"server.js": "const port = process.env.PORT || 3100\napp.listen(port, () => {})\n"},
			[]string{"node", "server.js"}, nil, 3100, "server.js:2"},
		{"PORT || literal, PORT set", map[string]string{"server.js": "const port = process.env.PORT || 3100\napp.listen(port)\n"},
			[]string{"node", "server.js"}, []string{"PORT=4100"}, 4100, "PORT in the environment, read by ./server.js:2"},
		{"Number(PORT) ?? literal", map[string]string{"index.js": "app.listen(Number(process.env.PORT) ?? 3200)\n"},
			[]string{"node", "index.js"}, nil, 3200, ""},
		{"parseInt(PORT, 10) || literal", map[string]string{"app.js": "const PORT = parseInt(process.env.PORT, 10) || 3300;\nserver.listen(PORT);\n"},
			[]string{"nodemon", "app.js"}, nil, 3300, ""},
		{"listen({ port })", map[string]string{"s.mjs": "server.listen({ port: 3400, host: '127.0.0.1' })\n"},
			[]string{"node", "--watch", "s.mjs"}, nil, 3400, ""},
		{"the entry requires ./app, which listens", map[string]string{"index.js": "require('./src/app')\n", "src/app.js": "module.exports = app.listen(3500)\n"},
			[]string{"node", "index.js"}, nil, 3500, "src/app.js:1"},
		{"extension resolved", map[string]string{"server.js": "app.listen(3600)\n"},
			[]string{"node", "server"}, nil, 3600, ""},
		{".env loaded with dotenv", map[string]string{"server.js": "require('dotenv').config()\napp.listen(process.env.PORT || 3000)\n", ".env": "PORT=3700\n"},
			[]string{"node", "server.js"}, nil, 3700, "PORT in ./.env, which the app loads with dotenv"},
		{".env not loaded: the literal", map[string]string{"server.js": "app.listen(process.env.PORT || 3000)\n", ".env": "PORT=3800\n"},
			[]string{"node", "server.js"}, nil, 3000, ""},
		{"-r dotenv/config", map[string]string{"server.js": "app.listen(process.env.PORT || 3000)\n", ".env": "PORT=3900\n"},
			[]string{"node", "-r", "dotenv/config", "server.js"}, nil, 3900, ""},
		// Negative cases: a listen in a comment, in a string, in a regex;
		// two listen sites; a computed port.
		{"in a comment", map[string]string{"server.js": "// app.listen(3000)\n/* app.listen(3001) */\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"in a string and a template", map[string]string{"server.js": "const doc = 'call app.listen(3000)'\nconst t = `x.listen(3001)`\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"in a regex", map[string]string{"server.js": "const re = /\\.listen\\(3000\\)/\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"two listen sites", map[string]string{"server.js": "a.listen(3000)\nb.listen(3001)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"a computed port", map[string]string{"server.js": "app.listen(base + 1)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"a variable assigned twice", map[string]string{"server.js": "let p = 3000\np = 4000\nlet p = 5000\napp.listen(p)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"code on the command line", nil, []string{"node", "-e", "require('http').createServer().listen(3000)"}, nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				write(t, dir, name, text)
			}
			ports := Ports(tt.argv, tt.env, dir)
			switch {
			case tt.want == 0 && len(ports) != 0:
				t.Fatalf("ports %+v, want none", ports)
			case tt.want != 0 && (len(ports) != 1 || ports[0].Port != tt.want):
				t.Fatalf("ports %+v, want %d", ports, tt.want)
			case tt.want != 0 && !strings.Contains(ports[0].Source, tt.source):
				t.Fatalf("source %q, want it to say %q", ports[0].Source, tt.source)
			}
		})
	}
}

func BenchmarkPortFromABundledEntry(b *testing.B) {
	dir := b.TempDir()
	var src strings.Builder
	for src.Len() < 200<<10 {
		src.WriteString("function f(a, b) { return a / b + 'x.listen(1)' + `y` } // app.listen(2)\nconst re = /a\\/b/g;\n")
	}
	src.WriteString("const port = process.env.PORT || 3000\napp.listen(port)\n")
	write(b, dir, "server.js", src.String())
	for b.Loop() {
		if ports := Ports([]string{"node", "server.js"}, nil, dir); len(ports) != 1 {
			b.Fatal(ports)
		}
	}
}

func TestPortFromGoSource(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		argv  []string
		want  int
	}{
		{"net/http", map[string]string{"main.go": "package main\nimport \"net/http\"\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"},
			[]string{"go", "run", "."}, 8080},
		{"net.Listen with a constant", map[string]string{"main.go": "package main\nimport \"net\"\nconst addr = \"127.0.0.1:9090\"\nfunc main() { net.Listen(\"tcp\", addr) }\n"},
			[]string{"go", "run", "main.go"}, 9090},
		{"echo's e.Start in ./cmd/api", map[string]string{"cmd/api/main.go": "package main\nfunc main() { e := echo.New(); e.Start(\":1323\") }\n"},
			[]string{"go", "run", "./cmd/api"}, 1323},
		{"gin's r.Run", map[string]string{"main.go": "package main\nfunc main() { r := gin.Default(); r.Run(\":8081\") }\n"},
			[]string{"go", "run", "."}, 8081},
		{"a computed address", map[string]string{"main.go": "package main\nimport (\"net/http\"; \"os\")\nfunc main() { http.ListenAndServe(\":\"+os.Getenv(\"PORT\"), nil) }\n"},
			[]string{"go", "run", "."}, 0},
		{"two servers", map[string]string{"main.go": "package main\nimport \"net/http\"\nfunc main() { go http.ListenAndServe(\":8080\", nil); http.ListenAndServe(\":8081\", nil) }\n"},
			[]string{"go", "run", "."}, 0},
		{"in a comment", map[string]string{"main.go": "package main\n// http.ListenAndServe(\":8080\", nil)\nfunc main() {}\n"},
			[]string{"go", "run", "."}, 0},
		{"a test file is not run", map[string]string{"main.go": "package main\nfunc main() {}\n", "x_test.go": "package main\nimport \"net/http\"\nfunc f() { http.ListenAndServe(\":8080\", nil) }\n"},
			[]string{"go", "run", "."}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				write(t, dir, name, text)
			}
			ports := Ports(tt.argv, nil, dir)
			if tt.want == 0 && len(ports) != 0 || tt.want != 0 && (len(ports) != 1 || ports[0].Port != tt.want) {
				t.Fatalf("ports %+v, want %d", ports, tt.want)
			}
		})
	}
}
