package main

import (
	"errors"
	"testing"
)

// A legacy Windows console that refuses VT processing gets no colour; the
// decision runs everywhere, the console calls only on Windows.
func TestVTUsable(t *testing.T) {
	if !vtUsable(false, errors.New("not a console")) || !vtUsable(true, nil) || vtUsable(true, errors.New("The parameter is incorrect.")) {
		t.Error("vtUsable: want colour off only for a console that refused VT processing")
	}
}
