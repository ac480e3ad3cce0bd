//go:build linux

// Command reference is the floor the free path is measured against: one
// bind probe on the port, then exec of the command. portguard cannot be
// faster than this; the benchmark reports how close it comes.
//
//	reference PORT COMMAND [ARG...]
//
// It starts as portguard does (main.go's go:debug settings, and its heap
// on a huge page: internal/hugeheap), so that the ratio measures
// portguard's work and libraries, not how either starts.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	_ "github.com/portguard/portguard/internal/hugeheap"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: reference PORT COMMAND [ARG...]")
		os.Exit(2)
	}
	port, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err == nil {
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
		err = syscall.Bind(fd, &syscall.SockaddrInet6{Port: port})
		syscall.Close(fd)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "port %d is held\n", port)
		os.Exit(75)
	}
	path, err := exec.LookPath(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(127)
	}
	err = syscall.Exec(path, os.Args[2:], os.Environ())
	fmt.Fprintln(os.Stderr, err)
	os.Exit(126)
}
