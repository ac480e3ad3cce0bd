//go:build linux

package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Completion as a person meets it, in real bash and zsh under tmux:
// subcommands, every long flag after "--", and the ports listening now
// after which, free and -p. zsh shows what holds each port beside it.
func TestCompletionInRealShells(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t)
	port := strconv.Itoa(h.Port)
	for _, sh := range []string{"bash", "zsh"} {
		t.Run(sh, func(t *testing.T) {
			if _, err := exec.LookPath(sh); err != nil {
				skipOrFail(t, tierTools, sh+" is not installed")
			}
			home := t.TempDir()
			var start string
			switch sh {
			case "bash":
				writeFile(t, filepath.Join(home, ".bashrc"), "PS1='PG$ '\nsource <(portguard completion bash)\n", 0o644)
				start = "bash --noprofile --rcfile " + filepath.Join(home, ".bashrc") + " -i"
			case "zsh":
				writeFile(t, filepath.Join(home, ".zshrc"), "PS1='PG$ '\nautoload -Uz compinit && compinit -u -d "+filepath.Join(home, "zcompdump")+"\nsource <(portguard completion zsh)\n", 0o644)
				start = "env ZDOTDIR=" + home + " zsh -i"
			}
			tm := newTmux(t, fmt.Sprintf("exec env HOME=%s %s", home, start))
			waitFor(t, sh, tm.screen, "PG$")
			// Tab Tab in bash, Ctrl-D in zsh: list what completes here,
			// inserting nothing. Then Ctrl-U empties the line.
			list := []string{"Tab", "Tab"}
			if sh == "zsh" {
				list = []string{"C-d"}
			}
			complete := func(typed, want string) {
				t.Helper()
				tm.run("send-keys", "-l", typed)
				tm.run(append([]string{"send-keys"}, list...)...)
				waitFor(t, sh+" completing "+strconv.Quote(typed), tm.screen, want)
				tm.run("send-keys", "C-u")
				tm.run("send-keys", "-l", "clear")
				tm.run("send-keys", "Enter")
				waitFor(t, sh, func() string { return lastLine(tm.screen()) }, "PG$")
			}
			complete("portguard wh", "which")
			complete("portguard --", "--next-free")
			complete("portguard which ", port)
			complete("portguard free -y ", port)
			complete("portguard -p ", port)
			complete("portguard init ", "fish")
			if sh == "zsh" {
				complete("portguard which ", fmt.Sprintf("holder (pid %d)", h.PID()))
			}
		})
	}
}
