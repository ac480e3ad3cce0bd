package prompt

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/internal/display"
)

// Describe writes a short block per holder: what it is, who runs it, where,
// and since when — what a user needs to decide whether to stop it.
func Describe(w io.Writer, holders []detect.Holder, now time.Time) {
	for _, h := range holders {
		if !h.Visible() {
			fmt.Fprintln(w, display.Unseen(h.Port, h.User))
			fmt.Fprintf(w, "    address  %s\n", h.Addr)
			continue
		}
		if c := h.Container; c != nil {
			fmt.Fprintf(w, ":%d is published by %s\n", h.Port, display.Safe(identify.Describe(c)))
			fmt.Fprintf(w, "    via      %s (pid %d), docker's port forwarder\n", display.Safe(h.Name), h.PID)
			fmt.Fprintf(w, "    address  %s\n", h.Addr)
			continue
		}
		fmt.Fprintf(w, ":%d is held by %s (pid %d)\n", h.Port, display.Safe(h.Name), h.PID)
		fmt.Fprintf(w, "    command  %s\n", display.Safe(Clip(h.Command(), 200)))
		fmt.Fprintf(w, "    user     %s\n", display.Safe(h.User))
		if h.Cwd != "" {
			fmt.Fprintf(w, "    cwd      %s\n", display.Safe(TildePath(h.Cwd)))
		}
		if !h.Started.IsZero() {
			fmt.Fprintf(w, "    running  %s (since %s)\n", Age(now.Sub(h.Started)), h.Started.Format("Jan 2 15:04"))
		}
		fmt.Fprintf(w, "    address  %s\n", h.Addr)
	}
}

// Age renders a duration the way people say it: 45s, 12m, 2h 13m, 3d 4h.
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// TildePath shows a path under the home directory as ~/….
func TildePath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return p
	}
	if p == home {
		return "~"
	}
	if rel, ok := strings.CutPrefix(p, home+string(filepath.Separator)); ok {
		return "~/" + rel
	}
	return p
}

// Clip cuts s to n characters, with an ellipsis.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
