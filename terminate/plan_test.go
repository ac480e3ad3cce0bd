package terminate

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/detect"
)

// pr is a recorded process: pid, parent, process group and name; in the
// session 1 with no terminal, owned by whoever runs the test.
func pr(pid, ppid, pgid int, name string) Proc {
	return Proc{PID: pid, PPID: ppid, PGID: pgid, SID: 1, Name: name, UID: os.Geteuid(), state: "S", start: uint64(pid) * 7}
}

// prc is pr with a command line.
func prc(pid, ppid, pgid int, name string, argv ...string) Proc {
	p := pr(pid, ppid, pgid, name)
	p.Cmdline = argv
	return p
}

func loginShell(pid int) Proc {
	p := pr(pid, 1, pid, "bash")
	p.SID, p.tty = pid, 34816
	return p
}

func holderAt(pid, port int) detect.Holder {
	return detect.Holder{Port: port, PID: pid, UID: os.Geteuid(), Name: "node", Inode: uint64(pid)}
}

func pids[T interface{ pid() int }](items []T) []int {
	out := []int{}
	for _, it := range items {
		out = append(out, it.pid())
	}
	return out
}

func (t Target) pid() int  { return t.PID }
func (w Watcher) pid() int { return w.PID }
func (k Kept) pid() int    { return k.PID }

// The trees are the shapes real tools make, as ps showed them.
func TestBuild(t *testing.T) {
	tests := []struct {
		name     string
		procs    []Proc
		holders  []detect.Holder
		targets  []int // in signalling order
		watchers []int
		kept     []int
		keptWhy  string
	}{
		{
			name:    "npm run dev: npm → sh → node, under a login shell",
			procs:   []Proc{loginShell(100), prc(200, 100, 200, "npm run dev", "npm run dev"), prc(201, 200, 200, "sh", "sh", "-c", "vite"), pr(202, 201, 200, "node")},
			holders: []detect.Holder{holderAt(202, 3000)},
			targets: []int{200, 201, 202},
		},
		{
			name: "concurrently: the API server, its sibling, is left running",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "npm run dev", "npm run dev"), prc(201, 200, 200, "sh", "sh", "-c", "concurrently npm:web npm:api"),
				prc(202, 201, 200, "node", "node", "/p/node_modules/.bin/concurrently", "npm:web", "npm:api"),
				prc(203, 202, 200, "sh", "sh", "-c", "vite"), pr(204, 203, 200, "node"), prc(205, 202, 200, "sh", "sh", "-c", "node api.js"), pr(206, 205, 200, "node")},
			holders: []detect.Holder{holderAt(204, 3000)},
			targets: []int{203, 204},
			kept:    []int{202},
			keptWhy: "it also runs sh (pid 205)",
		},
		{
			name: "make -j2 dev backup: make and the backup recipe are left running",
			procs: []Proc{loginShell(100), prc(300, 100, 300, "make", "make", "-j2", "dev", "backup"), prc(301, 300, 300, "sh", "/bin/sh", "-c", "node server.js"), pr(302, 301, 300, "node"),
				prc(303, 300, 300, "sh", "/bin/sh", "-c", "tar cf b.tar ."), pr(304, 303, 300, "tar")},
			holders: []detect.Holder{holderAt(302, 3000)},
			targets: []int{301, 302},
			kept:    []int{300},
			keptWhy: "it also runs sh (pid 303)",
		},
		{
			name:    "dev.sh starts two servers with & and wait",
			procs:   []Proc{loginShell(100), prc(400, 100, 400, "bash", "bash", "dev.sh"), pr(401, 400, 400, "node"), pr(402, 400, 400, "python3")},
			holders: []detect.Holder{holderAt(401, 3000)},
			targets: []int{401},
			kept:    []int{400},
			keptWhy: "it also runs python3 (pid 402)",
		},
		{
			name:    "both servers of dev.sh are freed: the script runs nothing else",
			procs:   []Proc{loginShell(100), prc(400, 100, 400, "bash", "bash", "dev.sh"), pr(401, 400, 400, "node"), pr(402, 400, 400, "python3")},
			holders: []detect.Holder{holderAt(401, 3000), holderAt(402, 8000)},
			targets: []int{400, 401, 402},
		},
		{
			name:    "one npm, two sockets in two processes: npm once, for both",
			procs:   []Proc{loginShell(100), prc(200, 100, 200, "npm start", "npm start"), pr(201, 200, 200, "node"), pr(202, 200, 200, "node")},
			holders: []detect.Holder{holderAt(201, 3000), holderAt(202, 3000)},
			targets: []int{200, 201, 202},
		},
		{
			name:     "a supervisor portguard does not know by name is a watcher",
			procs:    []Proc{pr(500, 1, 500, "supervise"), pr(501, 500, 500, "node")},
			holders:  []detect.Holder{holderAt(501, 3000)},
			targets:  []int{501},
			watchers: []int{500},
		},
		{
			name:     "systemd --user is a watcher, never a launcher",
			procs:    []Proc{pr(600, 1, 600, "systemd"), pr(601, 600, 601, "node")},
			holders:  []detect.Holder{holderAt(601, 3000)},
			targets:  []int{601},
			watchers: []int{600},
		},
		{
			name:     "a shell in another process group (a nested interactive bash) is not a launcher",
			procs:    []Proc{loginShell(100), prc(110, 100, 110, "bash", "bash"), prc(200, 110, 200, "npm run dev", "npm run dev"), pr(201, 200, 200, "node")},
			holders:  []detect.Holder{holderAt(201, 3000)},
			targets:  []int{200, 201},
			watchers: []int{110},
		},
		{
			name:    "a holder that leads its own session (setsid) is still a holder",
			procs:   []Proc{func() Proc { p := pr(700, 1, 700, "node"); p.SID, p.tty = 700, 34816; return p }()},
			holders: []detect.Holder{holderAt(700, 3000)},
			targets: []int{700},
		},
		{
			name:    "a holder that exited since detection is not planned",
			procs:   []Proc{loginShell(100)},
			holders: []detect.Holder{holderAt(800, 3000)},
			targets: []int{},
		},
		{
			name: "an interactive python3 that started a server is not its launcher: a watcher at most",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "python3", "python3", "-q"),
				prc(201, 200, 200, "python3", "python3", "-m", "http.server", "41130")},
			holders:  []detect.Holder{holderAt(201, 41130)},
			targets:  []int{201},
			watchers: []int{200},
		},
		{
			name: "a node REPL, a Jupyter kernel, pytest and a training script are not launchers",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "node", "node"), prc(201, 200, 200, "node", "node", "server.js"),
				prc(300, 1, 300, "python3", "/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "/run/kernel.json"), prc(301, 300, 300, "python3", "python3", "-m", "http.server"),
				prc(400, 100, 400, "python3", "python3", "-m", "pytest", "tests/"), prc(401, 400, 400, "python3", "python3", "live_server.py"),
				prc(500, 100, 500, "python3", "python3", "train.py"), prc(501, 500, 500, "python3", "python3", "-m", "http.server", "8000")},
			holders:  []detect.Holder{holderAt(201, 3000), holderAt(301, 8888), holderAt(401, 5000), holderAt(501, 8000)},
			targets:  []int{201, 301, 401, 501},
			watchers: []int{200, 300, 400, 500},
		},
		{
			name: "a reloader that holds the socket too (Flask's debug reloader, uvicorn --reload) is planned once, as a holder",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "flask", "/usr/bin/python3", "/usr/bin/flask", "run", "--debug"),
				prc(201, 200, 200, "flask", "/usr/bin/python3", "/usr/bin/flask", "run", "--debug")},
			holders: []detect.Holder{holderAt(200, 5000), holderAt(201, 5000)},
			targets: []int{200, 201},
		},
		{
			name: "a pre-fork master and its workers share the socket: each once",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "gunicorn", "python3", "/usr/bin/gunicorn", "app:app", "-w", "2"),
				prc(201, 200, 200, "gunicorn", "python3", "/usr/bin/gunicorn", "app:app", "-w", "2"), prc(202, 200, 200, "gunicorn", "python3", "/usr/bin/gunicorn", "app:app", "-w", "2")},
			holders: []detect.Holder{holderAt(200, 8000), holderAt(201, 8000), holderAt(202, 8000)},
			targets: []int{200, 201, 202},
		},
		{
			name: "Django's autoreloader re-runs its own command: a launcher",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "python3", "python3", "manage.py", "runserver"),
				prc(201, 200, 200, "python3", "python3", "manage.py", "runserver")},
			holders: []detect.Holder{holderAt(201, 8000)},
			targets: []int{200, 201},
		},
		{
			name: "node running nodemon, and go run, are launchers",
			procs: []Proc{loginShell(100), prc(200, 100, 200, "node", "node", "/p/node_modules/.bin/nodemon", "server.js"), prc(201, 200, 200, "node", "node", "server.js"),
				prc(300, 100, 300, "go", "go", "run", "."), prc(301, 300, 300, "srv", "/tmp/go-build1/b001/exe/srv")},
			holders: []detect.Holder{holderAt(201, 3000), holderAt(301, 8080)},
			targets: []int{200, 300, 201, 301},
		},
		{
			name:    "zombies are not children that keep a launcher",
			procs:   []Proc{loginShell(100), prc(200, 100, 200, "npm run dev", "npm run dev"), pr(201, 200, 200, "node"), func() Proc { p := pr(202, 200, 200, "sh"); p.state = "Z"; return p }()},
			holders: []detect.Holder{holderAt(201, 3000)},
			targets: []int{200, 201},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := Build(tt.holders, NewTable(tt.procs), map[int]bool{1: true})
			if got := pids(plan.Targets); !slices.Equal(got, tt.targets) {
				t.Errorf("targets = %v, want %v", got, tt.targets)
			}
			if got := pids(plan.Watchers); len(got)+len(tt.watchers) > 0 && !slices.Equal(got, tt.watchers) {
				t.Errorf("watchers = %v, want %v", got, tt.watchers)
			}
			if got := pids(plan.Kept); len(got)+len(tt.kept) > 0 && !slices.Equal(got, tt.kept) {
				t.Errorf("kept = %v, want %v", got, tt.kept)
			}
			if tt.keptWhy != "" && (len(plan.Kept) == 0 || plan.Kept[0].Why != tt.keptWhy) {
				t.Errorf("kept = %+v, want the reason %q", plan.Kept, tt.keptWhy)
			}
		})
	}
}

func TestBuildNeverIncludesProtectedProcesses(t *testing.T) {
	// portguard (900) runs under make (800), whose other child is the
	// server: make is portguard's ancestor and must not be planned.
	procs := []Proc{pr(800, 1, 800, "sh"), pr(900, 800, 800, "portguard"), pr(901, 800, 800, "node")}
	plan := Build([]detect.Holder{holderAt(901, 3000)}, NewTable(procs), map[int]bool{1: true, 800: true, 900: true})
	if got := pids(plan.Targets); !slices.Equal(got, []int{901}) {
		t.Fatalf("targets = %v, want only the holder", got)
	}
	if len(plan.Watchers)+len(plan.Kept) != 0 {
		t.Fatalf("a protected process was planned: %+v %+v", plan.Watchers, plan.Kept)
	}
}

func TestBuildSeparatesContainersAndUnseenHolders(t *testing.T) {
	c := &detect.Container{ID: "abc", Name: "shop-db-1"}
	holders := []detect.Holder{
		{Port: 5432, PID: 50, Name: "docker-proxy", Container: c},
		{Port: 5432, PID: 51, Name: "docker-proxy", Container: c},
		{Port: 80, User: "www-data"},
	}
	plan := Build(holders, NewTable([]Proc{pr(50, 1, 50, "docker-proxy"), pr(51, 1, 51, "docker-proxy")}), nil)
	if len(plan.Targets) != 0 || len(plan.Containers) != 1 || len(plan.Unseen) != 1 {
		t.Fatalf("plan = %+v, want one container, one unseen holder, no process target", plan)
	}
}

func TestVet(t *testing.T) {
	other := func(p Proc) Proc { p.UID, p.User = 54321, "alice"; return p }
	never := func(list ...string) func(...string) (string, bool) {
		return func(names ...string) (string, bool) {
			for _, n := range names {
				if slices.Contains(list, n) {
					return n, true
				}
			}
			return "", false
		}
	}
	npmTree := []Proc{loginShell(100), prc(200, 100, 200, "npm run dev", "npm run dev"), prc(201, 200, 200, "sh", "sh", "-c", "vite"), pr(202, 201, 200, "node")}
	tests := []struct {
		name     string
		procs    []Proc
		rules    Rules
		targets  []int
		err      any
		refusal  bool // the watcher keeps a refusal
		forceWhy bool // the holder needs --force
	}{
		{name: "a launcher under never is left running, with those above it",
			procs: npmTree, rules: Rules{Never: never("sh")}, targets: []int{202}},
		{name: "the holder under never refuses the plan",
			procs: npmTree, rules: Rules{Never: never("node")}, err: &SparedError{}},
		{name: "never matches the first word of a renamed launcher",
			procs: npmTree, rules: Rules{Never: never("npm")}, targets: []int{201, 202}},
		{name: "another user's launcher is left running",
			procs:   []Proc{loginShell(100), other(prc(200, 100, 200, "npm run dev", "npm run dev")), pr(201, 200, 200, "node")},
			targets: []int{201}},
		{name: "another user's launcher is planned with --force",
			procs: []Proc{loginShell(100), other(prc(200, 100, 200, "npm run dev", "npm run dev")), pr(201, 200, 200, "node")},
			rules: Rules{Force: true}, targets: []int{200, 201}},
		{name: "a systemd watcher keeps its refusal without --force",
			procs:   []Proc{pr(600, 1, 600, "systemd"), pr(601, 600, 601, "node")},
			targets: []int{601}, refusal: true},
		{name: "another user's holder under root needs --force or an answer",
			procs:   []Proc{loginShell(100), other(pr(202, 100, 202, "node"))},
			targets: []int{202}, forceWhy: true},
	}
	if !ownersByUID(runtime.GOOS) {
		t.Skip("these owner rules are by UID; Windows' are by SID (TestSIDOwnerCheck)")
	}
	if os.Geteuid() != 0 {
		t.Skip("the owner rules are root's: run the tests as root, as CI does")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			holderPID := tt.procs[len(tt.procs)-1].PID
			h := holderAt(holderPID, 3000)
			h.UID, h.User = tt.procs[len(tt.procs)-1].UID, tt.procs[len(tt.procs)-1].User
			plan, err := Build([]detect.Holder{h}, NewTable(tt.procs), map[int]bool{1: true}).Vet(tt.rules)
			if tt.err != nil {
				var spared *SparedError
				if !errors.As(err, &spared) {
					t.Fatalf("Vet = %v, want a SparedError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := pids(plan.Targets); !slices.Equal(got, tt.targets) {
				t.Errorf("targets = %v, want %v", got, tt.targets)
			}
			if tt.refusal != (len(plan.Watchers) > 0 && plan.Watchers[0].Refusal != nil) {
				t.Errorf("watchers = %+v, want a refusal: %v", plan.Watchers, tt.refusal)
			}
			if got := plan.Holders()[0].NeedsForce; tt.forceWhy != (got != "") {
				t.Errorf("NeedsForce = %q", got)
			} else if tt.forceWhy && !strings.Contains(got, "alice") {
				t.Errorf("NeedsForce = %q, want it to name the owner", got)
			}
		})
	}
}

func TestVetRefusesProtectedHolders(t *testing.T) {
	holders := []detect.Holder{
		{Port: 80, PID: 1, Name: "init", UID: os.Geteuid()},
		{Port: 80, PID: os.Getpid(), Name: "self", UID: os.Geteuid()},
	}
	// Under Wine, a program started from a Unix shell has no Windows
	// parent (Getppid is 0): there is no parent to protect.
	if ppid := os.Getppid(); ppid > 0 {
		holders = append(holders, detect.Holder{Port: 80, PID: ppid, Name: "parent", UID: os.Geteuid()})
	} else {
		t.Log("no parent process to test: this one has none the system shows")
	}
	for _, h := range holders {
		procs := []Proc{pr(h.PID, 0, h.PID, h.Name)}
		_, err := Build([]detect.Holder{h}, NewTable(procs), nil).Vet(Rules{Force: true})
		var refused *RefusedError
		if !errors.As(err, &refused) {
			t.Errorf("Vet(%s) = %v, want a RefusedError even with --force", h.Name, err)
		}
	}
	for _, user := range []string{"alice", ""} {
		_, err := Build([]detect.Holder{{Port: 80, User: user}}, NewTable(nil), nil).Vet(Rules{})
		var denied *PermissionError
		if !errors.As(err, &denied) {
			t.Errorf("Vet(unseen holder of %q) = %v, want a PermissionError", user, err)
		} else if strings.Contains(err.Error(), "user  ") {
			t.Errorf("Vet(unseen holder of %q) = %v, which names an empty user", user, err)
		}
	}
}

func TestVetSparesContainersUnderNever(t *testing.T) {
	c := &detect.Container{ID: "abc", Name: "shop-db-1", Image: "postgres:16"}
	plan := Build([]detect.Holder{{Port: 5432, PID: 50, Name: "docker-proxy", Container: c}}, NewTable(nil), nil)
	for _, entry := range []string{"shop-db-1", "postgres:16"} {
		_, err := plan.Vet(Rules{Never: func(names ...string) (string, bool) { return entry, slices.Contains(names, entry) }})
		var spared *SparedError
		if !errors.As(err, &spared) || spared.Port != 5432 {
			t.Errorf("Vet with never = [%q]: %v, want a SparedError for :5432", entry, err)
		}
	}
}

func TestOwnerRulesBySystem(t *testing.T) {
	if !ownersByUID("linux") || !ownersByUID("darwin") || ownersByUID("windows") {
		t.Error("the owner rule compares UIDs on Unix only")
	}
	if h := ElevateHint("windows", 80); !strings.Contains(h, "elevated terminal") {
		t.Errorf("Windows hint %q", h)
	}
	if h := ElevateHint("linux", 80); h != "sudo portguard free 80" {
		t.Errorf("Unix hint %q", h)
	}
}

func TestNormalName(t *testing.T) {
	tests := []struct{ goos, in, want string }{
		{"windows", "Postgres.EXE", "postgres"},
		{"windows", "node.exe", "node"},
		{"windows", "sshd", "sshd"},
		{"linux", "Postgres.EXE", "Postgres.EXE"},
	}
	for _, tt := range tests {
		if got := normalName(tt.goos, tt.in); got != tt.want {
			t.Errorf("normalName(%s, %q) = %q, want %q", tt.goos, tt.in, got, tt.want)
		}
	}
}

// Windows' owner rule over token SIDs: the user's own process passes;
// another user's is refused unless forced; an unreadable owner is left to
// the system.
func TestSIDOwnerCheck(t *testing.T) {
	const me, other = "S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1002"
	tests := []struct {
		name    string
		owner   string
		force   bool
		refused bool
	}{
		{"mine", me, false, false},
		{"another user's", other, false, true},
		{"another user's, forced", other, true, false},
		{"owner unreadable (elevated)", "", false, false},
	}
	for _, tt := range tests {
		p := Proc{PID: 40, Name: "node.exe", Owner: tt.owner}
		err := sidOwnerCheck(p, 3000, Rules{Force: tt.force}, `DESK\bob`, me)
		var perm *PermissionError
		if got := errors.As(err, &perm); got != tt.refused {
			t.Errorf("%s: refused = %v (%v), want %v", tt.name, got, err, tt.refused)
		} else if got && (!perm.Forcible || !strings.Contains(perm.Reason, `DESK\bob`)) {
			t.Errorf("%s: %+v should be forcible and name the owner", tt.name, perm)
		}
	}
}

// Launcher evidence is read from the command line, never from a name.
func TestLauncherEvidence(t *testing.T) {
	child := prc(2, 1, 1, "node", "node", "server.js")
	tests := []struct {
		argv []string
		want string // "" for no evidence
	}{
		{[]string{"npm run dev"}, "npm running the script dev"},
		{[]string{"npm", "run", "dev"}, "npm running the script dev"},
		{[]string{"npm", "start"}, "npm running the script start"},
		{[]string{"npm", "install"}, ""},
		{[]string{"npm"}, ""},
		{[]string{"yarn", "dev"}, "yarn running the script dev"},
		{[]string{"yarn", "install"}, ""},
		{[]string{"pnpm", "--filter", "web", "dev"}, "pnpm running the script dev"},
		{[]string{"npx", "vite"}, "npx running vite"},
		{[]string{"node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "run", "dev"}, "npm runs the server as its child"},
		{[]string{"sh", "-c", "vite --port 3000"}, "sh -c running vite --port 3000"},
		{[]string{"/bin/bash", "-e", "-c", "next dev"}, "bash -c running next dev"},
		{[]string{"bash", "dev.sh"}, "bash running the script dev.sh"},
		{[]string{"bash"}, ""},
		{[]string{"-bash"}, ""},
		{[]string{"bash", "-i"}, ""},
		{[]string{"zsh", "-l"}, ""},
		{[]string{"python3"}, ""},
		{[]string{"python3", "-q"}, ""},
		{[]string{"python3.12", "-i", "app.py"}, ""},
		{[]string{"python3", "train.py"}, ""},
		{[]string{"python3", "-m", "pytest"}, ""},
		{[]string{"python3", "-m", "ipykernel_launcher", "-f", "k.json"}, ""},
		{[]string{"node"}, ""},
		{[]string{"node", "--watch", "server.js"}, "node --watch restarts the server"},
		{[]string{"node", "/p/node_modules/nodemon/bin/nodemon.js"}, "nodemon runs the server as its child"},
		{[]string{"node", "/p/node_modules/.bin/next", "dev"}, "next runs the server as its child"},
		{[]string{"node", "/p/node_modules/.bin/vite"}, ""},
		{[]string{"deno", "run", "--watch", "main.ts"}, "deno --watch restarts the server"},
		{[]string{"go", "run", "."}, "go run runs the server it builds as its child"},
		{[]string{"go", "build"}, ""},
		{[]string{"watchexec", "-r", "cargo", "run"}, "watchexec runs the server as its child and restarts it"},
		{[]string{"ruby", "app.rb"}, ""},
		{[]string{"irb"}, ""},
		{[]string{"node", "server.js"}, "a reloader: it runs the server's own command as its child"},
	}
	for _, tt := range tests {
		p := prc(1, 0, 1, "x", tt.argv...)
		if got := launcherEvidence(p, child); got != tt.want {
			t.Errorf("launcherEvidence(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}

// never matches the words of a command, not only the kernel's name.
func TestNamesIncludeCommandWords(t *testing.T) {
	p := prc(1, 0, 1, "node", "node", "/p/node_modules/.bin/vite", "--port", "5173")
	if !slices.Contains(p.Names(), "vite") {
		t.Errorf("Names() = %q, want vite among them", p.Names())
	}
	sh := prc(1, 0, 1, "sh", "sh", "-c", "vite --port 5173")
	if !slices.Contains(sh.Names(), "vite") {
		t.Errorf("Names() = %q, want vite among them", sh.Names())
	}
	if got := prc(1, 0, 1, "node", "node", "app.js", "sshd").programNames(); slices.Contains(got, "sshd") {
		t.Errorf("programNames() = %q: an argument is not the program", got)
	}
}

// free plans and executes, as portguard does after --yes.
func free(ctx context.Context, holders []detect.Holder, opt Options) ([]Result, error) {
	plan, err := NewPlan(holders, opt.Rules)
	if err != nil {
		return nil, err
	}
	return Execute(ctx, plan, opt)
}

func TestVersionedRuntime(t *testing.T) {
	tests := []struct {
		prog, want string
		ok         bool
	}{
		{"python", "python", true},
		{"python3", "python", true},
		{"python3.12", "python", true},
		{"pypy3", "python", true},
		{"node22", "node", true},
		{"ruby3.3", "ruby", true},
		{"perl5.36.0", "perl", true},
		{"php8.2", "php", true},
		{"nodejs", "", false}, // mapped on its own
		{"python-config", "", false},
		{"ipython3", "", false},
		{"3.12", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := versionedRuntime(tt.prog); got != tt.want || ok != tt.ok {
			t.Errorf("versionedRuntime(%q) = %q, %v; want %q, %v", tt.prog, got, ok, tt.want, tt.ok)
		}
	}
}
