package terminate

import (
	"errors"
	"testing"
)

// taskkill's exit status decides whether the grace period is worth
// waiting: only a delivered WM_CLOSE may make a process exit by itself.
func TestTaskkillResult(t *testing.T) {
	tests := []struct {
		code   int
		exited bool
		want   error
	}{
		{0, false, nil},               // SUCCESS: sent termination signal
		{128, true, errGone},          // ERROR: the process was not found, and it has exited
		{128, false, errNoPoliteStop}, // "not found" of a live process (Wine's taskkill, no window)
		{1, false, errNoPoliteStop},   // ERROR: can only be terminated forcefully (with /F)
		{255, false, errNoPoliteStop}, // anything else: not delivered either
	}
	for _, tt := range tests {
		if got := taskkillResult(tt.code, tt.exited); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("taskkill exit %d (exited %v): %v, want %v", tt.code, tt.exited, got, tt.want)
		}
	}
}
