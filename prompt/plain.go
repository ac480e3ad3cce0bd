package prompt

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode"
)

// plainAsker is the fallback for terminals that do not answer queries: one
// line, "[Y/n]"-style, read in the terminal's own cooked mode so editing
// and Ctrl-C work as the user expects.
type plainAsker struct {
	in, out *os.File
}

func (a *plainAsker) Ask(question string, options []Option) (int, error) {
	// In cooked mode Ctrl-C is a SIGINT to the whole foreground group;
	// catch it for the length of the prompt so it aborts the question
	// instead of killing portguard halfway.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT)
	defer signal.Stop(sigs)

	lines := make(chan string)
	errs := make(chan error, 1)
	go func() {
		r := bufio.NewReader(a.in)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				errs <- err
				return
			}
			lines <- line
		}
	}()

	// The letters alone do not say what they do.
	for _, o := range options {
		fmt.Fprintf(a.out, "  %c  %s\n", unicode.ToLower(o.Key), o.Label)
	}
	for {
		fmt.Fprintf(a.out, "%s %s ", question, keys(options))
		select {
		case <-sigs:
			fmt.Fprintln(a.out)
			return 0, ErrInterrupted
		case err := <-errs:
			fmt.Fprintln(a.out)
			if err == io.EOF {
				return 0, ErrClosed
			}
			return 0, err
		case line := <-lines:
			if i, ok := match(strings.TrimSpace(line), options); ok {
				return i, nil
			}
			fmt.Fprintf(a.out, "please answer %s\n", describeKeys(options))
		}
	}
}

// keys renders "[Y/n/r]" with the default in upper case.
func keys(options []Option) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, o := range options {
		if i > 0 {
			b.WriteByte('/')
		}
		if i == 0 {
			b.WriteRune(unicode.ToUpper(o.Key))
		} else {
			b.WriteRune(unicode.ToLower(o.Key))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func describeKeys(options []Option) string {
	parts := make([]string, len(options))
	for i, o := range options {
		parts[i] = fmt.Sprintf("%c (%s)", unicode.ToLower(o.Key), o.Label)
	}
	return strings.Join(parts, ", ")
}

// match maps an answer to an option: empty is the default, otherwise the
// option's key or a word starting with it ("y", "yes", "N", "no").
func match(answer string, options []Option) (int, bool) {
	if answer == "" {
		return 0, true
	}
	first := unicode.ToLower([]rune(answer)[0])
	for i, o := range options {
		if unicode.ToLower(o.Key) == first {
			return i, true
		}
	}
	return 0, false
}

// Pick lists labels by number and reads the numbers to act on: "1 3",
// "1,3"; an empty answer picks nothing.
func (a *plainAsker) Pick(question string, labels []string) ([]int, error) {
	for i, l := range labels {
		fmt.Fprintf(a.out, "  %d  %s\n", i+1, l)
	}
	fmt.Fprintf(a.out, "%s (numbers, e.g. 1 3; Enter for none) ", question)
	line, err := bufio.NewReader(a.in).ReadString('\n')
	if err != nil {
		return nil, ErrClosed
	}
	return parsePicks(line, len(labels))
}

// parsePicks reads "1 3" or "1,3" as indexes into n labels.
func parsePicks(line string, n int) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		i, err := strconv.Atoi(f)
		if err != nil || i < 1 || i > n {
			return nil, fmt.Errorf("%q is not a number from 1 to %d", f, n)
		}
		if !slices.Contains(out, i-1) {
			out = append(out, i-1)
		}
	}
	return out, nil
}
