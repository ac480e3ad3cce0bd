package infer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
	"github.com/portguard/portguard/shell"
)

// The shell hooks decide lines of shell.NeverListen's commands without
// asking portguard. That is sound only while portguard would infer no
// port from them either: none is a tool of the table or a command
// inference sees through, and none yields a port whatever its
// arguments, with PORT in the environment and a project beside it whose
// dev script names one.
func TestNeverListenInfersNoPort(t *testing.T) {
	dir := winetest.TempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"scripts": {"dev": "vite --port 4100"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PORT=4000", "PATH=" + os.Getenv("PATH")}
	for _, entry := range shell.NeverListen {
		name := strings.Fields(entry)[0]
		if knownTool(name) {
			t.Errorf("%q: inference knows %s as a tool", entry, name)
		}
		if _, ok := unwrap(name, []string{"npm", "run", "dev"}); ok {
			t.Errorf("%q: inference sees through %s to the command it runs", entry, name)
		}
		for _, args := range []string{
			"--port 4000 -p 4000 4000 :4000 localhost:4000 --listen 0.0.0.0:4000",
			"npm run dev",
			"-- npm run dev",
		} {
			line := entry + " " + args
			ports, err := CommandLine{Text: line, Shell: "bash"}.Ports(env, dir)
			if err != nil || len(ports) > 0 {
				t.Errorf("%s: ports %v, %v; want none", line, ports, err)
			}
		}
	}
}
