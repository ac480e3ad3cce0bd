// Package settings reads a project's own portguard settings: a
// .portguard.toml at the project's root, or a "portguard" object in its
// package.json. They say which ports the project uses, whether earlier
// copies of its commands may be replaced without asking, and which
// programs must never be terminated.
//
// Precedence, highest first: portguard's flags, its environment variables
// (PORTGUARD_YES, …), these settings, then inference. "never" is the
// exception: nothing overrides it but editing the file.
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/portguard/portguard/internal/owner"
	"github.com/portguard/portguard/internal/projfile"
)

// Settings are one project's.
type Settings struct {
	// Ports are the ports the project's commands listen on; they replace
	// inference, as -p does, but -p replaces them.
	Ports []int `toml:"ports" json:"ports"`
	// ReplaceEarlier lets portguard terminate, without asking, a holder
	// that is an earlier copy of the command being started in this project.
	ReplaceEarlier bool `toml:"replace_earlier" json:"replaceEarlier"`
	// Never names programs (process names, commands, container names or
	// images) that portguard must never terminate or stop.
	Never []string `toml:"never" json:"never"`

	// File is where the settings were read ("" when there are none).
	File string `toml:"-" json:"-"`
}

// FileName is the TOML file's name.
const FileName = ".portguard.toml"

// Load finds the settings of the project dir is in: the nearest
// .portguard.toml or package.json with a "portguard" object, looking up
// from dir, and not above a .git directory or the home directory. It
// reads only trusted directories (the user's own, not writable by all:
// owner.Trusted) and stops at the first that is not, so that nobody can
// plant settings for another user in a shared directory. No settings is
// not an error.
func Load(dir string) (Settings, error) {
	home, _ := os.UserHomeDir()
	for d := dir; ; d = filepath.Dir(d) {
		if !owner.Trusted(d) {
			return Settings{}, nil
		}
		if s, ok, err := loadTOML(filepath.Join(d, FileName)); ok || err != nil {
			return s, err
		}
		if s, ok, err := loadPackage(filepath.Join(d, "package.json")); ok || err != nil {
			return s, err
		}
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil || d == home || filepath.Dir(d) == d {
			return Settings{}, nil
		}
	}
}

func loadTOML(path string) (Settings, bool, error) {
	var s Settings
	b, err := projfile.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return s, true, fmt.Errorf("reading %s: %w", path, err)
	}
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var strict *toml.StrictMissingError
	var syntax *toml.DecodeError
	switch err := dec.Decode(&s); {
	case errors.As(err, &strict):
		key := strings.Join(strict.Errors[0].Key(), ".")
		return s, true, fmt.Errorf("%s: unknown setting %q (portguard knows ports, replace_earlier, never)", path, key)
	case errors.As(err, &syntax):
		line, col := syntax.Position()
		key := strings.Join(syntax.Key(), ".")
		if want, ok := settingTypes[strings.Split(key, ".")[0]]; ok && strings.Contains(syntax.Error(), "cannot decode") {
			// A value of the wrong type: say what the setting takes, not
			// what the library's struct field is.
			return s, true, fmt.Errorf("%s:%d:%d: %s takes %s", path, line, col, key, want)
		}
		return s, true, fmt.Errorf("%s:%d:%d: %v", path, line, col, syntax)
	case err != nil:
		return s, true, fmt.Errorf("reading %s: %w", path, err)
	}
	s.File = path
	return s, true, s.check()
}

func loadPackage(path string) (Settings, bool, error) {
	var s Settings
	b, err := projfile.Read(path)
	if err != nil {
		return s, false, nil
	}
	if !bytes.Contains(b, []byte(`"portguard"`)) {
		return s, false, nil // most package.json files: no need to parse it here too
	}
	var pkg struct {
		Portguard json.RawMessage `json:"portguard"`
	}
	if json.Unmarshal(b, &pkg) != nil || len(pkg.Portguard) == 0 {
		return s, false, nil // not ours to judge; inference reads it too
	}
	dec := json.NewDecoder(bytes.NewReader(pkg.Portguard))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, true, fmt.Errorf(`%s: "portguard": %w (portguard knows ports, replaceEarlier, never)`, path, err)
	}
	s.File = path
	return s, true, s.check()
}

// settingTypes says what each setting takes, for a value of another type.
var settingTypes = map[string]string{
	"ports":           "a list of port numbers, such as [3000, 9229]",
	"replace_earlier": "true or false",
	"never":           `a list of names, such as ["postgres", "vite"]`,
}

func (s Settings) check() error {
	for _, p := range s.Ports {
		if p < 1 || p > 65535 {
			return fmt.Errorf("%s: port %d is not from 1 to 65535", s.File, p)
		}
	}
	for _, n := range s.Never {
		if strings.TrimSpace(n) == "" {
			return fmt.Errorf("%s: an empty name under never", s.File)
		}
	}
	return nil
}

// Spares reports whether any of names is one the settings say never to
// terminate, and which.
func (s Settings) Spares(names ...string) (string, bool) {
	for _, n := range names {
		if n != "" && slices.Contains(s.Never, n) {
			return n, true
		}
	}
	return "", false
}
