package guard

import (
	"fmt"
	"strings"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/terminate"
)

// Choice is what the user (or the flags) chose to do about held ports.
type Choice int

const (
	Terminate Choice = iota
	Abort
	RunAnyway
	Elsewhere // leave the holder alone, run on the next free port
	DryRun    // nothing was done: the plan was shown
	Details   // show the whole description, then ask again
)

// Offer is one answer the prompt offers.
type Offer struct {
	Key    rune
	Label  string
	Choice Choice
}

// Facts are what a decision is made from, all found before anything is
// shown.
type Facts struct {
	Held      map[int][]detect.Holder
	Plan      terminate.Plan
	Relations map[int]identify.Finding // by holder PID
	Project   settings.Settings
	// Tool is the program inference says will listen ("vite"), if known.
	Tool string
	// Cautions are what known holders are that terminating closes (an ssh
	// tunnel): said as warnings, with abort the default.
	Cautions []string
	// Guesses are the held ports inference only guessed, with how: not
	// enough to act on without asking (replace_earlier included), and
	// asked about with Abort the default.
	Guesses map[int]string
	// Then, CanRunAnyway and Elsewhere are the request's.
	Then         string
	CanRunAnyway bool
	Elsewhere    *Relocation
}

// Decision is what to do, before anything is done.
type Decision struct {
	// Refusal, when set, is why nothing may be terminated.
	Refusal *Error
	// Warnings are said before anything else; with any, "abort" is the
	// prompt's default.
	Warnings []string
	// Asides are said with the full description only: facts that change
	// no default (why no other port is offered).
	Asides []string
	// Proceed terminates without asking; Note says why when it is not
	// --yes (replace_earlier).
	Proceed bool
	Note    string
	// Offers are the prompt's answers, the default first; empty when
	// nobody is asked.
	Offers []Offer
}

// Decide turns the facts and the options into a decision: a pure
// function, so that every rule is a table test.
func Decide(f Facts, opt Options, interactive bool) Decision {
	var d Decision
	for _, p := range sortedPorts(f.Held) {
		for _, h := range f.Held[p] {
			if identify.IsProxy(h) && h.Container == nil {
				// Terminating docker-proxy would break the container's
				// networking and free nothing for long.
				d.Refusal = fail(Refused, fmt.Sprintf(":%d is forwarded by %s (pid %d) for a container that docker could not name; nothing was terminated", p, sanitize(h.Name), h.PID),
					fmt.Sprintf("stop the container yourself: docker ps --filter publish=%d", p))
				return d
			}
		}
	}
	// A system service, or under sudo another user's process: asked
	// about in plain words, with "abort" the default; refused when
	// nobody can be asked.
	for _, t := range f.Plan.Targets {
		if t.NeedsForce == "" {
			continue
		}
		if interactive && !opt.Yes {
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s, for :%d: %s", sanitize(t.String()), t.Ports[0], t.NeedsForce))
			continue
		}
		d.Refusal = fail(NoPermission, fmt.Sprintf("not terminating %s, which holds :%d: %s", sanitize(t.String()), t.Ports[0], t.NeedsForce),
			fmt.Sprintf("to terminate it anyway: portguard free --yes --force %d", t.Ports[0]))
		return d
	}
	d.Warnings = append(d.Warnings, f.Cautions...)
	for _, p := range sortedPorts(f.Held) {
		if how, ok := f.Guesses[p]; ok {
			d.Warnings = append(d.Warnings, fmt.Sprintf(":%d is only a guess (%s)", p, sanitize(how)))
		}
	}
	for _, p := range sortedPorts(f.Held) {
		for _, h := range f.Held[p] {
			if r := f.Relations[h.PID]; r.Relation == identify.OtherProject {
				d.Warnings = append(d.Warnings, fmt.Sprintf("%s (pid %d) on :%d is another project's: it runs in %s", sanitize(h.Name), h.PID, p, sanitize(r.Where)))
			}
		}
	}
	switch {
	case opt.Yes:
		d.Proceed = true
		return d
	case f.Project.ReplaceEarlier && allEarlier(f.Held, f.Relations) && len(d.Warnings) == 0:
		d.Proceed = true
		d.Note = fmt.Sprintf("replacing the earlier copy without asking (replace_earlier in %s)", sanitize(f.Project.File))
		return d
	case !interactive:
		d.Refusal = fail(Held, HeldSentence(f.Held)+"; nothing was terminated",
			"run again with --yes (or PORTGUARD_YES=1) to terminate it without asking",
			"or free it first: portguard free "+PortList(f.Held))
		return d
	}
	label := stopLabel(f.Plan, f.Relations)
	if f.Then != "" {
		label += " and " + f.Then
	}
	d.Offers = []Offer{
		{Key: 'y', Label: label, Choice: Terminate},
		{Key: 'n', Label: "Abort, leave it running", Choice: Abort},
	}
	if len(d.Warnings) > 0 {
		d.Offers[0], d.Offers[1] = d.Offers[1], d.Offers[0]
	}
	if f.Elsewhere != nil {
		if why := secondCopyRefused(f); why != "" {
			d.Asides = append(d.Asides, "not offering another port: "+why)
		} else {
			d.Offers = append(d.Offers, Offer{Key: 'f', Label: "Leave it, run on " + f.Elsewhere.Summary(), Choice: Elsewhere})
		}
	}
	if f.CanRunAnyway {
		d.Offers = append(d.Offers, Offer{Key: 'r', Label: "Run anyway, beside it (the command may fail to bind, or pick another port)", Choice: RunAnyway})
	}
	return d
}

// oneDevServerPerProject are the dev servers that refuse to start while
// another of theirs runs in the same project, whatever its port: running
// the command on the next free port beside an earlier copy would fail.
var oneDevServerPerProject = map[string]string{
	// Seen with Vite 8: "Found another Vite dev process" (the real-tools
	// tier, realtools_test.go).
	"vite": "Vite does not start a second dev server in the same project",
	// Next 16: "Another next dev server is already running".
	"next": "Next.js does not start a second dev server in the same project",
}

// secondCopyRefused says why running elsewhere cannot work: a holder is an
// earlier copy of a dev server that allows one per project. "" when it can.
func secondCopyRefused(f Facts) string {
	why, ok := oneDevServerPerProject[f.Tool]
	if !ok {
		return ""
	}
	for _, r := range f.Relations {
		if r.Relation == identify.EarlierCopy {
			return why + "; stop the earlier copy instead"
		}
	}
	return ""
}

// allEarlier reports whether every holder is an earlier copy.
func allEarlier(held map[int][]detect.Holder, rel map[int]identify.Finding) bool {
	for _, hs := range held {
		for _, h := range hs {
			if rel[h.PID].Relation != identify.EarlierCopy {
				return false
			}
		}
	}
	return true
}

// stopLabel names what "yes" does: "Terminate node (pid 4242)",
// "Terminate the earlier copy, node (pid 4242)", "Terminate the 3
// processes listed", "Stop container shop-db-1 (docker stop)", or both
// kinds joined.
func stopLabel(plan terminate.Plan, rel map[int]identify.Finding) string {
	var parts []string
	if len(plan.Containers) > 0 {
		var names []string
		for _, c := range plan.Containers {
			names = append(names, "container "+sanitize(c.Name)+" (docker stop)")
		}
		parts = append(parts, "Stop "+strings.Join(names, ", "))
	}
	verb := "Terminate "
	if len(parts) > 0 {
		verb = "terminate "
	}
	holders := plan.Holders()
	var what string
	switch {
	case len(holders) == 0:
	case len(holders) == 1 && rel[holders[0].PID].Relation == identify.EarlierCopy && len(parts) == 0:
		what = "the earlier copy, " + sanitize(holders[0].String())
	case len(holders) <= 2:
		var names []string
		for _, h := range holders {
			names = append(names, sanitize(h.String()))
		}
		what = strings.Join(names, ", ")
	default:
		what = count(len(holders), "holder", "holders")
	}
	switch ls := plan.Launchers(); {
	case len(ls) == 1 && what != "":
		what += ", with its launcher " + sanitize(ls[0].String())
	case len(ls) > 1 && what != "":
		what += fmt.Sprintf(", with the %d launchers listed", len(ls))
	}
	if what != "" {
		parts = append(parts, verb+what)
	}
	return strings.Join(parts, " and ")
}
