//go:build unix

package prompt

import (
	"bytes"
	"os"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// answersCursorQuery writes ESC[6n to out and waits up to timeout for the
// terminal's "ESC[row;colR" on in, with in in raw mode so the answer is not
// echoed. Input the user typed meanwhile, and a late answer, are flushed so
// they do not leak into the prompt that follows.
func answersCursorQuery(in, out *os.File, timeout time.Duration) bool {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return false
	}
	defer func() {
		flushInput(fd)
		_ = term.Restore(fd, old)
	}()
	if _, err := out.WriteString("\x1b[6n"); err != nil {
		return false
	}
	deadline := time.Now().Add(timeout)
	var got []byte
	buf := make([]byte, 64)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return false
		}
		r, err := unix.Read(fd, buf)
		if err != nil || r == 0 {
			return false
		}
		got = append(got, buf[:r]...)
		if i := bytes.Index(got, []byte("\x1b[")); i >= 0 && bytes.IndexByte(got[i:], 'R') > 0 {
			return true
		}
	}
}
