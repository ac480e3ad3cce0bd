package terminate

import "testing"

// macOS's session leaders (a login shell on a terminal) are known from
// e_flag alone, and then meet the same guard as on Linux.
func TestDarwinSessionLeader(t *testing.T) {
	tests := []struct {
		eflag  int32
		tty    int
		leader bool
	}{
		{eprocSessionLeader, 0x1000003, true},        // a login shell on ttys003
		{eprocSessionLeader | 0x01, 0x1000003, true}, // with EPROC_CTTY too
		{0x01, 0x1000003, false},                     // a job on the terminal, not its leader
		{eprocSessionLeader, 0, false},               // a daemon leading a session without a terminal
	}
	for _, tt := range tests {
		p := Proc{PID: 500, SID: darwinSID(500, tt.eflag), tty: tt.tty}
		if got := p.sessionLeaderOnTTY(); got != tt.leader {
			t.Errorf("e_flag %#x, tty %#x: session leader on a terminal = %v, want %v", tt.eflag, tt.tty, got, tt.leader)
		}
	}
}
