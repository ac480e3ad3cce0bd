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
	// Started is when it started; with the PID it names one process.
	Started time.Time
	// UID, User, Cmdline and Cwd are filled in for the processes a plan
	// names; UID is -1 when it could not be read.
	UID  int
	User string
	// Owner is the owner's security identifier where the system names
	// owners so (Windows: the token's user SID, "S-1-5-21-…"); "" where
	// owners are UIDs, or where the token could not be read.
	Owner   string
	Cmdline []string
	Cwd     string

	// signalUIDs are the IDs kill(2) matches a sender against (real and
	// saved), where the system has them; empty where it does not, and UID
	// is the owner.
	signalUIDs []int

	state string
	start uint64 // start time in the system's own unit, for the identity check
	tty   int    // the controlling terminal's device number, 0 for none
}

func (p Proc) String() string { return fmt.Sprintf("%s (pid %d)", p.Name, p.PID) }

// pollInterval paces waiting for ports to clear, and for processes to exit
// where the system gives no handle to wait on.
var pollInterval = 10 * time.Millisecond
