package proc

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// The zombie-leader child of TestSocketsOfAZombieLeader: the main
// goroutine keeps the first thread (locked from init, before main), opens
// a listener, prints its inode, and ends that thread alone (exit, not
// exit_group); a goroutine on another thread keeps the process alive
// until the test kills it.
func init() {
	if os.Getenv("PROC_TEST_ZOMBIE_LEADER") == "1" {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if os.Getenv("PROC_TEST_ZOMBIE_LEADER") != "1" {
		os.Exit(m.Run())
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		os.Exit(3)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		os.Exit(3)
	}
	var st syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &st) != nil {
		os.Exit(3)
	}
	go func() {
		for {
			time.Sleep(time.Hour)
		}
	}()
	fmt.Println(st.Ino)
	syscall.RawSyscall(syscall.SYS_EXIT, 0, 0, 0)
}
