//go:build linux && card

package main

// Built with -tags card, the reference also links the three libraries the
// design card fixes. Go runs every linked package's initialisation before
// main, so this build is the floor of any portguard that keeps them: the
// benchmark prints it beside the goal, which is measured against the
// reference without them.
import (
	_ "github.com/AlecAivazis/survey/v2"
	_ "github.com/mattn/go-isatty"
	_ "github.com/urfave/cli/v2"
)
