package wrap

import (
	"fmt"
	"strconv"
	"time"
)

// ClaimedError: another portguard claimed the port moments ago for the
// command it is starting.
type ClaimedError struct {
	Port    int
	PID     int
	Since   time.Duration
	Command string
}

func (e *ClaimedError) Error() string {
	what := "its command"
	if e.Command != "" {
		what = strconv.Quote(e.Command)
	}
	return fmt.Sprintf(":%d was claimed %s ago by another portguard starting %s (pid %d); not terminating it",
		e.Port, e.Since.Truncate(100*time.Millisecond), what, e.PID)
}

// StartUp is how long after its claim a portguard's command counts as
// starting even when the port is already held: two portguards started
// together (make -j) see each other's claims well within it.
const StartUp = time.Second

// Starting reports whether the claimant is still starting its command,
// so that this portguard must leave the port alone: it claimed under
// StartUp ago, or under FreshClaim ago while nothing listens on the port
// yet. Once the claimant's command listens, it is a holder like any other
// (an earlier copy to replace, with a prompt or --yes): a restart a few
// seconds later is not refused.
func (e *ClaimedError) Starting(listening bool) bool {
	return e.Since < StartUp || (!listening && e.Since < FreshClaim)
}

// FreshClaim is how long a claim whose command does not listen yet counts
// as starting: within it a second portguard leaves the first one's
// command alone. An older claim is a copy left running, which portguard
// may terminate as any other holder.
const FreshClaim = 10 * time.Second

// UnusableError says why claims are off.
type UnusableError struct{ Reason string }

func (e *UnusableError) Error() string {
	return "claims between portguards started together are off: " + e.Reason
}
