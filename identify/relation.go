// Package identify says what a port's holder is in the user's terms: an
// earlier copy of the very command being started, another server of the
// same project, a server of another project, or a container that
// publishes the port. detect answers "which process"; this package
// answers "which of your things".
package identify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/terminate"
)

// Relation is what a holder is to the command about to start.
type Relation int

const (
	// Unknown: nothing useful can be said (no working directory, or a
	// daemon's, or another user's process).
	Unknown Relation = iota
	// EarlierCopy: the same command of the same project, left running.
	EarlierCopy
	// SameProject: another program started in this project.
	SameProject
	// OtherProject: a program of the same user, in another project.
	OtherProject
)

// Finding is what Relate found out about one holder.
type Finding struct {
	Relation Relation
	// Command is what the earlier copy was started as ("npm run dev").
	Command string
	// Where is the holder's working directory: relative to the current
	// directory inside the project ("./web", "."), else ~-shortened.
	Where string
}

// Command is the command about to start, as Relate needs it.
type Command struct {
	Argv []string // without KEY=VALUE prefixes
	Tool string   // the program inference says will listen ("next"); may be ""
	Dir  string   // the working directory it starts in
}

// maxAncestors bounds the walk up from a holder to what started it
// (npm → sh → node is three).
const maxAncestors = 6

// Relate compares holder h with the command about to start. A holder is
// an earlier copy when its working directory is in the same project and
// it, or a process it was started by, runs the same command (npm run dev
// started `node …/next dev`: the npm process is an ancestor), or the same
// tool inference found.
func Relate(h detect.Holder, cmd Command) Finding {
	if uid, _ := terminate.InvokingUser(); h.Cwd == "" || !h.Visible() || h.UID != uid {
		return Finding{}
	}
	home, _ := os.UserHomeDir()
	if h.Cwd == "/" || h.Cwd == home {
		return Finding{}
	}
	root := ProjectRoot(cmd.Dir)
	if !within(h.Cwd, root) {
		if home != "" && within(h.Cwd, home) {
			return Finding{Relation: OtherProject, Where: tilde(h.Cwd, home)}
		}
		return Finding{}
	}
	where := "."
	if rel, err := filepath.Rel(cmd.Dir, h.Cwd); err == nil && rel != "." {
		where = rel
		if !strings.HasPrefix(rel, "..") {
			where = "./" + rel
		}
	}
	want := words(cmd.Argv)
	p, ok := h, true
	for range maxAncestors {
		if !ok || p.PID <= 1 {
			break
		}
		got := words(p.Cmdline)
		if len(want) > 0 && len(got) >= len(want) && slices.Equal(got[:len(want)], want) {
			return Finding{Relation: EarlierCopy, Command: strings.Join(cmd.Argv, " "), Where: where}
		}
		if p.PID == h.PID && cmd.Tool != "" && len(got) > 0 && got[0] == cmd.Tool {
			return Finding{Relation: EarlierCopy, Command: strings.Join(cmd.Argv, " "), Where: where}
		}
		p, ok = detect.Process(p.PPID)
	}
	return Finding{Relation: SameProject, Where: where}
}

// interpreters run a script named by their first argument, which is the
// program the user knows: node …/next dev is next, sh …/bin/dev is dev.
var interpreters = map[string]bool{
	"node": true, "nodejs": true, "bun": true, "deno": true, "python": true, "python3": true,
	"ruby": true, "php": true, "perl": true, "sh": true, "bash": true, "dash": true, "zsh": true,
}

// words is argv as a user would name it: the program's base name first,
// with the interpreter and the script's directory left out.
func words(argv []string) []string {
	if len(argv) == 0 {
		return nil
	}
	w := append([]string{filepath.Base(argv[0])}, argv[1:]...)
	if interpreters[w[0]] && len(w) > 1 && !strings.HasPrefix(w[1], "-") {
		w = append([]string{strings.TrimSuffix(filepath.Base(w[1]), ".js")}, w[2:]...)
	}
	return w
}

// projectMarkers are what a project's root directory holds.
var projectMarkers = []string{".git", "package.json", "go.mod", "Gemfile", "pyproject.toml", "Cargo.toml", "composer.json", "mix.exs", "pom.xml", "build.gradle"}

// ProjectRoot is the nearest directory at or above dir that holds a .git,
// else the nearest that holds another project marker, else dir itself.
func ProjectRoot(dir string) string {
	root, _ := Project(dir)
	return root
}

// Project is ProjectRoot, with ok false when no directory at or above dir
// holds a .git or a project marker (the root is then dir itself).
func Project(dir string) (root string, ok bool) {
	var marked string
	home, _ := os.UserHomeDir()
	for d := dir; ; d = filepath.Dir(d) {
		// A home directory kept in git (dotfiles) is not one project.
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil && d != home {
			return d, true
		}
		if marked == "" {
			for _, m := range projectMarkers[1:] {
				if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
					marked = d
					break
				}
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if marked != "" {
		return marked, true
	}
	return dir, false
}

func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

func tilde(path, home string) string {
	if home != "" && within(path, home) {
		return "~" + strings.TrimPrefix(path, home)
	}
	return path
}
