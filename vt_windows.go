package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// enableVT turns on VT processing for the console portguard writes to, so
// that colours and survey's menu show as colours, not as raw escape codes.
// A legacy console that refuses it gets no colour at all (NO_COLOR, which
// survey and paint both follow).
func enableVT() {
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		h := windows.Handle(f.Fd())
		var mode uint32
		if windows.GetConsoleMode(h, &mode) != nil {
			continue // not a console: a pipe or a file, nothing to do
		}
		err := windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING)
		if !vtUsable(true, err) {
			os.Setenv("NO_COLOR", "1")
		}
	}
}
