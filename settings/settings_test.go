package settings

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

func TestLoad(t *testing.T) {
	home := winetest.TempDir(t)
	winetest.SetHome(t, home)
	files := map[string]string{
		"toml/.portguard.toml":    "ports = [3000, 9229]\nreplace_earlier = true\nnever = [\"postgres\"]\n",
		"toml/web/src/.keep":      "",
		"pkg/package.json":        `{"name": "x", "portguard": {"ports": [5173], "never": ["redis-server"]}}`,
		"plainpkg/package.json":   `{"name": "y", "scripts": {}}`,
		"repo/.git/HEAD":          "",
		"repo/app/.keep":          "",
		".portguard.toml":         "ports = [1]\n", // above every project: never reached past .git
		"bad/.portguard.toml":     "ports = [70000]\n",
		"unknown/.portguard.toml": "port = 3000\n",
		"badpkg/package.json":     `{"portguard": {"port": 1}}`,
		"syntax/.portguard.toml":  "ports = [3000",
		"type/.portguard.toml":    "replace_earlier = \"yes\"\n",
		"types/.portguard.toml":   "ports = [3000, \"x\"]\n",
	}
	for name, content := range files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		dir     string
		ports   []int
		replace bool
		never   []string
		file    string
		err     string
	}{
		{"toml/web/src", []int{3000, 9229}, true, []string{"postgres"}, "toml/.portguard.toml", ""},
		{"pkg", []int{5173}, false, []string{"redis-server"}, "pkg/package.json", ""},
		{"repo/app", nil, false, nil, "", ""},
		{"bad", nil, false, nil, "", "port 70000 is not from 1 to 65535"},
		{"unknown", nil, false, nil, "", `unknown setting "port"`},
		{"badpkg", nil, false, nil, "", `unknown field "port"`},
		{"syntax", nil, false, nil, "", "syntax/.portguard.toml:1:13: toml: array is incomplete"},
		{"type", nil, false, nil, "", "type/.portguard.toml:1:19: replace_earlier takes true or false"},
		{"types", nil, false, nil, "", "types/.portguard.toml:1:16: ports takes a list of port numbers, such as [3000, 9229]"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			s, err := Load(filepath.Join(home, tt.dir))
			if tt.err != "" {
				// The path in the message is the system's.
				if err == nil || !strings.Contains(err.Error(), filepath.FromSlash(tt.err)) {
					t.Fatalf("err = %v, want %q", err, filepath.FromSlash(tt.err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.file != "" {
				want = filepath.Join(home, tt.file)
			}
			if !slices.Equal(s.Ports, tt.ports) || s.ReplaceEarlier != tt.replace || !slices.Equal(s.Never, tt.never) || s.File != want {
				t.Fatalf("Load = %+v", s)
			}
		})
	}
	// plainpkg has a package.json without settings: the search goes on up
	// to the home directory, whose file it reads.
	if s, err := Load(filepath.Join(home, "plainpkg")); err != nil || !slices.Equal(s.Ports, []int{1}) {
		t.Fatalf("Load(plainpkg) = %+v, %v", s, err)
	}
}
