package hugeheap

import (
	"syscall"
	"unsafe"
)

const (
	// hugePage is the size of a PMD-mapped huge page where pages are
	// 4 KiB (amd64, and arm64 as most distributions build it).
	hugePage = 2 << 20
	// hugeOrder is its order in /proc/buddyinfo: 2^9 pages of 4 KiB.
	hugeOrder = 9
	// ahead is how much heap a run touches after initialisation, at most
	// (a held port, with /proc scanned): the huge pages cover it.
	ahead = 1 << 20

	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE, Linux 6.1
)

// frontier is a fresh large allocation: Go's page allocator hands out the
// lowest free pages, so it lies where the heap grows next.
var frontier []byte

// asked records what init asked of the kernel, for the tests: the first
// huge page's address (0 when nothing was asked) and MADV_COLLAPSE's
// answer.
var asked struct {
	at       uintptr
	collapse syscall.Errno
}

func init() {
	if syscall.Getpagesize() != 4096 || !hugePageFree(readBuddyinfo()) {
		return
	}
	frontier = make([]byte, 64<<10)
	at := uintptr(unsafe.Pointer(&frontier[0]))
	frontier = nil
	first := at &^ (hugePage - 1)
	end := (at + ahead + hugePage - 1) &^ (hugePage - 1)
	// Where the heap is still untouched, the first fault takes a huge
	// page; where the runtime has touched it already (the region the
	// frontier is in), the touched pages are collapsed into one.
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, first, end-first, madvHugepage)
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, first, hugePage, madvCollapse)
	asked.at, asked.collapse = first, errno
}

// readBuddyinfo reads /proc/buddyinfo with syscall alone (os would make
// this package initialise later), nil on any failure.
func readBuddyinfo() []byte {
	fd, err := syscall.Open("/proc/buddyinfo", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	buf := make([]byte, 4096)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return buf[:n]
}

// hugePageFree reports whether /proc/buddyinfo shows a free block of a
// huge page or larger in a zone that serves user memory (any but DMA), so
// that the kernel can hand one out without reclaim or compaction. A line
// is "Node 0, zone   Normal  c0 c1 … c10": the free blocks of each order.
func hugePageFree(buddyinfo []byte) bool {
	for len(buddyinfo) > 0 {
		line := buddyinfo
		if i := indexByte(buddyinfo, '\n'); i >= 0 {
			line, buddyinfo = buddyinfo[:i], buddyinfo[i+1:]
		} else {
			buddyinfo = nil
		}
		f := fields(line)
		// Node, 0,, zone, NAME, then the counts.
		if len(f) < 4+hugeOrder+1 || string(f[2]) != "zone" || string(f[3]) == "DMA" {
			continue
		}
		for _, count := range f[4+hugeOrder:] {
			if string(count) != "0" {
				return true
			}
		}
	}
	return false
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// fields splits b at runs of spaces and tabs.
func fields(b []byte) [][]byte {
	var f [][]byte
	start := -1
	for i, c := range b {
		switch {
		case c == ' ' || c == '\t':
			if start >= 0 {
				f = append(f, b[start:i])
				start = -1
			}
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		f = append(f, b[start:])
	}
	return f
}
