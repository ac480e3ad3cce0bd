package terminate

import (
	"errors"
	"testing"
)

// taskkill's exit status decides whether the grace period is worth
// waiting: only a delivered WM_CLOSE may make a process exit by itself.
func TestTaskkillResult(t *testing.T) {
	tests := []struct {
		code int
		want error
	}{
		{0, nil},               // SUCCESS: sent termination signal
		{128, errGone},         // ERROR: the process was not found
		{1, errNoPoliteStop},   // ERROR: can only be terminated forcefully (with /F)
		{255, errNoPoliteStop}, // anything else: not delivered either
	}
	for _, tt := range tests {
		if got := taskkillResult(tt.code); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("taskkill exit %d: %v, want %v", tt.code, got, tt.want)
		}
	}
}
