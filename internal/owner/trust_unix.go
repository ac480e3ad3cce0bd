//go:build unix

package owner

import "golang.org/x/sys/unix"

// Trusted reports whether the files in dir can be taken as the user's
// own, the way git's safe.directory decides: dir belongs to the user
// portguard acts for (or to root), and not everyone may write to it. A
// shared sticky directory such as /tmp is never trusted, whoever owns it:
// anyone could have put a .portguard.toml or a package.json there.
func Trusted(dir string) bool {
	var st unix.Stat_t
	if unix.Stat(dir, &st) != nil {
		return false
	}
	uid, _ := Invoking()
	return (int(st.Uid) == uid || st.Uid == 0) && st.Mode&0o002 == 0
}
