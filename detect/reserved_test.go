package detect

import (
	"errors"
	"strings"
	"syscall"
	"testing"
)

// A port in Windows' excluded ranges (bind fails with WSAEACCES although
// no socket table has a row for it) is reported as reserved, with the
// command that lists the ranges; any other bind error is not. The errno
// is Windows' own number; the decision runs on every system.
func TestReservedAfterProbe(t *testing.T) {
	err := reservedAfterProbe(TCP, 3000, nil, syscall.Errno(10013))
	var reserved *ReservedError
	if !errors.As(err, &reserved) || reserved.Port != 3000 {
		t.Fatalf("WSAEACCES on the IPv6 bind: %v, want a ReservedError for :3000", err)
	}
	for _, want := range []string{":3000 is reserved by Windows", "netsh int ipv4 show excludedportrange protocol=tcp"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if err := reservedAfterProbe(TCP, 3000, nil, nil); err != nil {
		t.Errorf("both binds succeeded: %v, want nil", err)
	}
	if err := reservedAfterProbe(UDP, 3000, syscall.Errno(10048)); err != nil { // WSAEADDRINUSE: held, not reserved
		t.Errorf("WSAEADDRINUSE: %v, want nil", err)
	}
}
