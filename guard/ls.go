package guard

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"slices"
	"strings"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/internal/owner"
	"github.com/portguard/portguard/prompt"
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
	otherUser := otherUserOf(runtime.GOOS)
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
		case otherUser(h):
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

// Pickable says whether a listed holder may be picked in ls -i: the
// user's own servers and containers; system services and other users'
// processes only with --force; never a socket whose owner is not visible.
func Pickable(l Listed, force bool) bool {
	switch l.Role {
	case RoleNotVisible:
		return false
	case RoleService, RoleOtherUser:
		return force
	}
	return true
}

// Pick asks, on the terminal, which of the listed ports to free, and
// returns their holders. The choice is then freed through Free: the plan
// is shown in full and confirmed before anything is signalled.
func (g *Guard) Pick(listed []Listed) (map[int][]detect.Holder, error) {
	if !g.Interactive() {
		return nil, fail(Usage, "ls -i needs a terminal to ask on", "without one, free ports by number: portguard free PORT")
	}
	var ports []int
	byPort := map[int][]Listed{}
	for _, l := range listed {
		if !Pickable(l, g.Force) {
			continue
		}
		if _, ok := byPort[l.Port]; !ok {
			ports = append(ports, l.Port)
		}
		byPort[l.Port] = append(byPort[l.Port], l)
	}
	if len(ports) == 0 {
		return nil, nil
	}
	labels := make([]string, len(ports))
	for i, p := range ports {
		var names []string
		for _, l := range byPort[p] {
			names = append(names, fmt.Sprintf("%s (pid %d)", sanitize(l.Name), l.PID))
		}
		where := string(byPort[p][0].Role)
		if c := byPort[p][0].Container; c != nil {
			where = identify.Describe(c)
		} else if proj := byPort[p][0].Project; proj != "" {
			where = prompt.TildePath(proj) + ", " + where
		}
		labels[i] = fmt.Sprintf(":%d  %s  %s", p, strings.Join(names, ", "), sanitize(where))
	}
	picked, err := prompt.New(g.In, g.Out).Pick("Free which ports? (Space to pick, Enter when done)", labels)
	if errors.Is(err, prompt.ErrInterrupted) {
		return nil, fail(Interrupted, "interrupted; nothing was terminated")
	}
	if errors.Is(err, prompt.ErrClosed) {
		return nil, fail(Held, "declined; nothing was terminated")
	}
	if err != nil {
		return nil, fmt.Errorf("asking on the terminal: %w", err)
	}
	held := map[int][]detect.Holder{}
	for _, i := range picked {
		for _, l := range byPort[ports[i]] {
			held[l.Port] = append(held[l.Port], l.Holder)
		}
	}
	return held, nil
}

// otherUserOf is how goos tells another user's holder: by UID, or on
// Windows, which has no UIDs (Geteuid is -1 and detect leaves UID unset),
// by the account detect read from the holder's token, compared with this
// process's. A holder whose account could not be read (a protected
// process, or every holder under Wine, whose socket table has no owning
// PIDs) is not called another user's: it is shown as not visible, never
// as "another user's ()".
func otherUserOf(goos string) func(detect.Holder) bool {
	if goos != "windows" {
		uid, _ := owner.Invoking()
		return func(h detect.Holder) bool { return h.UID != uid }
	}
	self := ""
	if u, err := user.Current(); err == nil {
		self = u.Username // DOMAIN\account, as detect names a holder's
	}
	return func(h detect.Holder) bool { return h.User != "" && self != "" && !strings.EqualFold(h.User, self) }
}
