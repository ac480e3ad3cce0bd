package terminate

import (
	"errors"
	"fmt"
	"time"
)

// errGone means the process is no longer the one portguard looked at: it
// exited, and its PID may already belong to an unrelated process.
var errGone = errors.New("process is gone")

// Proc is what termination needs to know of a process.
type Proc struct {
	PID, PPID, PGID, SID int
	Name                 string
	state                string
	start                uint64 // start time in the system's own unit: with the PID, it names one process
	tty                  int    // the controlling terminal's device number, 0 for none
}

func (p Proc) String() string { return fmt.Sprintf("%s (%d)", p.Name, p.PID) }

// pollInterval paces waiting for processes to exit and ports to clear.
var pollInterval = 10 * time.Millisecond
