//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/detect"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The schema of `which --json`, written out as a user of it would: if a
// field of holderRecord is renamed or removed, decoding real output into
// this fails.
type whichJSON struct {
	Port      int        `json:"port"`
	Protocol  string     `json:"protocol"`
	Address   string     `json:"address"`
	PID       int        `json:"pid"`
	User      string     `json:"user"`
	Command   []string   `json:"command"`
	Cwd       string     `json:"cwd"`
	StartedAt *time.Time `json:"started_at"`
	Container *struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Image   string `json:"image"`
		Project string `json:"compose_project"`
	} `json:"container"`
}

// The golden file pins the exact shape, from holders as detect returns
// them: a node server, a docker-proxy publishing a compose container, and
// another user's process that cannot be seen.
func TestWhichJSONGolden(t *testing.T) {
	started := time.Date(2026, 11, 25, 9, 14, 3, 0, time.FixedZone("CET", 3600))
	held := map[int][]detect.Holder{
		3000: {{Port: 3000, Protocol: detect.TCP, Addr: "[::]:3000", PID: 48113, PPID: 48100, UID: 1000, User: "ana",
			Name: "node", Cmdline: []string{"node", "/home/ana/shop/node_modules/.bin/next", "dev"}, Cwd: "/home/ana/shop", Started: started}},
		5432: {{Port: 5432, Protocol: detect.TCP, Addr: "0.0.0.0:5432", PID: 2210, User: "root", Name: "docker-proxy",
			Cmdline: []string{"/usr/bin/docker-proxy", "-proto", "tcp", "-host-port", "5432"}, Cwd: "/", Started: started,
			Container: &detect.Container{ID: "4f1c2a9e8b7d", Name: "shop-db-1", Image: "postgres:16", Project: "shop"}}},
		8080: {{Port: 8080, Protocol: detect.TCP, Addr: "127.0.0.1:8080", User: "bob"}},
	}
	var got bytes.Buffer
	if err := writeHolders(&got, []int{3000, 4000, 5432, 8080}, held); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/golden/which.json"
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("which --json changed; if on purpose, run go test -run WhichJSONGolden -update and say so in the README\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
	}
}

// Real output for a real holder decodes into the typed schema, with
// nothing unknown, and says what is true of the holder.
func TestWhichJSONDecodes(t *testing.T) {
	h := holder(t)
	out, err := exec.Command(portguardPath(t), "which", "--json", strconv.Itoa(h.Port)).Output()
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var got []whichJSON
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	wd, _ := os.Getwd()
	if len(got) != 1 {
		t.Fatalf("want one holder, got %+v", got)
	}
	g := got[0]
	if g.Port != h.Port || g.PID != h.PID() || g.Protocol != "tcp" || g.Address != "127.0.0.1:"+strconv.Itoa(h.Port) ||
		g.Cwd != wd || len(g.Command) == 0 || filepath.Base(g.Command[0]) != "holder" || g.Container != nil {
		t.Fatalf("which --json says %+v, want port %d pid %d", g, h.Port, h.PID())
	}
	if g.StartedAt == nil || time.Since(*g.StartedAt) > time.Minute || time.Since(*g.StartedAt) < -time.Second {
		t.Fatalf("started_at %v is not when the holder started", g.StartedAt)
	}

	// Free ports: an empty array, and exit 1 as without --json.
	cmd := exec.Command(portguardPath(t), "which", "--json", strconv.Itoa(freePort(t)))
	out, err = cmd.Output()
	if exitCode(err) != 1 || string(bytes.TrimSpace(out)) != "[]" {
		t.Fatalf("a free port: exit %d, %q; want exit 1 and []", exitCode(err), out)
	}
}

// A command line is the holder's own text: in JSON too, the controls a
// terminal obeys are escaped, and decoding gives the command line back.
func TestWhichJSONEscapesControls(t *testing.T) {
	cmdline := []string{"node", "\u202esj.revres", "\u0085\u009b31m"}
	held := map[int][]detect.Holder{3000: {{Port: 3000, Protocol: detect.TCP, Addr: "127.0.0.1:3000", PID: 42, Cmdline: cmdline}}}
	var out bytes.Buffer
	if err := writeHolders(&out, []int{3000}, held); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\u202e\u0085\u009b") {
		t.Fatalf("raw controls in %s", out.String())
	}
	var got []whichJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got) != 1 || !slices.Equal(got[0].Command, cmdline) {
		t.Fatalf("decoded %+v, %v; want the command line %q", got, err, cmdline)
	}
}
