package prompt

import (
	"errors"
	"os"
	"unicode"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"
)

type surveyAsker struct {
	in, out *os.File
}

func (a *surveyAsker) Ask(question string, options []Option) (int, error) {
	if os.Getenv("NO_COLOR") != "" {
		core.DisableColor = true
	}
	// Each option shows its letter, as the plain prompt does: typing it
	// leaves that option alone, and Enter takes it.
	labels := make([]string, len(options))
	for i, o := range options {
		labels[i] = string(unicode.ToLower(o.Key)) + "  " + o.Label
	}
	var choice int
	in := &endless{File: a.in}
	err := survey.AskOne(&survey.Select{
		Message: question,
		Options: labels,
		Default: labels[0],
		// Typing filters the menu. survey's own filter matches the typed
		// text anywhere in a label, so "n" kept "Terminate" selected
		// and Enter terminated. Here a letter is the option's shortcut,
		// as in the plain prompt: "n" leaves only Abort, and text that
		// is no shortcut leaves nothing for Enter to take.
		Filter: func(typed, _ string, i int) bool { return shortcut(typed, options[i].Key) },
	}, &choice, survey.WithStdio(in, a.out, a.out))
	if errors.Is(err, terminal.InterruptErr) {
		return 0, in.interruption()
	}
	return choice, err
}

// shortcut reports whether typed is key, or a word starting with it ("y",
// "yes", "N", "no"), as the plain prompt reads answers.
func shortcut(typed string, key rune) bool {
	_, ok := match(typed, []Option{{Key: key}})
	return ok && typed != ""
}

// Pick asks which of labels to act on, with survey's multi-select: Space
// toggles, Enter confirms, Ctrl-C aborts. Typing does not filter (a
// filter that matches every label), so no key but Space picks anything.
func (a *surveyAsker) Pick(question string, labels []string) ([]int, error) {
	if os.Getenv("NO_COLOR") != "" {
		core.DisableColor = true
	}
	var chosen []int
	in := &endless{File: a.in}
	err := survey.AskOne(&survey.MultiSelect{
		Message: question,
		Options: labels,
		Filter:  func(string, string, int) bool { return true },
	}, &chosen, survey.WithStdio(in, a.out, a.out))
	if errors.Is(err, terminal.InterruptErr) {
		return nil, in.interruption()
	}
	return chosen, err
}

// endless is the terminal's input for survey with Ctrl-D made a stop:
// survey's menu takes Ctrl-D (end of transmission) as Enter, which would
// choose the highlighted answer, Terminate. It is read as Ctrl-C instead,
// and reported as the end of input (a decline).
type endless struct {
	*os.File
	ended bool
}

func (e *endless) Read(p []byte) (int, error) {
	n, err := e.File.Read(p)
	for i := range p[:n] {
		if p[i] == terminal.KeyEndTransmission {
			p[i] = terminal.KeyInterrupt
			e.ended = true
		}
	}
	return n, err
}

// interruption is what survey's interrupt was: Ctrl-C, or a Ctrl-D.
func (e *endless) interruption() error {
	if e.ended {
		return ErrClosed
	}
	return ErrInterrupted
}
