// Package guard decides what to do about held ports and does it: the
// pipeline detect → identify → plan → decide → ask → execute.
//
// The CLI parses its flags once into Options; nothing here reads flags,
// the environment or the terminal on its own. Output goes to the writer
// it is given, the prompt to the terminal it is given. The decision itself
// (Decide) is a pure function over the plan, what each holder is to the
// command, the project's settings and the options.
package guard

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/settings"
)

// Options are the flags that shape a run, parsed once by the CLI.
type Options struct {
	Protocol detect.Protocol
	// Yes terminates without asking; Force also allows system services
	// and, under sudo, other users' processes.
	Yes, Force bool
	// DryRun shows the plan and does nothing.
	DryRun bool
	// Quiet prints nothing when the ports are free.
	Quiet bool
	// Grace is the time between SIGTERM and SIGKILL.
	Grace time.Duration
	// NextFree leaves the holders alone and runs the command elsewhere.
	NextFree bool
}

// Guard carries what every step needs: the options, where to write, and
// the terminal to ask on (nil when there is none).
type Guard struct {
	Options
	// Err receives every notice, description and error: stderr.
	Err io.Writer
	// Terminal is the user's terminal when both stdin and stderr are
	// one; nil means nobody can be asked.
	In, Out *os.File
	// Color paints warnings.
	Color bool
}

// Interactive reports whether the user can be asked.
func (g *Guard) Interactive() bool { return g.In != nil && g.Out != nil }

// Kind says how a failure ends portguard; the CLI maps it to an exit code.
type Kind int

const (
	Failed       Kind = iota // 1
	Usage                    // 2
	Held                     // 75: nothing was done; try again once the port is free
	NoPermission             // 77
	Interrupted              // 130
	// Refused is Held where portguard itself will not touch the holder
	// (never, a process it must not signal, a watcher it leaves alone),
	// rather than the user declining: the hook runs the line anyway.
	Refused // 75
)

// Error is a failure that ends the run, with the hints that say what to
// do about it.
type Error struct {
	Kind  Kind
	Msg   string
	Hints []string
}

func (e *Error) Error() string { return e.Msg }

func fail(kind Kind, msg string, hints ...string) *Error {
	return &Error{Kind: kind, Msg: msg, Hints: hints}
}

// Notice prints an informational line.
func (g *Guard) Notice(format string, a ...any) {
	fmt.Fprintf(g.Err, "portguard: "+format+"\n", a...)
}

func (g *Guard) warn(msg string) {
	label := "warning:"
	if g.Color {
		label = "\x1b[33m" + label + "\x1b[0m"
	}
	fmt.Fprintf(g.Err, "portguard: %s %s\n", label, msg)
}

// Request is what Free is asked to free, and what happens afterwards.
type Request struct {
	Held map[int][]detect.Holder
	// Then names what runs afterwards ("run npm"), for the prompt; ""
	// for `portguard free`.
	Then string
	// CanRunAnyway offers to leave the holders alone and run regardless.
	CanRunAnyway bool
	// Elsewhere, when set, offers to run the command on free ports.
	Elsewhere *Relocation
	// Command, when set, is the command about to run, so that holders
	// can be recognised as earlier copies of it.
	Command *identify.Command
	// Project are the project's settings (never, replace_earlier).
	Project settings.Settings
	// Guesses are the held ports that are only a guess, with how each
	// was found: asked about with Abort the default, never acted on
	// without asking.
	Guesses map[int]string
}

// HoldersOf maps each held port to its holders; free ports are left out.
// Containers behind a forwarder are named through docker, in one call.
func (g *Guard) HoldersOf(ports []int) (map[int][]detect.Holder, error) {
	held, err := detect.HoldersOfPorts(g.protocol(), ports)
	if err != nil {
		return nil, fmt.Errorf("looking up who holds %s %s: %w", g.protocol(), portsNoun(ports), err)
	}
	var all []detect.Holder
	for _, p := range sortedPorts(held) {
		all = append(all, held[p]...)
	}
	if err := identify.Containers(all); err != nil {
		for _, h := range all {
			if identify.IsProxy(h) && h.Container == nil {
				g.Notice("%s holds :%d for a container, which docker could not name: %v", sanitize(h.Name), h.Port, err)
				break
			}
		}
	}
	// Containers named the copies in all; put them back by port.
	clear(held)
	for _, h := range all {
		held[h.Port] = append(held[h.Port], h)
	}
	return held, nil
}

// portsNoun is "port 3000", or "ports 3000, 3001".
func portsNoun(ports []int) string {
	if len(ports) == 1 {
		return fmt.Sprintf("port %d", ports[0])
	}
	var s []string
	for _, p := range ports {
		s = append(s, strconv.Itoa(p))
	}
	return "ports " + strings.Join(s, ", ")
}

// InUse reports whether port is held, without naming the holders: what
// polling needs.
func (g *Guard) InUse(port int) (bool, error) {
	used, err := detect.InUse(g.protocol(), port)
	if err != nil {
		return false, fmt.Errorf("looking at %s port %d: %w", g.protocol(), port, err)
	}
	return used, nil
}

func (g *Guard) protocol() detect.Protocol {
	if g.Protocol == "" {
		return detect.TCP
	}
	return g.Protocol
}
