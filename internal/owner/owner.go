// Package owner says whom portguard acts for, and which directories that
// user can trust.
package owner

import (
	"fmt"
	"os"
	"strconv"
)

// Invoking is the user portguard acts for: under sudo, the one who ran
// sudo (SUDO_UID); otherwise whoever runs it, root included (as in CI).
func Invoking() (uid int, who string) {
	euid := os.Geteuid()
	if euid == 0 {
		var n int
		if _, err := fmt.Sscan(os.Getenv("SUDO_UID"), &n); err == nil {
			name := os.Getenv("SUDO_USER")
			if name == "" {
				name = "uid " + strconv.Itoa(n)
			}
			return n, name + ", who ran sudo"
		}
	}
	return euid, "uid " + strconv.Itoa(euid)
}
