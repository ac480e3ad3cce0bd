package guard

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/internal/owner"
	"github.com/portguard/portguard/terminate"
)

// Role is what a listening process is to the user, for portguard ls.
type Role string

const (
	RoleThisProject  Role = "this project"
	RoleOtherProject Role = "another project"
	RoleContainer    Role = "container"
	RoleService      Role = "system service"
	RoleOtherUser    Role = "another user's"
	RoleNotVisible   Role = "owner not visible"
	RoleOther        Role = "" // the user's, outside any project
)

// Listed is one row of portguard ls.
type Listed struct {
	detect.Holder
	Role Role
	// Project is the holder's project root ("" when it has none).
	Project string
}

// Classify says what each holder is, for portguard ls in dir: a pure
// function but for the project roots it looks up (identify.ProjectRoot)
// and the system-service check. The current project's servers come first,
// then the other projects by path, then the rest; by port within each.
func Classify(holders []detect.Holder, dir string) []Listed {
	uid, _ := owner.Invoking()
	home, _ := os.UserHomeDir()
	here, inProject := identify.Project(dir)
	if !inProject {
		here = ""
	}
	roots := map[string]string{} // cwd → project root
	var out []Listed
	for _, h := range holders {
		l := Listed{Holder: h}
		switch {
		case h.Container != nil:
			l.Role = RoleContainer
		case h.UID != uid:
			l.Role = RoleOtherUser
		case !h.Visible():
			// The user's own socket held by no process portguard can
			// see: one in another PID namespace (a container, a sandbox).
			l.Role = RoleNotVisible
		case terminate.SystemService(terminate.Proc{PID: h.PID, PPID: h.PPID, Name: h.Name, Cmdline: h.Cmdline}) != "":
			l.Role = RoleService
		case h.Cwd != "" && h.Cwd != "/" && h.Cwd != home:
			root, seen := roots[h.Cwd]
			if !seen {
				if r, ok := identify.Project(h.Cwd); ok {
					root = r
				}
				roots[h.Cwd] = root
			}
			l.Project = root
			switch {
			case root == "":
			case root == here && here != "":
				l.Role = RoleThisProject
			default:
				l.Role = RoleOtherProject
			}
		}
		out = append(out, l)
	}
	rank := func(l Listed) int {
		switch {
		case l.Role == RoleThisProject:
			return 0
		case l.Project != "":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b Listed) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a.Project, b.Project), cmp.Compare(a.Port, b.Port))
	})
	return out
}

// Tilde shows a path under home as ~/…, as ls groups projects.
func Tilde(path string) string {
	home, _ := os.UserHomeDir()
	if home != "" && home != "/" && (path == home || strings.HasPrefix(path, home+string(filepath.Separator))) {
		return "~" + strings.TrimPrefix(path, home)
	}
	return path
}
