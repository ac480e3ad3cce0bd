package infer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/joho/godotenv"

	"github.com/portguard/portguard/internal/owner"
	"github.com/portguard/portguard/internal/projfile"
)

// Inference reads only what a project's files say and never runs any of
// it, and every project is untrusted: its files may be FIFOs, huge,
// recursive or built to blow up. So each walk has limits, and says under
// --explain when it hit one:
//   - files are read through projfile (regular files of at most 1 MiB);
//   - a script, Makefile target, Procfile or project script is followed at
//     most once per walk (a script that runs itself, or runs another
//     twice, costs nothing more), and at most maxSteps commands in all;
//   - variable expansion (.env, Makefile, compose) stops at maxExpansion
//     bytes;
//   - shell text nested deeper than maxNesting is not parsed (the parser
//     recurses, and Go cannot recover from a stack overflow).
const (
	maxSteps     = 5000
	maxExpansion = 1 << 20
	maxNesting   = 200
)

// step counts one command followed; false once the walk is over budget.
func (w *walker) step() bool {
	w.steps++
	if w.steps == maxSteps+1 {
		w.note("stopped after following %d commands", maxSteps)
	}
	return w.steps <= maxSteps
}

// first reports whether key (a script, a target, a file) is followed for
// the first time in this walk.
func (w *walker) first(key string) bool {
	if w.followed == nil {
		w.followed = map[string]bool{}
	}
	if w.followed[key] {
		return false
	}
	w.followed[key] = true
	return true
}

// note records something --explain should say: a file skipped, a limit hit.
func (w *walker) note(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	for _, n := range w.notes {
		if n == msg {
			return
		}
	}
	w.notes = append(w.notes, msg)
}

// read reads a project file; a file that is there but was not read (a
// FIFO, a device, too big) is noted.
func (w *walker) read(path string) ([]byte, bool) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, false // nothing to say: it is not there
	}
	if !owner.Trusted(filepath.Dir(path)) {
		// Anyone may have put it there (/tmp, a shared directory).
		w.note("skipped %s: its directory is not yours, or anyone may write to it", w.rel(path))
		return nil, false
	}
	b, err := projfile.Read(path)
	if err != nil {
		w.noteSkipped(path, err)
		return nil, false
	}
	return b, true
}

func (w *walker) noteSkipped(path string, err error) {
	if projfile.Skipped(err) || errors.Is(err, errUntrusted) {
		w.note("skipped %s: %v", w.rel(path), errors.Unwrap(err))
	}
}

// errUntrusted: the file's directory is not the user's, or anyone may
// write to it.
var errUntrusted = errors.New("its directory is not yours, or anyone may write to it")

// firstFile is the first of paths that is there and is not a directory.
// It only looks: the caller reads it with w.read, which refuses what
// projfile refuses (a FIFO, a huge file, a shared directory) and says why,
// so the file is read once. ("main": "lib" names lib/index.js, a later
// path, not the directory.)
func firstFile(paths ...string) string {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err == nil && !st.IsDir() || err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
	return ""
}

// readFile reads the first of names in dir that exists.
func readFile(dir string, names ...string) (path string, text string, err error) {
	for _, n := range names {
		p := join(dir, n)
		if _, err := os.Lstat(p); err == nil && !owner.Trusted(filepath.Dir(p)) {
			return p, "", fmt.Errorf("%s: %w", p, errUntrusted)
		}
		b, err := projfile.Read(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return p, "", err
		}
		return p, string(b), nil
	}
	return "", "", fs.ErrNotExist
}

// dotenv reads a .env file. Its values may refer to earlier ones
// (${A}${A}), so that a few hundred bytes can double a value forty
// times; a file whose expansion could exceed maxExpansion is not read.
func (w *walker) dotenv(path string) (map[string]string, bool) {
	b, ok := w.read(path)
	if !ok {
		return nil, false
	}
	if n := dotenvBound(b); n > maxExpansion {
		w.note("skipped %s: its variables expand to more than %d KiB", w.rel(path), maxExpansion>>10)
		return nil, false
	}
	vars, err := godotenv.UnmarshalBytes(b)
	return vars, err == nil
}

var (
	dotenvAssign = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[=:](.*)$`)
	})
	dotenvRef = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
	})
)

// dotenvBound is an upper bound on the size of a .env file's values once
// expanded: each value's own length plus the bounds of the variables it
// refers to, in file order, with saturating arithmetic. It reads quoting
// loosely, which can only make the bound larger.
func dotenvBound(b []byte) int {
	if !bytes.ContainsRune(b, '$') {
		return len(b)
	}
	size := map[string]int{}
	most := 0
	for _, m := range dotenvAssign().FindAllSubmatch(b, -1) {
		n := len(m[2])
		for _, ref := range dotenvRef().FindAllSubmatch(m[2], -1) {
			n = min(n+size[string(ref[1])], maxExpansion+1)
		}
		size[string(m[1])] = n
		most = max(most, n)
	}
	return most
}

// tooDeep reports whether text nests brackets deeper than maxNesting, a
// conservative look that ignores quoting: such text is not parsed.
func tooDeep(text string) bool {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '(', '{', '[':
			depth++
			if depth > maxNesting {
				return true
			}
		case ')', '}', ']':
			depth = max(depth-1, 0)
		}
	}
	return false
}

// Budget bounds one inference as a whole, whatever the project holds: the
// limits above bound each part of a walk, and this bounds their sum, in
// time and in heap. The walk runs beside the caller, which gives up on it
// when either is spent and runs the command unchecked (the process then
// becomes the command, and the walk ends with it).
type Budget struct {
	Time time.Duration
	Heap uint64 // bytes of live heap objects; 0 for no bound
}

// WrapBudget is the wrapper's: a wrapped command waits for it once. Real
// projects take a few MiB.
var WrapBudget = Budget{Time: 1500 * time.Millisecond, Heap: 128 << 20}

// Within runs f within b. done is false when the budget was spent first
// (or f panicked: a bug in a reader must not keep the command from
// running); the zero T is returned then.
func Within[T any](b Budget, f func() T) (result T, done bool) {
	out := make(chan T, 1)
	failed := make(chan struct{})
	go func() {
		defer func() {
			if recover() != nil {
				close(failed)
			}
		}()
		out <- f()
	}()
	if b.Heap > 0 {
		// The collector keeps the process near the bound between two
		// looks at the heap, rather than letting garbage pile up.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(b.Heap) + 32<<20))
	}
	timer := time.NewTimer(b.Time)
	defer timer.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	// runtime.ReadMemStats, not runtime/metrics: that package's init
	// builds its tables on every start, inference or not.
	var mem runtime.MemStats
	for {
		select {
		case r := <-out:
			return r, true
		case <-failed:
			return result, false
		case <-timer.C:
			return result, false
		case <-tick.C:
			if b.Heap == 0 {
				continue
			}
			runtime.ReadMemStats(&mem)
			if mem.HeapAlloc > b.Heap {
				return result, false
			}
		}
	}
}
