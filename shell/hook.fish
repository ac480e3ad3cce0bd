# portguard's fish hook mode. Add to ~/.config/fish/config.fish:
#
#     portguard init fish --hook | source
#
# Every command line you accept is shown to portguard before fish runs it.
# Only when the line will listen on a port that is already held does
# portguard say who holds it and ask; declining cancels the line as
# Ctrl-C does: it stays on the screen, unrun, and the editor starts a new
# one. A line made only of commands that never listen (git status, ls,
# cd, vim: `portguard init fish --hook --never-listen mytool` adds to
# them) is decided here, with builtins, and starts no process; any other
# line costs one quick call. `set -gx PORTGUARD_DISABLE 1` turns the
# hook off.
#
# The hook is a binding of Enter that looks at `commandline` and then
# executes it. fish's own syntax (begin/end, `and`, `set`) is outside what
# portguard parses; such lines run unchecked.

# config.fish is read by every fish, scripts and `fish -c` included:
# only an interactive shell gets the hook.
status is-interactive; or exit 0

set -g _portguard_bin {{.Exe}}
# Tells the wrapper functions (portguard init fish) that lines are already
# checked here, so that one line is never checked twice.
set -g _portguard_hook 1

# The commands that never listen (shell.NeverListen, with the user's
# --never-listen). A word that can be part of a variable's name is one
# variable of its own, _portguard_q_WORD, so that every command of a line
# is looked up in one `set -q`; the rest (a word and its subcommand, git
# status) are a list, looked at only for the commands the variables do not
# know.
set -g _portguard_quiet {{.Words}}
# Sourced again with another list: the words of the last one go first.
for _portguard_w in (set -n | string match '_portguard_q_*')
    set -e $_portguard_w
end
set -g _portguard_quiet_rest (string match -rv '^[A-Za-z0-9_]+$' -- $_portguard_quiet)
for _portguard_w in (string match -r '^[A-Za-z0-9_]+$' -- $_portguard_quiet)
    set -g _portguard_q_$_portguard_w 1
end
set -e _portguard_w

# _portguard_quiet_line LINE: true when every command of LINE is one that
# never listens: a word of _portguard_quiet, or such a word and its
# subcommand (git status), that is no abbreviation and no function of
# the user's (fish's own ls and cd are the commands). Builtins only, and
# no process: most lines are these. It reads the line conservatively, as
# words between ; & | and newlines, each first word a command: a quoted
# separator only makes one more command to know, and a word with quotes,
# an assignment (PORT=3000), a redirection first or a keyword (and, not,
# begin, time) is no word of the list, so such a line goes to portguard.
# So does a line with a substitution, an escape or a variable in it.
# fish's cost is per command run, so the line's commands and their
# second words are read in one match, into the named groups' variables
# (string match -g: fish 3.4; an older fish refuses the flag, and every
# line goes to portguard).
function _portguard_quiet_line
    string match -qr '[$`\\\\!()]' -- $argv[1]; and return 1
    string match -qagr '(?:^|[;&|\n])\s*(?<_portguard_word>[^\s;&|]+)(?:[ \t]+(?<_portguard_next>[^\s;&|]+))?' -- $argv[1] 2>/dev/null
    switch $status
        case 1
            # No word: blanks and separators only, which run nothing.
            return 0
        case 0
        case '*'
            return 1
    end
    set -q _portguard_word[1]; or return 1
    # A command word is a plain name, as every word of the list is ([ or
    # ls[1] would be read by set -q as an index).
    string match -qr '[^A-Za-z0-9_.+-]' -- $_portguard_word; and return 1
    if not set -q _portguard_q_$_portguard_word
        # One of them is not a word of the variables: each command again,
        # its second word beside it (empty when it has none).
        set -l next $_portguard_next
        for word in $_portguard_word
            if not set -q _portguard_q_$word; and not contains -- $word $_portguard_quiet_rest
                contains -- "$word $next[1]" $_portguard_quiet_rest; or return 1
            end
            set -e next[1]
        end
    end
    abbr --query -- $_portguard_word; and return 1
    for word in $_portguard_word
        if functions -q -- $word
            functions --details -- $word | string match -q -- "$__fish_data_dir/*"; or return 1
        end
    end
end

# _portguard_abbr_args TOKEN: an abbreviation or a function that is the
# line's first word is passed as an alias, so that `dev`⏎ is checked as
# what fish expands it to, or as the body the function runs (one written
# in syntax portguard reads: cd, &&, pipes, VAR=value).
function _portguard_abbr_args
    if not abbr --query -- $argv[1] 2>/dev/null
        # fish's own functions (cd, ls, …) and portguard's wrappers (init
        # fish) are not followed: only the user's.
        if functions -q -- $argv[1]; and not string match -q -- "$__fish_data_dir/*" (functions --details -- $argv[1]); and not functions -- $argv[1] | string match -q '*_portguard_run*'
            set -l lines (functions --no-details -- $argv[1])
            echo --alias
            echo "$argv[1]="(string join \n -- $lines[2..-2])
        end
        return
    end
    for def in (abbr --show)
        set -l rest (string split -m 1 -- ' -- ' $def)[2]
        set -l name_value (string split -m 1 -- ' ' $rest)
        if test "$name_value[1]" = "$argv[1]"; and set -q name_value[2]
            # The value is in fish's own quoting, as --show prints it.
            echo --alias
            echo "$argv[1]="(eval "printf '%s' $name_value[2]")
            return
        end
    end
end

function _portguard_execute
    # The buffer and a newline: read, where a substitution of
    # `commandline | string collect` costs twice as much.
    commandline | read -lz line
    if test -z "$PORTGUARD_DISABLE"; and commandline --is-valid; and not _portguard_quiet_line $line
        set line (string replace -r '\n$' '' -- $line | string collect)
        set -l args (_portguard_abbr_args (commandline -o)[1])
        # A quiet look first: only a held port is worth leaving the
        # editor for.
        $_portguard_bin check-line --probe --shell fish $args -- $line </dev/null >/dev/null 2>&1
        if test $status -eq 75
            echo
            $_portguard_bin check-line --shell fish $args -- $line </dev/tty >/dev/tty 2>&1
            # Only a decline (75) or Ctrl-C (130) cancels the line; any
            # other status is portguard's failure: run it. It is cancelled
            # as fish's Ctrl-C does, so that what is typed next is a line
            # of its own, never appended to the declined one.
            if contains -- $status 75 130
                commandline -f cancel-commandline
                return
            end
        end
    end
    commandline -f execute
end

function _portguard_bind --on-variable fish_key_bindings
    for mode in default insert
        bind -M $mode \r _portguard_execute
        bind -M $mode \n _portguard_execute
    end
end
_portguard_bind
