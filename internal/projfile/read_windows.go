package projfile

import (
	"fmt"
	"io"
	"os"
)

// Read returns the contents of the regular file at path, if it is no
// larger than MaxSize. Windows has no FIFOs in the file system, so an
// ordinary open cannot block.
func Read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if info.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %w", path, ErrTooBig)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err == nil && len(b) > MaxSize {
		return nil, fmt.Errorf("%s: %w", path, ErrTooBig)
	}
	return b, err
}
