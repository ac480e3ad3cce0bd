package terminate

import "errors"

// errNoPoliteStop: the polite request could not be delivered (Windows'
// taskkill without /F finds no window to close on a console server), so
// waiting out the grace period would only delay the TerminateProcess that
// must follow. Execute then stops that process at once.
var errNoPoliteStop = errors.New("the polite request could not be delivered")

// taskkillResult reads the exit status of `taskkill /PID N` (without /F):
// 0 when WM_CLOSE was sent; anything else (1: "can only be terminated
// forcefully") means the request was not delivered. 128 is taskkill's "no
// such process", which means gone by itself only when the handle
// portguard holds says so too (exited): Wine's taskkill says it of every
// process without a window, alive or not, and taking its word would leave
// the holder running, reported as exited by itself.
func taskkillResult(code int, exited bool) error {
	switch {
	case code == 0:
		return nil
	case code == 128 && exited:
		return errGone
	}
	return errNoPoliteStop
}
