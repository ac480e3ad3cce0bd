// Package hugeheap backs the start of portguard's heap with one huge page
// (Linux), for what its import costs: one read of /proc/buddyinfo and two
// madvise calls, made as the program starts.
//
// portguard lives for milliseconds and touches about a megabyte of fresh
// heap on the way to freeing a port. Each 4 KiB page of it is a page fault
// on first touch; on a virtual machine with shadow paging a fault costs
// 12–17 µs, so the heap's faults were a fifth of a run (bench/run prints
// them). One huge page of 2 MiB is faulted or collapsed once, in about
// 0.3 ms. It is asked for only when the kernel has a free block of that
// size at hand (/proc/buddyinfo), so that it need not wait on compaction
// for it; anywhere else (no THP, an older kernel, other page sizes,
// macOS, Windows) the import does nothing.
//
// Import it for its side effect, from main only, and as early as the
// imports allow: the package depends on syscall alone, so Go initialises
// it among the first, before most of the heap is touched.
package hugeheap
