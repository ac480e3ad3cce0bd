// Package shell prints what users put in their rc files: the integration
// that runs dev-server commands through portguard (wrapper functions for
// a list of commands, or a hook that sees every accepted command line),
// and completions for portguard itself.
//
// The shell code lives in real files (portguard.bash, .zsh, .fish,
// hook.bash, .zsh, .fish, complete.bash, .zsh, .fish), embedded as fzf does, so they can be read
// and linted as shell; the binary's absolute path is put into them, as
// direnv does, so they never depend on PATH order.
package shell

import (
	"embed"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"text/template"
)

//go:embed portguard.bash portguard.zsh portguard.fish hook.bash hook.zsh hook.fish complete.bash complete.zsh complete.fish
var files embed.FS

// Names are the shells portguard integrates with.
var Names = []string{"bash", "zsh", "fish"}

// DefaultCommands are wrapped unless the user names others: the package
// managers and runtimes that start dev servers from scripts, and the dev
// servers people type directly.
var DefaultCommands = []string{
	"npm", "npx", "yarn", "pnpm", "bun", "node", "deno",
	"next", "vite", "rails", "flask", "uvicorn", "php", "hugo",
}

// commandName is what may be wrapped: a plain command name, nothing a
// shell would read as syntax. Compiled on first use, as every package
// here does: portguard's start-up is paid on every dev-server start.
var commandName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`)
})

// ParseCommands reads a list such as "npm,yarn rails" (commas or blanks).
func ParseCommands(list string) ([]string, error) {
	var out []string
	for _, name := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if !commandName().MatchString(name) {
			return nil, fmt.Errorf("%q is not a command name that can be wrapped", name)
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no commands to wrap in %q", list)
	}
	return out, nil
}

// Init returns the integration for shell: portguard at exe wraps commands.
func Init(shell, exe string, commands []string) (string, error) {
	for _, c := range commands {
		if !commandName().MatchString(c) {
			return "", fmt.Errorf("%q is not a command name that can be wrapped", c)
		}
	}
	return render("portguard."+shell, shell, exe, commands)
}

// Hook returns the hook mode's integration for shell: every accepted
// command line is passed to `portguard check-line` at exe before the shell
// runs it.
func Hook(shell, exe string) (string, error) {
	return render("hook."+shell, shell, exe, nil)
}

// Completion returns the completion script of bash or zsh, which ask the
// portguard at exe for its flags and subcommands; for fish, the additions
// to the script the CLI library generates from the flags.
func Completion(shell, exe string) (string, error) {
	return render("complete."+shell, shell, exe, nil)
}

func render(file, shell, exe string, commands []string) (string, error) {
	src, err := files.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("unknown shell %q (portguard knows %s)", shell, strings.Join(Names, ", "))
	}
	t, err := template.New(file).Parse(string(src))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = t.Execute(&b, struct {
		Exe      string
		Commands string
	}{quote(shell, exe), strings.Join(commands, " ")})
	return b.String(), err
}

// quote makes s one word of the shell's syntax.
func quote(shell, s string) string {
	if shell == "fish" {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
