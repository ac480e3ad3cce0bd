package wrap

// Claim is empty on Windows: the claims between portguards started
// together rest on POSIX record locks that pass across exec, and Windows
// has neither. Two portguards started at once for one port there behave
// as two started one after the other.
type Claim struct{}

// ClaimPorts claims nothing on Windows.
func ClaimPorts([]int, string, func(int) bool) (*Claim, error) { return &Claim{}, nil }

func (c *Claim) Add([]int, string) {}
func (c *Claim) KeepAcrossExec()   {}
func (c *Claim) Release()          {}
