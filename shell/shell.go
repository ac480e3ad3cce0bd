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
	"slices"
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

// NeverListen are the command words the hooks decide on in the shell,
// with builtins only and no process started: a line made only of these
// runs nothing that listens, and portguard would infer no port from it.
// Most typed lines are of these words, so most lines cost no process.
//
// A word is here when (a) the program never listens on a TCP port, and
// (b) running another command is not what it is for: sudo, env, nohup,
// xargs, npx, make, find (-exec), watch, timeout and the shells' own
// exec, command, builtin, time, eval and source run a command given in
// their arguments, so they are not here, nor are ssh (-L listens), nc
// (-l), code (code serve-web) and emacs (its server). An entry of two
// words admits the command only with that subcommand: git runs a user's
// alias (alias.dev = "!npm run dev") and has a daemon and instaweb, but
// git never lets an alias shadow its own commands, so `git status` is
// always git's. A word that is an alias or a function in the shell is
// not decided there, whatever this list says; infer's tests check that
// portguard infers no port from any of these.
var NeverListen = []string{
	// Files and text.
	"cd", "pwd", "ls", "tree", "cat", "less", "more", "head", "tail",
	"cp", "mv", "rm", "mkdir", "rmdir", "touch", "ln", "chmod", "chown",
	"stat", "file", "du", "df", "realpath", "readlink", "basename", "dirname",
	"wc", "uniq", "cut", "tr", "diff", "cmp", "comm", "grep", "egrep", "fgrep",
	"rg", "jq", "tar", "gzip", "gunzip", "zip", "unzip", "xz",
	// Editors.
	"vi", "vim", "nvim", "nano",
	// The shell and the system.
	"echo", "printf", "clear", "history", "jobs", "type", "which", "man",
	"whoami", "id", "date", "uname", "hostname", "true", "false", "sleep",
	"ps", "top", "htop", "kill", "exit",
	// Clients.
	"curl", "wget", "ping",
	// git's own commands, never an alias.
	"git status", "git log", "git diff", "git show", "git add", "git commit",
	"git push", "git pull", "git fetch", "git checkout", "git switch",
	"git branch", "git merge", "git rebase", "git stash", "git reset",
	"git restore", "git tag", "git remote", "git clone", "git init",
	"git blame", "git grep", "git mv", "git rm", "git cherry-pick",
	"git revert", "git reflog",
}

// ParseNeverListen adds the user's entries to list: "mytool,git sync"
// (comma-separated, each a command word or a word and its subcommand); an
// entry written "-name" takes name out of the list instead.
func ParseNeverListen(list []string, extra string) ([]string, error) {
	out := slices.Clone(list)
	for entry := range strings.SplitSeq(extra, ",") {
		entry = strings.Join(strings.Fields(entry), " ")
		if entry == "" {
			continue
		}
		name, remove := strings.CutPrefix(entry, "-")
		if !neverListenEntry(name) {
			return nil, fmt.Errorf("%q is not a command word, or a word and its subcommand", entry)
		}
		out = slices.DeleteFunc(out, func(e string) bool { return e == name })
		if !remove {
			out = append(out, name)
		}
	}
	return out, nil
}

func neverListenEntry(entry string) bool {
	words := strings.Fields(entry)
	if len(words) == 0 || len(words) > 2 {
		return false
	}
	for _, w := range words {
		if !commandName().MatchString(w) {
			return false
		}
	}
	return true
}

// Hook returns the hook mode's integration for shell: every accepted
// command line is passed to `portguard check-line` at exe before the shell
// runs it, except a line the shell decides is made only of the commands
// in neverListen.
func Hook(shell, exe string, neverListen []string) (string, error) {
	for _, e := range neverListen {
		if !neverListenEntry(e) {
			return "", fmt.Errorf("%q is not a command word, or a word and its subcommand", e)
		}
	}
	return render("hook."+shell, shell, exe, neverListen)
}

// Completion returns the completion script of bash or zsh, which ask the
// portguard at exe for its flags and subcommands; for fish, the additions
// to the script the CLI library generates from the flags.
func Completion(shell, exe string) (string, error) {
	return render("complete."+shell, shell, exe, nil)
}

func render(file, shell, exe string, words []string) (string, error) {
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
		Words    string
	}{quote(shell, exe), strings.Join(words, " "), wordSet(shell, words)})
	return b.String(), err
}

// wordSet writes words as the elements of the shell's set: an associative
// array's keys in bash and zsh, a list in fish.
func wordSet(shell string, words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch shell {
		case "bash":
			b.WriteString("[" + quote(shell, w) + "]=1")
		case "zsh":
			b.WriteString(quote(shell, w) + " 1")
		default:
			b.WriteString(quote(shell, w))
		}
	}
	return b.String()
}

// quote makes s one word of the shell's syntax.
func quote(shell, s string) string {
	if shell == "fish" {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
