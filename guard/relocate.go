package guard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/infer"
)

// Relocation is the command changed to listen on free ports instead of
// held ones: the --next-free way out, which leaves the holders alone.
type Relocation struct {
	Command []string // the command with its KEY=VALUE prefixes
	Env     []string // variables to add to its environment
	Ports   []int    // the ports it will use instead
	said    []string // ":3001 (PORT=3001)", one per moved port
}

// Summary says where the command runs instead: ":3001 (PORT=3001)".
func (r *Relocation) Summary() string { return strings.Join(r.said, ", ") }

// maxSearch bounds how far past a held port the next free one is looked for.
const maxSearch = 100

// Relocate works out how to run command on the first free port after each
// held one, by changing what inference read the port from. It fails when
// inference cannot tell how to move the command (its port is fixed inside
// a script, or it was only named with -p).
func (g *Guard) Relocate(command []string, held map[int][]detect.Holder, inferred []infer.Port, ports []int) (*Relocation, error) {
	r := &Relocation{Command: command}
	for _, p := range sortedPorts(held) {
		i := slices.IndexFunc(inferred, func(q infer.Port) bool { return q.Port == p })
		if i < 0 {
			return nil, cannotMove(p, command, "portguard cannot tell where the command takes its port from")
		}
		to, err := g.nextFree(p, slices.Concat(ports, r.Ports))
		if err != nil {
			return nil, err
		}
		moved, env, what, ok := inferred[i].MoveTo(r.Command, to)
		if !ok {
			return nil, cannotMove(p, command, "its port is set where portguard cannot change it ("+inferred[i].Source+")")
		}
		r.Command, r.Env = moved, append(r.Env, env...)
		r.Ports = append(r.Ports, to)
		r.said = append(r.said, fmt.Sprintf(":%d (%s)", to, what))
	}
	return r, nil
}

func cannotMove(port int, command []string, why string) error {
	return fail(Held, fmt.Sprintf("cannot run %q on another port than :%d: %s; nothing was done", sanitize(strings.Join(command, " ")), port, sanitize(why)),
		"give the command its port yourself, or free :"+strconv.Itoa(port)+" (portguard free "+strconv.Itoa(port)+")")
}

// nextFree is the first port after p that nothing holds and the command
// does not already use.
func (g *Guard) nextFree(p int, taken []int) (int, error) {
	for q := p + 1; q <= min(p+maxSearch, 65535); q++ {
		if slices.Contains(taken, q) {
			continue
		}
		used, err := g.InUse(q)
		if err != nil {
			return 0, err
		}
		if !used {
			return q, nil
		}
	}
	return 0, fail(Held, fmt.Sprintf("no free port in the %d after :%d", maxSearch, p))
}
