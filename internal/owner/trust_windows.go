package owner

// Trusted is true on Windows: its directories have ACLs, not a mode, and
// a user's profile is not shared the way /tmp is.
func Trusted(string) bool { return true }
