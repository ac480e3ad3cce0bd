package terminate

import "errors"

// errNoPoliteStop: the polite request could not be delivered (Windows'
// taskkill without /F finds no window to close on a console server), so
// waiting out the grace period would only delay the TerminateProcess that
// must follow. Execute then stops that process at once.
var errNoPoliteStop = errors.New("the polite request could not be delivered")

// taskkillResult reads the exit status of `taskkill /PID N` (without /F):
// 0 when WM_CLOSE was sent; 128 when no such process exists (gone by
// itself); anything else (1: "can only be terminated forcefully") means
// the request was not delivered.
func taskkillResult(code int) error {
	switch code {
	case 0:
		return nil
	case 128:
		return errGone
	}
	return errNoPoliteStop
}
