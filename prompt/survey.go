package prompt

import (
	"errors"
	"os"

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
	labels := make([]string, len(options))
	for i, o := range options {
		labels[i] = o.Label
	}
	var choice int
	err := survey.AskOne(&survey.Select{
		Message: question,
		Options: labels,
		Default: labels[0],
	}, &choice, survey.WithStdio(a.in, a.out, a.out))
	if errors.Is(err, terminal.InterruptErr) {
		return 0, ErrInterrupted
	}
	return choice, err
}
