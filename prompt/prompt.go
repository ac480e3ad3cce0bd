// Package prompt asks the user, on their terminal, what to do about a held
// port.
//
// The card's prompt library, survey/v2, is no longer maintained, and its
// line editor sends a cursor-position query (ESC[6n) and blocks until the
// terminal answers. Real terminals answer; a bare pseudo-terminal or some
// editor consoles never do, and the prompt would hang. So New asks the
// terminal first, with a short timeout, and hands back a plain one-line
// prompt when nothing answers. Both sit behind Asker, so survey can be
// replaced without touching anything else.
package prompt

import (
	"errors"
	"os"
	"time"
)

// ErrInterrupted means the user pressed Ctrl-C at the prompt. Nothing has
// been done.
var ErrInterrupted = errors.New("interrupted at the prompt")

// ErrClosed means the input ended at the prompt (Ctrl-D): no answer, which
// is a no. Nothing has been done.
var ErrClosed = errors.New("the input ended at the prompt")

// Option is one answer the user can give. Key is the letter the plain
// prompt accepts for it.
type Option struct {
	Key   rune
	Label string
}

// Asker asks one question. The first option is the default, taken when
// the user just presses Enter. It returns the index of the chosen option.
type Asker interface {
	Ask(question string, options []Option) (int, error)
	// Pick asks which of labels to act on; none is a valid answer.
	Pick(question string, labels []string) ([]int, error)
}

// queryTimeout is how long the terminal has to answer the cursor query.
// Terminals answer in well under a millisecond, remote ones over ssh in a
// round trip; a quarter second keeps a silent terminal from being noticed.
const queryTimeout = 250 * time.Millisecond

// New returns the best Asker for the terminal on in and out: survey's
// arrow-key menu when the terminal answers a cursor query, else a plain
// line prompt. in and out must be terminals.
func New(in, out *os.File) Asker {
	// A terminal that says it is dumb (editor consoles, TERM unset) gets
	// the plain prompt without the query, which it would only print.
	if term := os.Getenv("TERM"); term != "" && term != "dumb" && answersCursorQuery(in, out, queryTimeout) {
		return flushed{&surveyAsker{in: in, out: out}, in}
	}
	return flushed{&plainAsker{in: in, out: out}, in}
}

// flushed discards what was typed while the question was open and not
// read as its answer, so that it does not land in the shell's line editor
// afterwards (a declined line with "echo after" appended to it).
type flushed struct {
	Asker
	in *os.File
}

func (f flushed) Pick(question string, labels []string) ([]int, error) {
	picked, err := f.Asker.Pick(question, labels)
	flushInput(int(f.in.Fd()))
	return picked, err
}

func (f flushed) Ask(question string, options []Option) (int, error) {
	i, err := f.Asker.Ask(question, options)
	flushInput(int(f.in.Fd()))
	return i, err
}
