//go:build !windows

package main

// enableVT: terminals elsewhere read VT sequences already.
func enableVT() {}
