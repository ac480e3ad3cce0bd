package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/guard"
	"github.com/portguard/portguard/identify"
	"github.com/portguard/portguard/internal/display"
	"github.com/portguard/portguard/prompt"
)

// holderRecord is one element of `portguard which --json`: a documented
// schema (README, "Machine-readable output") that scripts and editors can
// rely on. Fields are only ever added, never renamed or removed.
type holderRecord struct {
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // "tcp" or "udp"
	Address  string `json:"address"`  // as ss prints it: 127.0.0.1:3000, [::]:3000
	// PID is 0 when the owner cannot be seen (another user's process).
	PID     int      `json:"pid"`
	User    string   `json:"user"`
	Command []string `json:"command"` // argv; [] when not visible
	Cwd     string   `json:"cwd"`     // "" when not visible
	// StartedAt is when the process started, RFC 3339; null when unknown.
	StartedAt *time.Time       `json:"started_at"`
	Container *containerRecord `json:"container"` // null unless a container publishes the port
	// Role and Project are portguard ls's: what the holder is to the
	// user ("this project", "another project", "container", "system
	// service", "another user's", or "") and its project root.
	Role    string `json:"role,omitempty"`
	Project string `json:"project,omitempty"`
}

type containerRecord struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Image   string `json:"image"`
	Project string `json:"compose_project"` // "" when not started by compose
}

// writeHolders writes held ports' holders as a JSON array, ports in
// order; free ports have no element.
func writeHolders(w io.Writer, ports []int, held map[int][]detect.Holder) error {
	records := []holderRecord{}
	for _, p := range ports {
		for _, h := range held[p] {
			records = append(records, recordOf(h))
		}
	}
	return writeJSON(w, records)
}

func recordOf(h detect.Holder) holderRecord {
	r := holderRecord{
		Port: h.Port, Protocol: string(h.Protocol), Address: h.Addr,
		PID: h.PID, User: h.User, Command: h.Cmdline, Cwd: h.Cwd,
	}
	if r.Command == nil {
		r.Command = []string{}
	}
	if !h.Started.IsZero() {
		t := h.Started.UTC().Truncate(time.Second)
		r.StartedAt = &t
	}
	if c := h.Container; c != nil {
		r.Container = &containerRecord{ID: c.ID, Name: c.Name, Image: c.Image, Project: c.Project}
	}
	return r
}

// writeJSON writes v as indented JSON, and writeJSONLine as one line,
// with the controls a terminal could obey escaped (display.JSON): command
// lines, paths and sources are other processes' and projects' text.
func writeJSON(w io.Writer, v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	return writeDoc(w, doc, err)
}

func writeJSONLine(w io.Writer, v any) error {
	doc, err := json.Marshal(v)
	return writeDoc(w, doc, err)
}

func writeDoc(w io.Writer, doc []byte, err error) error {
	if err != nil {
		return err
	}
	_, err = w.Write(append(display.JSON(doc), '\n'))
	return err
}

// writeWhich writes which's table: each port's holders, or (free).
func writeWhich(out io.Writer, ports []int, held map[int][]detect.Holder) error {
	buf := bufio.NewWriter(out) // tabwriter writes a cell at a time
	w := tabwriter.NewWriter(buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PORT\tPID\tUSER\tUPTIME\tADDRESS\tDIRECTORY\tCOMMAND")
	now := time.Now()
	for _, p := range ports {
		hs := held[p]
		if len(hs) == 0 {
			fmt.Fprintf(w, "%d\t-\t-\t-\t-\t-\t(free)\n", p)
		}
		for _, h := range hs {
			pid, uptime := "-", "-"
			if h.Visible() {
				pid = strconv.Itoa(h.PID)
			}
			if !h.Started.IsZero() {
				uptime = strings.ReplaceAll(prompt.Age(now.Sub(h.Started)), " ", "")
			}
			cmd, dir := h.Command(), "-"
			if h.Cwd != "" {
				dir = prompt.TildePath(h.Cwd)
			}
			switch {
			case !h.Visible():
				cmd = "(owner not visible)"
			case h.Container != nil:
				cmd = identify.Describe(h.Container)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", p, pid, display.Safe(h.User), uptime, h.Addr, display.Safe(dir), display.Safe(cmd))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return buf.Flush()
}

// writeListed writes ls's table, grouped by project.
func writeListed(out io.Writer, listed []guard.Listed, protocol detect.Protocol, only []int) error {
	if len(listed) == 0 {
		what := "nothing is listening"
		if protocol == detect.UDP {
			what = "nothing is bound to a UDP port"
		}
		if len(only) > 0 {
			what += " on " + strings.TrimSuffix(guard.PortsAre(only), " is")
			what = strings.TrimSuffix(what, " are")
		}
		fmt.Fprintln(out, what)
		return nil
	}
	buf := bufio.NewWriter(out) // tabwriter writes a cell at a time
	w := tabwriter.NewWriter(buf, 0, 4, 2, ' ', 0)
	now := time.Now()
	group := "\x00"
	for _, l := range listed {
		if l.Project != group {
			group = l.Project
			title := display.Safe(prompt.TildePath(l.Project))
			switch {
			case l.Role == guard.RoleThisProject:
				title += " (this project)"
			case l.Project == "":
				title = "not in a project"
			}
			fmt.Fprintf(w, "%s\n", title)
		}
		pid, uptime, program := "-", "-", display.Safe(l.Name)
		if l.Visible() {
			pid = strconv.Itoa(l.PID)
		} else {
			program = "-" // the role says: owner not visible
		}
		if !l.Started.IsZero() {
			uptime = strings.ReplaceAll(prompt.Age(now.Sub(l.Started)), " ", "")
		}
		role := string(l.Role)
		if l.Container != nil {
			role = display.Safe(identify.Describe(l.Container))
		}
		if l.Role == guard.RoleOtherUser && l.User != "" {
			role += " (" + display.Safe(l.User) + ")"
		}
		command := ""
		if l.Visible() && l.Container == nil {
			command = display.Safe(prompt.Clip(guard.ShortCommand(l.Cmdline, l.Name), 60))
		}
		fmt.Fprintf(w, "  :%d\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Port, l.Addr, pid, program, uptime, role, command)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return buf.Flush()
}
