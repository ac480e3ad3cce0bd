package detect

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// commandLineInfo reads what NtQueryInformationProcess returns for
// ProcessCommandLineInformation: a UNICODE_STRING (byte length, maximum
// length, then a pointer aligned to the pointer size) whose pointer
// refers to UTF-16LE text further on in the same buffer. base is the
// buffer's address in this process and ptrSize the pointer size, so the
// decoding is portable and tested everywhere, as parseOwnerTable is.
//
// Asking for this class rather than reading the target's PEB needs only
// PROCESS_QUERY_LIMITED_INFORMATION, which covers elevated processes of
// the same user, and copies nothing out of the other process.
func commandLineInfo(b []byte, base uintptr, ptrSize int) (string, error) {
	le := binary.LittleEndian
	if len(b) < 2*ptrSize {
		return "", fmt.Errorf("command line: %d bytes hold no UNICODE_STRING", len(b))
	}
	n := int(le.Uint16(b))
	var ptr uint64
	if ptrSize == 8 {
		ptr = le.Uint64(b[8:])
	} else {
		ptr = uint64(le.Uint32(b[4:]))
	}
	if n == 0 {
		return "", nil
	}
	if ptr < uint64(base) || n%2 != 0 {
		return "", fmt.Errorf("command line: text at %#x (%d bytes) is not in the buffer at %#x", ptr, n, base)
	}
	off := ptr - uint64(base)
	if off > uint64(len(b)) || uint64(len(b))-off < uint64(n) {
		return "", fmt.Errorf("command line: text at offset %d (%d bytes) overruns %d bytes", off, n, len(b))
	}
	text := b[off : off+uint64(n)]
	units := make([]uint16, n/2)
	for i := range units {
		units[i] = le.Uint16(text[2*i:])
	}
	return string(utf16.Decode(units)), nil
}
