package main

import "github.com/urfave/cli/v2"

// urfave/cli computes a flag's names on every call of Names, with a
// regular expression per name (a guard against v1-style "port, p"), and
// one parse calls Names a number of times that grows with the square of
// the flags: for each flag not given, Context.IsSet looks it up among all
// of them. On the free path that was a third of the time between main and
// exec. These wrappers keep each flag as it is and answer Names from a
// slice made once; portguard's names hold no comma or space, so the slice
// is what the regular expression would have returned.

type boolFlag struct {
	*cli.BoolFlag
	names []string
}

func (f *boolFlag) Names() []string { return f.names }

type stringFlag struct {
	*cli.StringFlag
	names []string
}

func (f *stringFlag) Names() []string { return f.names }

type stringSliceFlag struct {
	*cli.StringSliceFlag
	names []string
}

func (f *stringSliceFlag) Names() []string { return f.names }

type durationFlag struct {
	*cli.DurationFlag
	names []string
}

func (f *durationFlag) Names() []string { return f.names }

// withFixedNames gives every flag of app, and the help and version flags
// urfave/cli adds itself, names made once. Flags are wrapped by pointer:
// urfave/cli compares flags with ==.
func withFixedNames(app *cli.App) {
	app.Flags = fixedNames(app.Flags)
	for _, c := range app.Commands {
		c.Flags = fixedNames(c.Flags)
	}
	cli.HelpFlag = fixedName(cli.HelpFlag)
	cli.VersionFlag = fixedName(cli.VersionFlag)
}

func fixedNames(flags []cli.Flag) []cli.Flag {
	for i, f := range flags {
		flags[i] = fixedName(f)
	}
	return flags
}

func fixedName(f cli.Flag) cli.Flag {
	switch f := f.(type) {
	case *cli.BoolFlag:
		return &boolFlag{f, append([]string{f.Name}, f.Aliases...)}
	case *cli.StringFlag:
		return &stringFlag{f, append([]string{f.Name}, f.Aliases...)}
	case *cli.StringSliceFlag:
		return &stringSliceFlag{f, append([]string{f.Name}, f.Aliases...)}
	case *cli.DurationFlag:
		return &durationFlag{f, append([]string{f.Name}, f.Aliases...)}
	}
	return f // a kind portguard does not use keeps urfave/cli's Names
}
