//go:build !windows

package winetest

// Wine says whether the tests run under Wine, and its version: never,
// outside Windows.
func Wine() (version string, ok bool) { return "", false }
