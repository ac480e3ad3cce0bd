package infer

import (
	"slices"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

func TestMoveTo(t *testing.T) {
	dir := winetest.TempDir(t)
	write(t, dir, "vite/package.json", `{"scripts": {"dev": "vite --port 5200"}}`)
	write(t, dir, "next/package.json", `{"scripts": {"dev": "next dev"}}`)
	write(t, dir, "pinned/package.json", `{"scripts": {"dev": "PORT=3100 next dev"}}`)
	write(t, dir, "cra/package.json", `{"scripts": {"start": "react-scripts start"}}`)
	write(t, dir, "cra/.env", "PORT=3200\n")
	write(t, dir, "plainvite/package.json", `{"scripts": {"dev": "vite", "chain": "npm run build && vite", "bg": "vite & tailwind -w", "piped": "vite | tee log", "build": "true"}}`)
	tests := []struct {
		dir      string
		argv     []string
		to       int
		wantArgv []string
		wantEnv  []string
		what     string // "" when the port cannot be moved
	}{
		{".", []string{"next", "dev"}, 3001, []string{"next", "dev"}, []string{"PORT=3001"}, "PORT=3001"},
		{".", []string{"PORT=4000", "next", "dev"}, 4001, []string{"PORT=4001", "next", "dev"}, nil, "PORT=4001"},
		{".", []string{"env", "PORT=4000", "./serve"}, 4001, []string{"env", "PORT=4001", "./serve"}, nil, "PORT=4001"},
		{".", []string{"PORT=4000", "./serve"}, 4001, []string{"PORT=4001", "./serve"}, nil, "PORT=4001"},
		{".", []string{"rails", "s", "-p", "4000"}, 4001, []string{"rails", "s", "-p", "4001"}, nil, "-p 4001"},
		{".", []string{"npx", "vite", "--port=5200"}, 5201, []string{"npx", "vite", "--port=5201"}, nil, "--port 5201"},
		{".", []string{"vite"}, 5174, []string{"vite", "--port", "5174"}, nil, "--port 5174"},
		{".", []string{"python3", "-m", "http.server", "8000"}, 8001, []string{"python3", "-m", "http.server", "8001"}, nil, "argument 8001"},
		{".", []string{"python3", "manage.py", "runserver", "0.0.0.0:8000"}, 8001, []string{"python3", "manage.py", "runserver", "0.0.0.0:8001"}, nil, "argument 0.0.0.0:8001"},
		{"next", []string{"npm", "run", "dev"}, 3001, []string{"npm", "run", "dev"}, []string{"PORT=3001"}, "PORT=3001"},
		{"cra", []string{"npm", "start"}, 3201, []string{"npm", "start"}, []string{"PORT=3201"}, "PORT=3201"},
		// A default inside a script typed as npm run SCRIPT: the package
		// manager appends the flag to the script, and so to the tool
		// when it is the script's last command.
		{"plainvite", []string{"npm", "run", "dev"}, 5174, []string{"npm", "run", "dev", "--", "--port", "5174"}, nil, "-- --port 5174"},
		{"plainvite", []string{"npm", "run", "dev", "--", "--open"}, 5174, []string{"npm", "run", "dev", "--", "--open", "--port", "5174"}, nil, "-- --port 5174"},
		{"plainvite", []string{"pnpm", "dev"}, 5174, []string{"pnpm", "dev", "--port", "5174"}, nil, "--port 5174"},
		{"plainvite", []string{"yarn", "run", "dev"}, 5174, []string{"yarn", "run", "dev", "--port", "5174"}, nil, "--port 5174"},
		{"plainvite", []string{"npm", "run", "chain"}, 5174, []string{"npm", "run", "chain", "--", "--port", "5174"}, nil, "-- --port 5174"},
		{"plainvite", []string{"npm", "run", "bg"}, 5174, nil, nil, ""},
		{"plainvite", []string{"npm", "run", "piped"}, 5174, nil, nil, ""},
		// Inside a script, a flag or a variable the script sets itself
		// cannot be changed from outside.
		{"vite", []string{"npm", "run", "dev"}, 5201, nil, nil, ""},
		{"pinned", []string{"npm", "run", "dev"}, 3101, nil, nil, ""},
		// Named twice: which one counts is the tool's business.
		{".", []string{"rails", "s", "-p", "4000", "-p", "4000"}, 4001, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.dir+" "+slices.Concat(tt.argv)[0]+" "+tt.what, func(t *testing.T) {
			ports := Ports(tt.argv, nil, dir+"/"+tt.dir)
			if len(ports) != 1 {
				t.Fatalf("Ports(%q) = %+v, want one", tt.argv, ports)
			}
			argv, env, what, ok := ports[0].MoveTo(tt.argv, tt.to)
			if ok != (tt.what != "") {
				t.Fatalf("MoveTo ok = %v, want %v (%s)", ok, tt.what != "", ports[0].Source)
			}
			if !ok {
				return
			}
			if what != tt.what || !slices.Equal(argv, tt.wantArgv) || !slices.Equal(env, tt.wantEnv) {
				t.Fatalf("MoveTo = %q, %q, %q; want %q, %q, %q", argv, env, what, tt.wantArgv, tt.wantEnv, tt.what)
			}
		})
	}
}
