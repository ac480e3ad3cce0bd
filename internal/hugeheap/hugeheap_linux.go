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

	madvCollapse = 25 // MADV_COLLAPSE, Linux 6.1
)

// frontier is a fresh large allocation: Go's page allocator hands out the
// lowest free pages, so it lies where the heap grows next.
var frontier []byte

// asked records what init asked of the kernel, for the tests: the huge
// page's address (0 when nothing was asked) and MADV_COLLAPSE's answer.
var asked struct {
	at       uintptr
	collapse syscall.Errno
}

func init() {
	if !wanted(syscall.Getpagesize(), readFile("/sys/kernel/mm/transparent_hugepage/enabled", 64), godebug(),
		readFile("/proc/buddyinfo", 4096)) {
		return
	}
	frontier = make([]byte, 64<<10)
	at := uintptr(unsafe.Pointer(&frontier[0]))
	frontier = nil
	// One collapse, of the region the heap grows in; nothing is marked
	// for huge pages, so no later fault of the run can wait on the
	// kernel for one.
	first := at &^ (hugePage - 1)
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, first, hugePage, madvCollapse)
	asked.at, asked.collapse = first, errno
}

// wanted decides whether to ask for the huge page at all: only where pages
// are 4 KiB, where the administrator has not turned transparent huge pages
// off (enabled = never: MADV_COLLAPSE itself would ignore that), nor the
// user Go's use of them (GODEBUG=disablethp=1), and where /proc/buddyinfo
// shows a free block of the size, so that the kernel is unlikely to
// reclaim or compact memory for it.
func wanted(pageSize int, thpEnabled []byte, godebug string, buddyinfo []byte) bool {
	return pageSize == 4096 && !contains(string(thpEnabled), "[never]") &&
		!hasSetting(godebug, "disablethp=1") && hugePageFree(buddyinfo)
}

func godebug() string {
	v, _ := syscall.Getenv("GODEBUG")
	return v
}

// hasSetting reports whether the comma-separated list holds setting; the
// last of a name's settings wins, as in the runtime.
func hasSetting(list, setting string) bool {
	name := setting[:indexByte(setting, '=')+1]
	found := false
	for len(list) > 0 {
		item := list
		if i := indexByte(list, ','); i >= 0 {
			item, list = list[:i], list[i+1:]
		} else {
			list = ""
		}
		if len(item) >= len(name) && item[:len(name)] == name {
			found = item == setting
		}
	}
	return found
}

// contains is strings.Contains (see indexByte).
func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// readFile reads up to max bytes of a /proc or /sys file with syscall
// alone, nil on any failure. It is internal/proc's ReadFile written again
// on purpose: that package, like os, strings and bytes, would make this
// one initialise after them, once more of the heap is touched.
func readFile(name string, max int) []byte {
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	buf := make([]byte, max)
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
// huge page or larger in a zone that serves user memory (any but DMA): the
// kernel then most likely has one to hand out without reclaim or
// compaction (the figures are a snapshot, and watermarks apply). A line
// is "Node 0, zone   Normal  c0 c1 … c10": the free blocks of each order.
func hugePageFree(buddyinfo []byte) bool {
	for len(buddyinfo) > 0 {
		line := buddyinfo
		if i := indexByte(buddyinfo, '\n'); i >= 0 {
			line, buddyinfo = buddyinfo[:i], buddyinfo[i+1:]
		} else {
			buddyinfo = nil
		}
		// The words in place, without a slice of them: Node, 0,, zone,
		// NAME, then the counts of orders 0, 1, ….
		n, zone, free := 0, "", false
		for i := 0; i < len(line); n++ {
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			start := i
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				i++
			}
			word := line[start:i]
			switch {
			case len(word) == 0:
				n--
			case n == 2 && string(word) != "zone":
				i = len(line) // no zone's line
			case n == 3:
				zone = string(word)
			case n >= 4+hugeOrder && string(word) != "0":
				free = true
			}
		}
		if free && zone != "DMA" && n > 4+hugeOrder {
			return true
		}
	}
	return false
}

// indexByte is strings.IndexByte and bytes.IndexByte, which would make
// this package initialise later.
func indexByte[S ~string | ~[]byte](s S, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
