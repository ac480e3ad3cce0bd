package main

// vtUsable decides whether escape sequences may be written to a console:
// always where it is no console (colorOn asks about terminals itself),
// and on a Windows console only once VT processing could be turned on.
func vtUsable(console bool, enableErr error) bool {
	return !console || enableErr == nil
}
