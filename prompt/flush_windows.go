package prompt

// flushInput does nothing on Windows: the console's input buffer is not a
// terminal queue that typeahead waits in.
func flushInput(int) {}
