package winetest

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// StartListener starts the test binary again with the environment
// variable role set (the test's TestMain turns it into a listener), reads
// the port it prints on its first line, and returns the child with it and
// a channel closed when the child has exited. The test's cleanup ends the
// child, by its handle, if the test did not.
func StartListener(t testing.TB, role string) (*exec.Cmd, int, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), role)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	go func() { _ = cmd.Wait(); close(exited) }()
	port, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		t.Fatalf("the listener did not say its port: %q, %v", line, err)
	}
	return cmd, port, exited
}
