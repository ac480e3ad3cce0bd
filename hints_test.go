package main

import (
	"strings"
	"testing"
)

// The words people type lead to the command that does the job with its
// checks, and never to a program that signals by PID.
func TestUnknownWordHint(t *testing.T) {
	onPath := func(name string) bool {
		switch name {
		case "kill", "pkill", "killall", "fuser", "npm", "rails":
			return true
		}
		return false
	}
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"kill", "3000"}, "did you mean: portguard free 3000"},
		{[]string{"stop", ":3000"}, "did you mean: portguard free 3000"},
		{[]string{"pkill", "-f", "vite"}, "did you mean: portguard free PORT"},
		{[]string{"killall", "node"}, "did you mean: portguard free PORT"},
		{[]string{"fuser", "-k", "3000/tcp"}, "did you mean: portguard free PORT"},
		{[]string{"whcih", "3000"}, "did you mean: portguard which 3000"},
		{[]string{"fre", "3000"}, "did you mean: portguard free 3000"},
		{[]string{"lsof", "-i", ":3000"}, "did you mean: portguard which 3000"},
		{[]string{"list"}, "did you mean: portguard ls"},
		{[]string{"npm", "run", "dev"}, "to run a program, put it after --: portguard -- npm run dev"},
		{[]string{"rails", "s"}, "to run a program, put it after --: portguard -- rails s"},
		{[]string{"xyzzy"}, "portguard --help lists the commands"},
	}
	for _, tt := range tests {
		got := unknownWordHint(tt.argv[0], tt.argv[1:], onPath)
		if got != tt.want {
			t.Errorf("portguard %s: hint %q, want %q", strings.Join(tt.argv, " "), got, tt.want)
		}
		if strings.Contains(got, "-- kill") || strings.Contains(got, "-- pkill") || strings.Contains(got, "-- killall") || strings.Contains(got, "-- fuser") {
			t.Errorf("portguard %s: the hint runs a signalling program: %q", strings.Join(tt.argv, " "), got)
		}
	}
}
