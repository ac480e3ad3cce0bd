// Package hugeheap backs the region of portguard's heap where a run's
// allocations go with one huge page (Linux), for what its import costs:
// two small reads, of /sys and /proc, and one madvise call, made as the
// program starts.
//
// portguard lives for milliseconds and touches fresh heap a 4 KiB page at
// a time, each page a fault on first touch. On a virtual machine with
// shadow paging a fault costs many microseconds, and the heap's faults were
// a large part of a run (bench/run prints a run's faults). Collapsing the
// region the heap grows in into one 2 MiB page costs about as much as a
// few dozen of those faults, and spares the rest of the region's.
//
// MADV_COLLAPSE can go into direct reclaim and compaction, which is why
// the Go runtime stopped using it (golang/go#63334). So it is asked for
// once, while the program initialises; only where the kernel shows a free
// block of the size (/proc/buddyinfo), so that it is unlikely to have to
// make one; never where the administrator turned transparent huge pages
// off or GODEBUG=disablethp=1 is set; and no memory is marked for huge
// pages, so that no later fault waits for one.
// Anywhere else (an older kernel, other page sizes, macOS, Windows) the
// import does nothing.
//
// Import it for its side effect, from main only. Its import path sorts
// before most of the standard library and it needs only syscall, so Go
// initialises it among the first packages, before most of the heap is
// touched.
package hugeheap
