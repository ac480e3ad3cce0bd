package infer

import (
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

// sourceCase is a project's files, a command line, and the port its
// source says the command listens on.
type sourceCase struct {
	name   string
	files  map[string]string
	argv   []string
	env    []string
	want   int    // 0: none
	source string // part of --explain's source
}

func TestPortFromNodeSource(t *testing.T) {
	checkSourceCases(t, []sourceCase{
		{"a literal", map[string]string{"server.js": "const app = require('express')()\napp.listen(3000)\n"},
			[]string{"node", "server.js"}, nil, 3000, "./server.js:2: app.listen(3000)"},
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
		// Another variable than PORT, with a literal fallback.
		{"API_PORT || literal, unset", map[string]string{"server.js": "const port = process.env.API_PORT || 3110\napp.listen(port)\n"},
			[]string{"node", "server.js"}, nil, 3110, ""},
		{"API_PORT || literal, set", map[string]string{"server.js": "const port = process.env.API_PORT || 3110\napp.listen(port)\n"},
			[]string{"node", "server.js"}, []string{"API_PORT=4110", "PORT=1"}, 4110, "API_PORT in the environment"},
		{"parseInt(APP_PORT ?? 'N', 10)", map[string]string{"server.js": "app.listen(parseInt(process.env.APP_PORT ?? '3120', 10))\n"},
			[]string{"node", "server.js"}, nil, 3120, ""},
		{"Number(WEB_PORT || N) with WEB_PORT set", map[string]string{"server.js": "app.listen(Number(process.env.WEB_PORT || 3130))\n"},
			[]string{"node", "server.js"}, []string{"WEB_PORT=4130"}, 4130, ""},
		{"API_PORT in .env loaded with dotenv", map[string]string{"server.js": "require('dotenv').config()\napp.listen(process.env.API_PORT || 3000)\n", ".env": "API_PORT=3140\n"},
			[]string{"node", "server.js"}, nil, 3140, "API_PORT in ./.env"},
		{"config.port of an object assigned once", map[string]string{"server.js": "const config = { port: process.env.HTTP_PORT || 3150 }\nserver.listen(config.port)\n"},
			[]string{"node", "server.js"}, nil, 3150, ""},
		{"a nested object's port is not the object's", map[string]string{"server.js": "const config = { db: { host: 'localhost', port: 5432 } }\napp.listen(config.port)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"config.port written later: computed", map[string]string{"server.js": "const config = { port: 3000 }\nconfig.port = Number(process.argv[2])\napp.listen(config.port)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"Deno.env.get with a fallback", map[string]string{"server.ts": "const port = Number(Deno.env.get('PORT') ?? 3160)\nDeno.serve({ port }, h)\n"},
			[]string{"deno", "run", "-A", "server.ts"}, []string{"PORT=4160"}, 4160, ""},
		{"two different variables: computed", map[string]string{"server.js": "app.listen(process.env.PORT || process.env.API_PORT || 3000)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		// Negative cases: a listen in a comment, in a string, in a regex;
		// two listen sites; a computed port.
		{"in a comment", map[string]string{"server.js": "// app.listen(3000)\n/* app.listen(3001) */\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"in a string and a template", map[string]string{"server.js": "const doc = 'call app.listen(3000)'\nconst t = `x.listen(3001)`\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"in a regex", map[string]string{"server.js": "const re = /\\.listen\\(3000\\)/\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"a template whose substitution holds a backquote", map[string]string{"server.js": "const s = `${'`'}`; // x.listen(3002)\napp.listen(3001)\n"},
			[]string{"node", "server.js"}, nil, 3001, "server.js:2"},
		{"a listen inside a template's text is text", map[string]string{"server.js": "const doc = `call ${name}.listen(3003) ${`nested ${1}`}`\napp.listen(3004)\n"},
			[]string{"node", "server.js"}, nil, 3004, ""},
		{"two listen sites", map[string]string{"server.js": "a.listen(3000)\nb.listen(3001)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"a computed port", map[string]string{"server.js": "app.listen(base + 1)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"a variable assigned twice", map[string]string{"server.js": "let p = 3000\np = 4000\nlet p = 5000\napp.listen(p)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"code on the command line", nil, []string{"node", "-e", "require('http').createServer().listen(3000)"}, nil, 0, ""},
	})
}

func checkSourceCases(t *testing.T, tests []sourceCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := winetest.TempDir(t)
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
	dir := winetest.TempDir(b)
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
		{"in a string", map[string]string{"main.go": "package main\nvar doc = `http.ListenAndServe(\":8080\", nil)`\nfunc main() {}\n"},
			[]string{"go", "run", "."}, 0},
		{"a constant in a group, typed, raw", map[string]string{"main.go": "package main\nimport \"net/http\"\nconst (\n\tname = \"api\"\n\taddr string = `:8082`\n)\nfunc main() { log.Fatal(http.ListenAndServe(addr, nil)) }\n"},
			[]string{"go", "run", "."}, 8082},
		{"a constant declared twice in a file is not trusted", map[string]string{"main.go": "package main\nconst addr = \":8083\"\nfunc main() { http.ListenAndServe(addr, nil) }\nvar addr = \":9999\"\n"},
			[]string{"go", "run", "."}, 0},
		{"a local constant is not the file's", map[string]string{"main.go": "package main\nfunc main() {\n\tconst addr = \":8084\"\n\thttp.ListenAndServe(addr, nil)\n}\n"},
			[]string{"go", "run", "."}, 0},
		{"one of two values from a call", map[string]string{"main.go": "package main\nvar addr, err = lookup()\nfunc main() { http.ListenAndServe(addr, nil) }\n"},
			[]string{"go", "run", "."}, 0},
		{"a struct's method", map[string]string{"main.go": "package main\nfunc main() { srv := &http.Server{Addr: \":8085\"}; srv.ListenAndServe() }\n"},
			[]string{"go", "run", "."}, 0},
		{"a file that is not Go", map[string]string{"main.go": "package main\nfunc main() { http.ListenAndServe(\":8086\", nil)\n"},
			[]string{"go", "run", "."}, 0},
		{"plain text that scans", map[string]string{"main.go": "this is not go ( but ) has http.ListenAndServe(\":8088\", nil)\n"},
			[]string{"go", "run", "."}, 0},
		{"no package clause", map[string]string{"main.go": "func main() { http.ListenAndServe(\":8089\", nil) }\n"},
			[]string{"go", "run", "."}, 0},
		{"a statement at the top level", map[string]string{"main.go": "package main\nhttp.ListenAndServe(\":8090\", nil)\n"},
			[]string{"go", "run", "."}, 0},
		{"a method declared, not called", map[string]string{"main.go": "package main\ntype S struct{}\nfunc (S) Run(addr string) {}\nfunc main() { e.Start(\":8087\",) }\n"},
			[]string{"go", "run", "."}, 8087},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := winetest.TempDir(t)
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

// The runtimes' own servers, package.json main, Python and Sinatra.
func TestPortFromOtherSources(t *testing.T) {
	checkSourceCases(t, []sourceCase{
		// Python servers beyond Flask and uvicorn.
		{"tornado's app.listen", map[string]string{"app.py": "import asyncio, tornado.web\ntornado.web.Application([]).listen(3020)\n"},
			[]string{"python3", "app.py"}, nil, 3020, "app.py:2"},
		{"a socket's listen(5) is a backlog", map[string]string{"app.py": "import socket\ns = socket.socket()\ns.listen(5)\n"},
			[]string{"python3", "app.py"}, nil, 0, ""},
		{"bottle.run without a port: 8080", map[string]string{"app.py": "import bottle\nbottle.run()\n"},
			[]string{"python3", "app.py"}, nil, 8080, ""},
		{"cherrypy's server.socket_port", map[string]string{"app.py": "import cherrypy\ncherrypy.config.update({'server.socket_port': 3021})\ncherrypy.quickstart(None)\n"},
			[]string{"python3", "app.py"}, nil, 3021, ""},
		{"os.environ.get('API_PORT', N)", map[string]string{"app.py": "import os\nfrom aiohttp import web\nweb.run_app(web.Application(), port=int(os.environ.get('API_PORT', 3022)))\n"},
			[]string{"python3", "app.py"}, []string{"API_PORT=4022"}, 4022, "API_PORT in the environment"},
		// Go's if-empty shape, and what is not it.
		{"Go: os.Getenv with an if-empty fallback", map[string]string{"go.mod": "module x\n", "main.go": "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() {\n\tport := os.Getenv(\"API_PORT\")\n\tif port == \"\" {\n\t\tport = \"3023\"\n\t}\n\thttp.ListenAndServe(\":\"+port, nil)\n}\n"},
			[]string{"go", "run", "."}, nil, 3023, "API_PORT is not set"},
		{"Go: the variable assigned a third time: computed", map[string]string{"go.mod": "module x\n", "main.go": "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() {\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"3024\"\n\t}\n\tport = port + \"0\"\n\thttp.ListenAndServe(\":\"+port, nil)\n}\n"},
			[]string{"go", "run", "."}, nil, 0, ""},
		// Bun and Deno.
		{"Bun.serve with a port", map[string]string{"server.ts": "Bun.serve({\n  port: 3010,\n  fetch(req) { return new Response('hi') },\n})\n"},
			[]string{"bun", "server.ts"}, nil, 3010, "server.ts:1"},
		{"Bun.serve without one: PORT, else 3000", map[string]string{"server.ts": "Bun.serve({ fetch(req) { return new Response('hi') } })\n"},
			[]string{"bun", "run", "server.ts"}, []string{"PORT=3011"}, 3011, "PORT in the environment"},
		{"Bun.serve without one and no PORT", map[string]string{"server.ts": "export default Bun.serve({ fetch() {} })\n"},
			[]string{"bun", "--watch", "server.ts"}, nil, 3000, ""},
		{"Bun.serve with options from elsewhere", map[string]string{"server.ts": "Bun.serve({ ...config, fetch() {} })\n"},
			[]string{"bun", "server.ts"}, nil, 0, ""},
		{"Bun.serve({ port }) with port a variable", map[string]string{"server.ts": "const port = Number(process.env.PORT) || 3012\nBun.serve({ port, fetch() {} })\n"},
			[]string{"bun", "server.ts"}, nil, 3012, ""},
		{"Bun.serve with a quoted key", map[string]string{"server.ts": "Bun.serve({ \"port\": 3013, fetch() {} })\n"},
			[]string{"bun", "server.ts"}, nil, 3013, ""},
		{"Deno.serve(opts, handler): computed", map[string]string{"main.ts": "const opts = { port: 9 }\nDeno.serve(opts, (_r) => new Response('x'))\n"},
			[]string{"deno", "run", "main.ts"}, nil, 0, ""},
		{"a reassigned port: computed", map[string]string{"server.js": "let port = 3000\nport = 4000\napp.listen(port)\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"parseInt(a) + parseInt(b): computed", map[string]string{"server.js": "app.listen(parseInt(process.env.PORT, 10) + parseInt('1', 10))\n"},
			[]string{"node", "server.js"}, nil, 0, ""},
		{"Deno.serve with options", map[string]string{"main.ts": "Deno.serve({ port: 8010, hostname: '127.0.0.1' }, (_req) => new Response('hi'))\n"},
			[]string{"deno", "run", "--allow-net", "main.ts"}, nil, 8010, "main.ts:1"},
		{"deno's --env-file alone is not followed by its file", map[string]string{"main.ts": "Deno.serve({ port: 8011 }, (_req) => new Response('hi'))\n"},
			[]string{"deno", "run", "-A", "--env-file", "main.ts"}, nil, 8011, "main.ts:1"},
		{"deno's --env-file alone loads .env", map[string]string{"main.ts": "Deno.serve({ port: Number(process.env.PORT) || 8012 }, (_req) => new Response('hi'))\n", ".env": "PORT=8013\n"},
			[]string{"deno", "run", "--env-file", "main.ts"}, nil, 8013, ".env"},
		{"deno's --env-file=FILE", map[string]string{"main.ts": "Deno.serve({ port: Number(process.env.PORT) || 8012 }, (_req) => new Response('hi'))\n", ".env.dev": "PORT=8014\n"},
			[]string{"deno", "run", "--env-file=.env.dev", "main.ts"}, nil, 8014, ".env.dev"},
		{"Deno.serve(handler): 8000, no variable", map[string]string{"main.ts": "Deno.serve((_req) => new Response('hi'))\n"},
			[]string{"deno", "run", "-A", "main.ts"}, []string{"PORT=9999"}, 8000, ""},
		// node . and nodemon alone: package.json main.
		{"node . runs main", map[string]string{"package.json": `{"main": "lib/server"}`, "lib/server.js": "app.listen(3020)\n"},
			[]string{"node", "."}, nil, 3020, "lib/server.js:1"},
		{"main names a directory: its index.js", map[string]string{"package.json": `{"main": "lib"}`, "lib/index.js": "require('http').createServer(() => {}).listen(4321)\n"},
			[]string{"node", "."}, []string{"PORT=4000"}, 4321, "lib/index.js:1"},
		{"nodemon alone runs main", map[string]string{"package.json": `{"main": "app.js"}`, "app.js": "app.listen(3021)\n"},
			[]string{"nodemon"}, nil, 3021, ""},
		{"a directory without main: its index", map[string]string{"api/index.js": "app.listen(3022)\n"},
			[]string{"node", "api"}, nil, 3022, ""},
		// node --env-file.
		{"node --env-file=.env", map[string]string{"server.js": "app.listen(process.env.PORT || 3000)\n", ".env": "PORT=3030\n"},
			[]string{"node", "--env-file=.env", "server.js"}, nil, 3030, "node --env-file"},
		{"node --env-file FILE, the later file wins", map[string]string{"server.js": "app.listen(process.env.PORT || 3000)\n", ".env": "PORT=3031\n", ".env.local": "PORT=3032\n"},
			[]string{"node", "--env-file", ".env", "--env-file", ".env.local", "server.js"}, nil, 3032, ".env.local"},
		{"node --env-file: the environment wins", map[string]string{"server.js": "app.listen(process.env.PORT || 3000)\n", ".env": "PORT=3033\n"},
			[]string{"node", "--env-file=.env", "server.js"}, []string{"PORT=3034"}, 3034, "PORT in the environment"},
		// Python.
		{"Flask's app.run(port=)", map[string]string{"app.py": "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True, port=5050)\n"},
			[]string{"python3", "app.py"}, nil, 5050, "app.py:5"},
		{"an f-string with its own quotes inside (Python 3.12)", map[string]string{"app.py": "print(f\"{\"it's\"} {x:{w}} {{literal}}\")\nlog(f\"\"\"{\"\"\"a\"\"\"}\"\"\", rf'{'}'}')\napp.run(port=5056)  # f'\n"},
			[]string{"python3", "app.py"}, nil, 5056, "app.py:3"},
		{"a call in a string in an f-string's field is not a site", map[string]string{"app.py": "msg = f\"{\"app.run(port=5057)\"}\"\napp.run(port=5058)\n"},
			[]string{"python3", "app.py"}, nil, 5058, "app.py:2"},
		{"port from PORT, else the literal", map[string]string{"app.py": "import os\nPORT = int(os.environ.get('PORT', 5051))\napp.run(host='0.0.0.0', port=PORT)\n"},
			[]string{"python", "app.py"}, nil, 5051, ""},
		{"port from PORT, set", map[string]string{"app.py": "import os\napp.run(port=int(os.getenv(\"PORT\", \"5052\")))\n"},
			[]string{"python", "app.py"}, []string{"PORT=5053"}, 5053, "PORT in the environment"},
		{"uvicorn.run: its default 8000", map[string]string{"main.py": "import uvicorn\nif __name__ == \"__main__\":\n    uvicorn.run(\"main:app\", reload=True)\n"},
			[]string{"python", "main.py"}, nil, 8000, ""},
		{"uvicorn.run with a port", map[string]string{"main.py": "import uvicorn\nuvicorn.run(app, host=\"127.0.0.1\", port=8011)\n"},
			[]string{"python", "main.py"}, nil, 8011, ""},
		{"aiohttp's web.run_app: 8080", map[string]string{"srv.py": "from aiohttp import web\nweb.run_app(app)\n"},
			[]string{"python3", "srv.py"}, nil, 8080, ""},
		{"http.server's HTTPServer", map[string]string{"serve.py": "from http.server import HTTPServer, SimpleHTTPRequestHandler\nHTTPServer(('', 8012), SimpleHTTPRequestHandler).serve_forever()\n"},
			[]string{"python3", "serve.py"}, nil, 8012, ""},
		{"socketserver with the address in a variable", map[string]string{"serve.py": "import socketserver\nADDR = (\"127.0.0.1\", 8013)\nwith socketserver.TCPServer(ADDR, Handler) as httpd:\n    httpd.serve_forever()\n"},
			[]string{"python3", "serve.py"}, nil, 8013, ""},
		{"python -m a package of the project", map[string]string{"api/__main__.py": "from .server import run\nrun()\n", "api/server.py": "def run():\n    app.run(port=5054)\n"},
			[]string{"python", "-m", "api"}, nil, 5054, "api/server.py:2"},
		{"the entry imports the module that serves", map[string]string{"run.py": "from myapp import create_app\n", "myapp/__init__.py": "def create_app():\n    pass\napp.run(port=5055)\n"},
			[]string{"python3", "run.py"}, nil, 5055, ""},
		{".env loaded with python-dotenv", map[string]string{"app.py": "from dotenv import load_dotenv\nimport os\nload_dotenv()\napp.run(port=int(os.environ.get('PORT', 5000)))\n", ".env": "PORT=5056\n"},
			[]string{"python3", "app.py"}, nil, 5056, ".env"},
		// Python negatives: strings, comments, a thread's run(), a
		// computed port, the standard library's own module.
		{"in a comment and a docstring", map[string]string{"app.py": "# app.run(port=5000)\n\"\"\"\napp.run(port=5001)\n\"\"\"\nx = f'app.run(port={5002})'\n"},
			[]string{"python3", "app.py"}, nil, 0, ""},
		{"a thread's run()", map[string]string{"worker.py": "import threading\nt = threading.Thread(target=work)\nt.run()\n"},
			[]string{"python3", "worker.py"}, nil, 0, ""},
		{"an imported module's __main__ block does not run", map[string]string{"main.py": "import app\nfrom http.server import HTTPServer\n", "app.py": "from http.server import HTTPServer, BaseHTTPRequestHandler as H\nif __name__ == '__main__':\n    HTTPServer(('', 8000), H).serve_forever()\n"},
			[]string{"python3", "main.py"}, nil, 0, ""},
		{"the entry's own __main__ block runs", map[string]string{"app.py": "from http.server import HTTPServer, BaseHTTPRequestHandler as H\nif __name__ == '__main__':\n    HTTPServer(('', 8015), H).serve_forever()\n"},
			[]string{"python3", "app.py"}, nil, 8015, ""},
		{"Flask's app.run(host, port) by position", map[string]string{"app.py": "from flask import Flask\napp = Flask(__name__)\napp.run('0.0.0.0', 8016)\n"},
			[]string{"python3", "app.py"}, nil, 8016, ""},
		{"app.run(**options): computed", map[string]string{"app.py": "from flask import Flask\napp = Flask(__name__)\napp.run(**opts)\n"},
			[]string{"python3", "app.py"}, nil, 0, ""},
		{"uvicorn.run on a unix socket: no TCP port", map[string]string{"main.py": "import uvicorn\nuvicorn.run(app, uds='/tmp/app.sock')\n"},
			[]string{"python3", "main.py"}, nil, 0, ""},
		{"import a, b: both are read", map[string]string{"run.py": "import config, web\n", "web.py": "app.run(port=8017)\n", "config.py": "DEBUG = True\n"},
			[]string{"python3", "run.py"}, nil, 8017, ""},
		{"an augmented assignment: computed", map[string]string{"app.py": "PORT = 8000\nPORT += 1\napp.run(port=PORT)\n"},
			[]string{"python3", "app.py"}, nil, 0, ""},
		{"int(a) + int(b): computed", map[string]string{"app.py": "import os\napp.run(port=int(os.environ.get('PORT', 8000)) + int('1'))\n"},
			[]string{"python3", "app.py"}, nil, 0, ""},
		{"a computed port", map[string]string{"app.py": "app.run(port=base + 1)\n"},
			[]string{"python3", "app.py"}, nil, 0, ""},
		{"-m http.server stays the tool's", nil, []string{"python3", "-m", "http.server", "8014"}, nil, 8014, ""},
		// Sinatra.
		{"set :port", map[string]string{"app.rb": "require 'sinatra'\nset :port, 4600\nget('/') { 'hi' }\n"},
			[]string{"ruby", "app.rb"}, nil, 4600, "app.rb:2"},
		{"set :port from ENV.fetch", map[string]string{"app.rb": "require \"sinatra\"\nset :port, Integer(ENV.fetch(\"PORT\", \"4601\"))\n"},
			[]string{"ruby", "app.rb"}, nil, 4601, ""},
		{"Sinatra's default", map[string]string{"app.rb": "require 'sinatra'\nget('/') { 'hi' } # set :port, 1\n"},
			[]string{"ruby", "app.rb"}, nil, 4567, "Sinatra's default"},
		{"Sinatra's default reads PORT", map[string]string{"app.rb": "require 'sinatra'\n"},
			[]string{"ruby", "app.rb"}, []string{"PORT=4602"}, 4602, ""},
		{"-p on the command line", map[string]string{"app.rb": "require 'sinatra'\n"},
			[]string{"ruby", "app.rb", "-p", "4603"}, nil, 4603, "-p 4603"},
		{"set port: N, the hash form", map[string]string{"app.rb": "require 'sinatra'\nset port: 4604, bind: '127.0.0.1'\n"},
			[]string{"ruby", "app.rb"}, nil, 4604, ""},
		{"set :port in a heredoc, =begin block or %q literal is text", map[string]string{"app.rb": "require 'sinatra'\nDOC = <<~EOS\n  set :port, 9999\nEOS\n=begin\nset :port, 9998\n=end\nX = %q(don't set :port, 9997)\nset :port, 4605\n"},
			[]string{"ruby", "app.rb"}, nil, 4605, "app.rb:9"},
		{"configure :production: computed", map[string]string{"app.rb": "require 'sinatra'\nconfigure :production do\n  set :port, 8081\nend\n"},
			[]string{"ruby", "app.rb"}, nil, 0, ""},
		{"-pN attached", map[string]string{"app.rb": "require 'sinatra'\n"},
			[]string{"ruby", "app.rb", "-p4606"}, nil, 4606, ""},
		{"not a Sinatra app", map[string]string{"app.rb": "puts 'hello'\n"},
			[]string{"ruby", "app.rb"}, nil, 0, ""},
	})
}
