package prompt

import (
	"os"
	"time"
)

// answersCursorQuery is true on Windows: survey finds the cursor through
// the console API there, not by an escape-sequence query that a terminal
// may leave unanswered.
func answersCursorQuery(_, _ *os.File, _ time.Duration) bool { return true }
