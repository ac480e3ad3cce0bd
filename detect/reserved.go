package detect

import (
	"errors"
	"fmt"
	"syscall"
)

// On Windows, Hyper-V, WSL2 and Docker Desktop reserve ranges of ports
// (WinNAT's excluded port ranges, which often cover 3000 or 5000). No
// process holds such a port, so the socket tables have no row for it, but
// every bind fails with WSAEACCES. portguard says so rather than calling
// the port free and letting the command fail to bind.

// wsaeacces is WSAEACCES (winerror.h), the bind error of a reserved port.
const wsaeacces = syscall.Errno(10013)

// ReservedError is a port that nothing holds but the system will not let
// any program bind.
type ReservedError struct {
	Port     int
	Protocol Protocol
}

func (e *ReservedError) Error() string {
	return fmt.Sprintf(":%d is reserved by Windows (an excluded port range of Hyper-V, WSL2 or Docker Desktop): nothing holds it, and no program may bind it; "+
		"`netsh int ipv4 show excludedportrange protocol=%s` lists the ranges", e.Port, e.Protocol)
}

// reservedAfterProbe decides what the exclusive bind probe of a port with
// no row in the socket tables means: reserved when a bind was refused with
// WSAEACCES, otherwise nothing (free, or a holder the next look finds).
func reservedAfterProbe(proto Protocol, port int, bindErrs ...error) error {
	for _, err := range bindErrs {
		if errors.Is(err, wsaeacces) {
			return &ReservedError{Port: port, Protocol: proto}
		}
	}
	return nil
}
