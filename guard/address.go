package guard

import (
	"net/netip"

	"github.com/portguard/portguard/detect"
)

// Conflicting keeps, of each port's holders, those whose socket the
// command's bind would collide with. hosts names, by port, the IP address
// the command binds where inference read one; a port without one collides
// with every holder. The holders left out are returned as well, for a
// notice: they can go on listening beside the command.
func Conflicting(held map[int][]detect.Holder, hosts map[int]string) (conflicting, beside map[int][]detect.Holder) {
	conflicting, beside = map[int][]detect.Holder{}, map[int][]detect.Holder{}
	for port, hs := range held {
		for _, h := range hs {
			if coexist(hosts[port], h.Addr) {
				beside[port] = append(beside[port], h)
			} else {
				conflicting[port] = append(conflicting[port], h)
			}
		}
	}
	return conflicting, beside
}

// coexist reports whether a server binding host (an IP address, "" for
// unknown) and a socket bound at holderAddr ("127.0.0.1:3000",
// "[::]:3000") can both hold the port: two specific, different addresses,
// or addresses of two families where neither is a wildcard. A wildcard
// takes the port on every address of its family, and the IPv6 wildcard
// on IPv4's too (dual-stack, Linux's and macOS's default), so anything
// unknown or wild is a conflict.
func coexist(host, holderAddr string) bool {
	if host == "" {
		return false
	}
	mine, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ap, err := netip.ParseAddrPort(holderAddr)
	if err != nil {
		return false
	}
	theirs := ap.Addr().Unmap()
	mine = mine.Unmap()
	if mine.IsUnspecified() || theirs.IsUnspecified() {
		return false
	}
	return mine != theirs
}
