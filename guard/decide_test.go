package guard

import (
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/settings"
	"github.com/portguard/portguard/terminate"
)

func TestDecide(t *testing.T) {
	node := detect.Holder{Port: 3000, PID: 42, Name: "node"}
	held := map[int][]detect.Holder{3000: {node}}
	holderTarget := terminate.Target{Proc: terminate.Proc{PID: 42, Name: "node"}, Role: terminate.RoleHolder, Ports: []int{3000}}
	launcher := terminate.Target{Proc: terminate.Proc{PID: 41, Name: "npm run dev"}, Role: terminate.RoleLauncher, Ports: []int{3000}, For: []int{42}}
	plain := terminate.Plan{Targets: []terminate.Target{holderTarget}}
	service := holderTarget
	service.NeedsForce = "it is the system service sshd"
	earlier := map[int]identify.Finding{42: {Relation: identify.EarlierCopy, Command: "npm run dev", Where: "."}}
	other := map[int]identify.Finding{42: {Relation: identify.OtherProject, Where: "~/blog"}}
	replace := settings.Settings{ReplaceEarlier: true, File: "/p/.portguard.toml"}
	proxy := detect.Holder{Port: 5432, PID: 7, Name: "docker-proxy"}
	guess := map[int]string{3000: `PORT=3000 set on the command line of "./run.sh" (a guess: nothing says it listens)`}

	tests := []struct {
		name        string
		facts       Facts
		opt         Options
		interactive bool
		refusal     Kind // -1: none
		refusalHas  string
		proceed     bool
		offers      []Choice
		warning     string
	}{
		{name: "--yes terminates without asking",
			facts: Facts{Held: held, Plan: plain}, opt: Options{Yes: true}, refusal: -1, proceed: true},
		{name: "no terminal and no --yes: exit 75, nothing terminated",
			facts: Facts{Held: held, Plan: plain}, refusal: Held, refusalHas: "nothing was terminated"},
		{name: "at a terminal: terminate is the default",
			facts: Facts{Held: held, Plan: plain, CanRunAnyway: true, Elsewhere: &Relocation{}}, interactive: true, refusal: -1,
			offers: []Choice{Terminate, Abort, Elsewhere, RunAnyway}},
		{name: "a system service at a terminal: a warning, and abort is the default",
			facts: Facts{Held: held, Plan: terminate.Plan{Targets: []terminate.Target{service}}}, interactive: true, refusal: -1,
			offers: []Choice{Abort, Terminate}, warning: "system service sshd"},
		{name: "a system service with --yes and no --force: exit 77",
			facts: Facts{Held: held, Plan: terminate.Plan{Targets: []terminate.Target{service}}}, opt: Options{Yes: true}, interactive: true,
			refusal: NoPermission, refusalHas: "system service sshd"},
		{name: "another project's server: a warning, abort the default",
			facts: Facts{Held: held, Plan: plain, Relations: other}, interactive: true, refusal: -1,
			offers: []Choice{Abort, Terminate}, warning: "another project's: it runs in ~/blog"},
		{name: "another project's server without a terminal: the warning is said too",
			facts: Facts{Held: held, Plan: plain, Relations: other}, refusal: Held, warning: "another project's"},
		{name: "replace_earlier replaces an earlier copy without asking",
			facts: Facts{Held: held, Plan: plain, Relations: earlier, Project: replace}, refusal: -1, proceed: true},
		{name: "replace_earlier does not cover a holder that is no earlier copy",
			facts: Facts{Held: held, Plan: plain, Project: replace}, interactive: true, refusal: -1, offers: []Choice{Terminate, Abort}},
		{name: "a forwarder whose container docker could not name is refused, even with --yes",
			facts: Facts{Held: map[int][]detect.Holder{5432: {proxy}}}, opt: Options{Yes: true}, refusal: Refused, refusalHas: "docker could not name"},
		{name: "a guessed port at a terminal: said, and abort is the default",
			facts: Facts{Held: held, Plan: plain, Guesses: guess}, interactive: true, refusal: -1,
			offers: []Choice{Abort, Terminate}, warning: ":3000 is only a guess (PORT=3000 set on the command line"},
		{name: "replace_earlier does not act on a guessed port",
			facts: Facts{Held: held, Plan: plain, Relations: earlier, Project: replace, Guesses: guess}, interactive: true, refusal: -1,
			offers: []Choice{Abort, Terminate}, warning: "only a guess"},
		{name: "replace_earlier on a guessed port without a terminal: nothing terminated",
			facts: Facts{Held: held, Plan: plain, Relations: earlier, Project: replace, Guesses: guess}, refusal: Held, warning: "only a guess"},
		{name: "the launchers are in the label",
			facts:       Facts{Held: held, Plan: terminate.Plan{Targets: []terminate.Target{launcher, holderTarget}}, Relations: earlier, Then: "run npm"},
			interactive: true, refusal: -1, offers: []Choice{Terminate, Abort}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.facts, tt.opt, tt.interactive)
			switch {
			case tt.refusal < 0 && d.Refusal != nil:
				t.Fatalf("refused: %v", d.Refusal)
			case tt.refusal >= 0 && (d.Refusal == nil || d.Refusal.Kind != tt.refusal):
				t.Fatalf("refusal = %+v, want kind %d", d.Refusal, tt.refusal)
			case tt.refusalHas != "" && !strings.Contains(d.Refusal.Msg, tt.refusalHas):
				t.Fatalf("refusal %q lacks %q", d.Refusal.Msg, tt.refusalHas)
			}
			if d.Proceed != tt.proceed {
				t.Errorf("proceed = %v, want %v", d.Proceed, tt.proceed)
			}
			var got []Choice
			for _, o := range d.Offers {
				got = append(got, o.Choice)
			}
			if !slices.Equal(got, tt.offers) {
				t.Errorf("offers = %v, want %v", got, tt.offers)
			}
			if tt.warning != "" && !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, tt.warning) }) {
				t.Errorf("warnings = %q, want one with %q", d.Warnings, tt.warning)
			}
			if tt.warning == "" && len(d.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", d.Warnings)
			}
		})
	}
}

func TestStopLabel(t *testing.T) {
	holder := terminate.Target{Proc: terminate.Proc{PID: 42, Name: "node"}, Role: terminate.RoleHolder}
	launcher := terminate.Target{Proc: terminate.Proc{PID: 41, Name: "npm run dev"}, Role: terminate.RoleLauncher}
	sh := terminate.Target{Proc: terminate.Proc{PID: 40, Name: "sh"}, Role: terminate.RoleLauncher}
	evil := terminate.Target{Proc: terminate.Proc{PID: 43, Name: "x\x1b]0;pwned\x07"}, Role: terminate.RoleHolder}
	earlier := map[int]identify.Finding{42: {Relation: identify.EarlierCopy}}
	tests := []struct {
		plan terminate.Plan
		rel  map[int]identify.Finding
		want string
	}{
		{terminate.Plan{Targets: []terminate.Target{holder}}, nil, "Terminate node (pid 42)"},
		{terminate.Plan{Targets: []terminate.Target{holder}}, earlier, "Terminate the earlier copy, node (pid 42)"},
		{terminate.Plan{Targets: []terminate.Target{launcher, holder}}, earlier, "Terminate the earlier copy, node (pid 42), with its launcher npm run dev (pid 41)"},
		{terminate.Plan{Targets: []terminate.Target{sh, launcher, holder}}, nil, "Terminate node (pid 42), with the 2 launchers listed"},
		{terminate.Plan{Containers: []detect.Container{{Name: "shop-db-1"}}}, nil, "Stop container shop-db-1 (docker stop)"},
		{terminate.Plan{Targets: []terminate.Target{holder}, Containers: []detect.Container{{Name: "db"}}}, nil, "Stop container db (docker stop) and terminate node (pid 42)"},
		{terminate.Plan{Targets: []terminate.Target{evil}}, nil, `Terminate x\x1b]0;pwned\x07 (pid 43)`},
	}
	for _, tt := range tests {
		if got := stopLabel(tt.plan, tt.rel); got != tt.want {
			t.Errorf("stopLabel = %q, want %q", got, tt.want)
		}
	}
}

func TestListNames(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"node (pid 1)"}, "node (pid 1)"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
		{[]string{"a", "b", "c", "d", "e"}, "a, b, c and 2 more"},
	} {
		if got := listNames(c.names, 3); got != c.want {
			t.Errorf("listNames(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}

func TestResultLines(t *testing.T) {
	holder := terminate.Result{PID: 42, Name: "node", Role: terminate.RoleHolder, Signal: syscall.SIGTERM, Elapsed: 120 * time.Millisecond}
	sh := terminate.Result{PID: 41, Name: "sh", Role: terminate.RoleLauncher, Signal: syscall.SIGTERM, Elapsed: 30 * time.Millisecond}
	npm := terminate.Result{PID: 40, Name: "npm run dev", Role: terminate.RoleLauncher, Signal: syscall.SIGTERM, Elapsed: 10 * time.Millisecond}
	stubborn := terminate.Result{PID: 43, Name: "java", Role: terminate.RoleHolder, Signal: syscall.SIGKILL, Elapsed: 5 * time.Second}
	gone := terminate.Result{PID: 44, Name: "ruby", Role: terminate.RoleHolder, Skipped: "exited by itself"}
	var workers []terminate.Result
	for pid := 100; pid < 106; pid++ {
		workers = append(workers, terminate.Result{PID: pid, Name: "sleep", Role: terminate.RoleHolder, Signal: syscall.SIGTERM, Elapsed: 40 * time.Millisecond})
	}
	tests := []struct {
		results []terminate.Result
		want    []string
	}{
		{[]terminate.Result{holder}, []string{"terminated node (pid 42) with SIGTERM after 120ms"}},
		{[]terminate.Result{npm, sh, holder}, []string{"terminated node (pid 42), npm run dev (pid 40) and sh (pid 41) with SIGTERM after 120ms"}},
		{[]terminate.Result{holder, stubborn, gone}, []string{
			"terminated node (pid 42) with SIGTERM after 120ms",
			"terminated java (pid 43) with SIGKILL after 5s",
			"ruby (pid 44) exited by itself",
		}},
		{workers, []string{"terminated sleep (pid 100), sleep (pid 101), sleep (pid 102) and 3 more processes with SIGTERM after 40ms"}},
	}
	for _, tt := range tests {
		if got := resultLines(tt.results); !slices.Equal(got, tt.want) {
			t.Errorf("resultLines = %q, want %q", got, tt.want)
		}
	}
}
