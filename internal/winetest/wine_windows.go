package winetest

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// Wine says whether the tests run under Wine, and its version. Wine's
// ntdll exports wine_get_version, which no Windows ntdll has: asking the
// system itself, rather than reading a variable the runner sets, keeps a
// test from skipping on a real Windows machine.
func Wine() (version string, ok bool) {
	proc := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if proc.Find() != nil {
		return "", false
	}
	r, _, _ := proc.Call()
	if r == 0 {
		return "", true
	}
	// r points into ntdll's constant data, which is never freed or moved:
	// read it as a pointer without going through a uintptr conversion.
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r))), true
}
