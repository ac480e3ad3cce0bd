package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/wrap"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in   []string
		want []int
		ok   bool
	}{
		{[]string{"3000"}, []int{3000}, true},
		{[]string{"3000", "9229"}, []int{3000, 9229}, true},
		{[]string{"3000,3001", "3000"}, []int{3000, 3001}, true},
		{[]string{"4000-4002"}, []int{4000, 4001, 4002}, true},
		{[]string{"1"}, []int{1}, true},
		{[]string{"65535"}, []int{65535}, true},
		{[]string{"0"}, nil, false},
		{[]string{"65536"}, nil, false},
		{[]string{"70000"}, nil, false},
		{[]string{"abc"}, nil, false},
		{[]string{""}, nil, false},
		{[]string{"-1"}, nil, false},
		{[]string{"3000-"}, nil, false},
		{[]string{"3005-3000"}, nil, false},
		{[]string{"1-65535"}, nil, false},
	}
	for _, tt := range tests {
		got, err := parsePorts(tt.in)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("parsePorts(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzArgs: splitting argv at "--", moving a subcommand's flags before
// its arguments, and reading ports never panic, never lose or invent an
// argument, and never yield a port outside 1-65535.
func FuzzArgs(f *testing.F) {
	for _, seed := range []string{
		"-p\x003000\x00--\x00npm\x00start",
		"free\x003000\x00-y\x00-t\x00500ms",
		"init\x00zsh\x00--commands\x00npm,yarn",
		"-p\x003000-3099,70000\x00--\x00--",
		"which\x00--generate-bash-completion",
		"free\x00-t",
	} {
		f.Add(seed)
	}
	app := newApp(&session{})
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		own, command, found := wrap.Split(args)
		if found && len(own)+len(command)+1 != len(args) || !found && len(own) != len(args) {
			t.Fatalf("Split(%q) lost arguments: %q %q", args, own, command)
		}
		moved := interspersed(app, own)
		a, b := slices.Clone(own), slices.Clone(moved)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) || (len(own) > 0 && moved[0] != own[0]) {
			t.Fatalf("interspersed(%q) = %q", own, moved)
		}
		for _, arg := range args {
			ports, err := parsePorts([]string{arg})
			if err == nil && len(ports) == 0 && arg != "" {
				t.Fatalf("parsePorts(%q): no ports and no error", arg)
			}
			for _, p := range ports {
				if p < 1 || p > 65535 {
					t.Fatalf("parsePorts(%q) gave port %d", arg, p)
				}
			}
		}
	})
}
