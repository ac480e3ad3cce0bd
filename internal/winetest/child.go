package winetest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Listen is the listener StartListener starts, run from the test
// binary's TestMain when the role variable is set: it listens on a
// loopback port, prints the port, and waits to be ended. It never
// returns.
func Listen() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	time.Sleep(time.Minute) // the test ends it long before
	os.Exit(0)
}

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
