//go:build linux

package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Completion as a person meets it, in real bash and zsh under tmux:
// subcommands, every long flag after "--", and the ports listening now
// after which, free and -p. zsh shows what holds each port beside it.
func TestCompletionInRealShells(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t)
	port := strconv.Itoa(h.Port)
	for _, sh := range []string{"bash", "zsh", "fish"} {
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
				writeFile(t, filepath.Join(home, ".zshrc"), "PS1='PG$ '\nLISTMAX=10000 # list every port, never ask first\nautoload -Uz compinit && compinit -u -d "+filepath.Join(home, "zcompdump")+"\nsource <(portguard completion zsh)\n", 0o644)
				start = "env ZDOTDIR=" + home + " zsh -i"
			case "fish":
				rc := filepath.Join(home, "config.fish")
				writeFile(t, rc, "set -g fish_greeting\nfunction fish_prompt; echo -n 'PG$ '; end\nportguard completion fish | source\n", 0o644)
				start = fmt.Sprintf("env XDG_CONFIG_HOME=%s/config XDG_DATA_HOME=%s/data fish --no-config -i -C 'source %s'", home, home, rc)
			}
			// The shell starts in a directory with a file in it, which no
			// completion of portguard's own words may offer.
			writeFile(t, filepath.Join(home, "notaport.txt"), "", 0o644)
			tm := newTmux(t, fmt.Sprintf("cd %s && exec env HOME=%s %s", home, home, start))
			waitFor(t, sh, tm.screen, "PG$")
			// Tab Tab in bash, Ctrl-D in zsh, Tab in fish: list what
			// completes here. Then Ctrl-U empties the line.
			list := []string{"Tab", "Tab"}
			switch sh {
			case "zsh":
				list = []string{"C-d"}
			case "fish":
				list = []string{"Tab"}
			}
			complete := func(typed, want string) {
				t.Helper()
				tm.run("send-keys", "-l", typed)
				tm.run(append([]string{"send-keys"}, list...)...)
				// On a loaded machine a key can land before the shell
				// has taken the typed text in: one more asking lists it.
				for deadline := time.Now().Add(5 * time.Second); !strings.Contains(tm.screen(), want) && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
				}
				if !strings.Contains(tm.screen(), want) {
					tm.run(append([]string{"send-keys"}, list...)...)
				}
				waitFor(t, sh+" completing "+strconv.Quote(typed), tm.screen, want)
				if screen := tm.screen(); strings.Contains(screen, "notaport.txt") {
					t.Fatalf("%s completing %q offers the directory's files:\n%s", sh, typed, screen)
				}
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
