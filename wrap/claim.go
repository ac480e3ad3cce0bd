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
		e.Port, e.Since.Round(100*time.Millisecond), what, e.PID)
}

// FreshClaim is how long a claim counts as "started together": within it a
// second portguard leaves the first one's command alone. An older claim is
// a copy left running, which portguard may terminate as any other holder.
const FreshClaim = 10 * time.Second
