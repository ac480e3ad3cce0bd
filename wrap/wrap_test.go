package wrap

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		args         []string
		own, command []string
		found        bool
	}{
		{[]string{"-p", "3000", "--", "npm", "start"}, []string{"-p", "3000"}, []string{"npm", "start"}, true},
		{[]string{"--", "free", "-h"}, []string{}, []string{"free", "-h"}, true},
		{[]string{"-y", "--", "sh", "-c", "x", "--", "y"}, []string{"-y"}, []string{"sh", "-c", "x", "--", "y"}, true},
		{[]string{"which", "3000"}, []string{"which", "3000"}, nil, false},
		{[]string{"-p", "1", "--"}, []string{"-p", "1"}, []string{}, true},
	}
	for _, tt := range tests {
		own, command, found := Split(tt.args)
		if !slices.Equal(own, tt.own) || !slices.Equal(command, tt.command) || found != tt.found {
			t.Errorf("Split(%q) = %q, %q, %v; want %q, %q, %v", tt.args, own, command, found, tt.own, tt.command, tt.found)
		}
	}
}

func TestAssignments(t *testing.T) {
	tests := []struct {
		command, env, wantEnv, wantRest []string
	}{
		{[]string{"PORT=4000", "npm", "start"}, []string{"PORT=1", "HOME=/h"}, []string{"HOME=/h", "PORT=4000"}, []string{"npm", "start"}},
		{[]string{"A=1", "B=", "x"}, nil, []string{"A=1", "B="}, []string{"x"}},
		{[]string{"npm", "X=1"}, nil, nil, []string{"npm", "X=1"}},
		{[]string{"1A=2", "x"}, nil, nil, []string{"1A=2", "x"}},
		{[]string{"./a=b"}, nil, nil, []string{"./a=b"}},
		{[]string{"PORT=1"}, nil, []string{"PORT=1"}, []string{}},
	}
	for _, tt := range tests {
		env, rest := Assignments(tt.command, tt.env)
		if !slices.Equal(env, tt.wantEnv) || !slices.Equal(rest, tt.wantRest) {
			t.Errorf("Assignments(%q, %q) = %q, %q; want %q, %q", tt.command, tt.env, env, rest, tt.wantEnv, tt.wantRest)
		}
	}
}

func TestResolve(t *testing.T) {
	dir := winetest.TempDir(t)
	write := func(name string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	// Windows runs a file by its extension, not an execute bit: runme is
	// runme.cmd there, found without its extension as cmd.exe finds it.
	runme := "runme"
	if runtime.GOOS == "windows" {
		runme = "runme.cmd"
	}
	write(runme, 0o755)
	write("plain", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)

	tests := []struct {
		name string
		want error
	}{
		{"runme", nil},
		{filepath.Join(dir, "runme"), nil},
		{"plain", ErrNotExecutable},
		{filepath.Join(dir, "plain"), ErrNotExecutable},
		{filepath.Join(dir, "sub"), ErrNotExecutable},
		{"nope", ErrNotFound},
		{filepath.Join(dir, "nope"), ErrNotFound},
		{"", ErrNotFound},
	}
	for _, tt := range tests {
		_, err := Resolve(tt.name)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Resolve(%q) = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestAcceptDot(t *testing.T) {
	for goos, want := range map[string]bool{"linux": true, "darwin": true, "windows": false} {
		if got := acceptDot(goos); got != want {
			t.Errorf("acceptDot(%s) = %v, want %v", goos, got, want)
		}
	}
}
