package terminate

// eprocSessionLeader is EPROC_SLEADER in XNU's sys/proc.h: kinfo_proc's
// e_flag bit for a session leader. macOS's sysctl gives no session ID, so
// this bit is what the session-leader guard (sessionLeaderOnTTY) reads
// there.
const eprocSessionLeader = 0x02

// darwinSID is the session ID portguard can know on macOS: the PID itself
// for a session leader, and -1 (never equal to a PID) for anyone else.
func darwinSID(pid int, eflag int32) int {
	if eflag&eprocSessionLeader != 0 {
		return pid
	}
	return -1
}
