//go:build !linux

package detect

// lookupPorts is lookup for each port of a set: where listing a port's
// holders is a call to lsof or to the system's table, one per port.
func lookupPorts(proto Protocol, ports map[int]bool) ([]Holder, error) {
	var out []Holder
	for p := range ports {
		hs, err := HoldersOf(proto, p)
		if err != nil {
			return nil, err
		}
		out = append(out, hs...)
	}
	return out, nil
}
