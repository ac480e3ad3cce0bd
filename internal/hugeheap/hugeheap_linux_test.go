package hugeheap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestHugePageFree(t *testing.T) {
	const (
		dma    = "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3\n"
		normal = "Node 0, zone   Normal  13874   9826  13555  20514  16537   6947   2453    716    274    315   3244\n"
		// Fragmented: nothing of order 9 or 10 is free.
		fragmented = "Node 0, zone   Normal  13874   9826  13555  20514  16537   6947   2453    716    274      0      0\n"
		only10     = "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0      7\n"
	)
	tests := []struct {
		name, buddyinfo string
		want            bool
	}{
		{"free blocks of order 9 and 10", dma + normal, true},
		{"only DMA has them: user memory does not come from there", dma + fragmented, false},
		{"order 10 alone is enough", fragmented + only10, true},
		{"order 9 alone is enough", "Node 0, zone   Normal  5 4 3 2 1 0 0 0 0 2 0\n", true},
		{"order 8 is not", "Node 0, zone   Normal  5 4 3 2 1 0 0 0 6 0 0\n", false},
		{"no trailing newline", strings.TrimSuffix(normal, "\n"), true},
		{"a blank after each count, as the kernel prints them", "Node 0, zone   Normal      1      0      0      0      0      0      0      0      0      0      1 \n", true},
		{"a blank after each count, none free", "Node 0, zone   Normal      1      0      0      0      0      0      0      0      0      0      0 \n", false},
		{"unreadable: nothing is asked", "", false},
		{"a line cut short", "Node 0, zone   Normal  1 2 3\n", false},
		{"not buddyinfo", "MemTotal: 24 GiB\n", false},
	}
	for _, tt := range tests {
		if got := hugePageFree([]byte(tt.buddyinfo)); got != tt.want {
			t.Errorf("%s: hugePageFree = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWanted(t *testing.T) {
	const free = "Node 0, zone   Normal  1 1 1 1 1 1 1 1 1 3 7\n"
	const madvise = "always [madvise] never\n"
	tests := []struct {
		name     string
		pageSize int
		thp      string
		godebug  string
		buddy    string
		want     bool
	}{
		{"4 KiB pages, THP on request, a free block", 4096, madvise, "", free, true},
		{"THP always", 4096, "[always] madvise never\n", "", free, true},
		{"the administrator turned THP off", 4096, "always madvise [never]\n", "", free, false},
		{"no THP in the kernel: the file is missing", 4096, "", "", free, true}, // MADV_COLLAPSE then fails, harmlessly
		{"GODEBUG turns Go's huge pages off", 4096, madvise, "disablethp=1", free, false},
		{"among other settings", 4096, madvise, "gctrace=0,disablethp=1,x=y", free, false},
		{"set, then set back", 4096, madvise, "disablethp=1,disablethp=0", free, true},
		{"another setting only", 4096, madvise, "madvdontneed=1", free, true},
		{"64 KiB pages", 65536, madvise, "", free, false},
		{"no free block of the size", 4096, madvise, "", "Node 0, zone   Normal  1 1 1 1 1 1 1 1 1 0 0\n", false},
	}
	for _, tt := range tests {
		if got := wanted(tt.pageSize, []byte(tt.thp), tt.godebug, []byte(tt.buddy)); got != tt.want {
			t.Errorf("%s: wanted = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestHeapStartIsAHugePage: this test binary imports the package, so its
// init ran as portguard's does. Where the kernel could give a huge page,
// the heap's region around the frontier is now one.
func TestHeapStartIsAHugePage(t *testing.T) {
	if asked.at == 0 {
		t.Skip("nothing was asked: pages are not 4 KiB, THP or Go's use of it is off, or /proc/buddyinfo showed no free huge page")
	}
	if asked.collapse != 0 {
		// A kernel before 6.1 or without THP, or no huge page to be had
		// after all.
		t.Skipf("MADV_COLLAPSE: %v", asked.collapse)
	}
	kb, ok := anonHugeKB(t, asked.at)
	if !ok {
		t.Fatalf("no mapping at %#x in /proc/self/smaps", asked.at)
	}
	if kb < hugePage>>10 {
		t.Errorf("the mapping at %#x has %d kB of huge pages, want at least %d", asked.at, kb, hugePage>>10)
	}
}

// anonHugeKB is AnonHugePages of the mapping that contains addr.
func anonHugeKB(t *testing.T, addr uintptr) (int, bool) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) == 0 {
			continue
		}
		// A mapping's first line starts with its range, lo-hi; the lines
		// after it are "Key: value".
		if !strings.HasSuffix(f[0], ":") {
			lo, hi, _ := strings.Cut(f[0], "-")
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= start && uint64(addr) < end
			continue
		}
		if in && f[0] == "AnonHugePages:" && len(f) > 1 {
			kb, err := strconv.Atoi(f[1])
			return kb, err == nil
		}
	}
	return 0, false
}
