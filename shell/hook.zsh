# portguard's zsh hook mode. Add to ~/.zshrc:
#
#     eval "$(portguard init zsh --hook)"
#
# Every command line you accept is shown to portguard before zsh runs it.
# Only when the line will listen on a port that is already held does
# portguard say who holds it and ask; declining cancels the line as
# Ctrl-C would, and puts it in the history (press Up to change or retry
# it). A line made only of commands that never listen (git status, ls,
# cd, vim: `portguard init zsh --hook --never-listen mytool` adds to
# them) is decided here, with builtins, and starts no process; any other
# line costs one quick call. `PORTGUARD_DISABLE=1` turns the hook off.
#
# The hook wraps the accept-line widget, which sees $BUFFER and can
# decline; preexec runs too late to cancel anything.

typeset -g _portguard_bin={{.Exe}}
# Tells the wrapper functions (portguard init zsh) that lines are already
# checked here, so that one line is never checked twice.
typeset -g _portguard_hook=1

# The commands that never listen (shell.NeverListen, with the user's
# --never-listen), as the keys of an associative array.
typeset -gA _portguard_quiet=({{.Words}})

# _portguard_quiet_line LINE: 0 when every command of LINE is one that
# never listens: a word of _portguard_quiet, or such a word and its
# subcommand (git status), that is no alias or function here, on a line
# with no global alias. Builtins only, and no process: most lines are
# these. It reads the line conservatively, as words between ; & | and
# newlines, each first word a command: a quoted separator only makes one
# more command to know, and a word with quotes, an assignment
# (PORT=3000), a redirection first or a keyword (if, time, {) is no word
# of the list, so such a line goes to portguard. So does a line with a
# substitution, an escape, a subshell, a glob qualifier or a ! (history
# expansion, which zsh does after this) in it.
# It reads the line a command at a time: zsh's cost is per command it
# runs, and a function call costs as much as a few of them.
_portguard_quiet_line() {
    emulate -L zsh
    [[ $1 != *[\$\`\\\!\(\)]* ]] || return 1
    local command
    local -a words
    if (( ${#galiases} )); then
        # A global alias expands anywhere in the line.
        local -a global=(${(k)galiases})
        words=(${=${1//[;&|$'\n']/ }})
        global=(${words:*global})
        (( ${#global} == 0 )) || return 1
    fi
    local -i found=0
    for command in ${(s:;:)${1//[&|$'\n']/;}}; do
        words=(${=command})
        (( ${#words} )) || continue
        [[ $words[1] != *[^A-Za-z0-9_.+-]* ]] && (( ! ${+aliases[$words[1]]} && ! ${+functions[$words[1]]} )) || return 1
        if (( ! ${+_portguard_quiet[$words[1]]} )); then
            # The command's first argument, as its subcommand.
            [[ -n ${words[2]-} && $words[2] != *[^A-Za-z0-9_.+-]* ]] && (( ${+_portguard_quiet[$words[1] $words[2]]} )) || return 1
        fi
        found=1
    done
    (( found ))
}

# _portguard_check TEXT: 0 runs the line; 1 means the user declined it.
# The caller has found it is not a line of commands that never listen.
_portguard_check() {
    emulate -L zsh
    local -a args
    local word
    for word in ${(z)1}; do
        if (( ${+aliases[$word]} )); then
            args+=(--alias "$word=${aliases[$word]}")
        elif (( ${+functions[$word]} )) && [[ ${functions[$word]} != *_portguard_run* ]]; then
            # A function is passed as the block it runs; portguard's own
            # wrappers (init zsh) are not followed.
            args+=(--alias "$word={ ${functions[$word]} }")
        fi
    done
    # A quiet look first: only a held port is worth leaving the editor
    # for. An unfinished line (the first lines of a loop, a here-doc) is
    # no shell syntax yet, and runs on to the next line unchecked.
    "$_portguard_bin" check-line --probe --shell zsh "${args[@]}" -- "$1" </dev/null >/dev/null 2>&1
    (( $? == 75 )) || return 0
    zle -I
    "$_portguard_bin" check-line --shell zsh "${args[@]}" -- "$1" </dev/tty >/dev/tty 2>&1
    # Only a decline (75) or Ctrl-C (130) cancels the line; any other
    # status is portguard's failure: run it.
    case $? in
    75 | 130) return 1 ;;
    esac
    return 0
}

# _portguard_accept WIDGET: the check, then the widget as it was before
# portguard wrapped it. Lines typed over several physical lines are
# checked whole: $PREBUFFER holds the lines before the last. A plugin
# that wraps portguard's widget and calls it back (or a chain of them)
# checks once.
# It is the body of each wrapped widget's function, with $widget set
# there: one function call less for every line.
_portguard_accept() {
    if [[ -z ${_portguard_checking-} && -z ${PORTGUARD_DISABLE-} && $PREBUFFER$BUFFER == *[^[:space:]]* ]] &&
        ! _portguard_quiet_line "$PREBUFFER$BUFFER"; then
        local _portguard_checking=1
        if ! _portguard_check "$PREBUFFER$BUFFER"; then
            # Cancelled as Ctrl-C would: a fresh, empty line, so that what
            # is typed next is a line of its own, never appended to the
            # declined one (which Up recalls from the history).
            # (A line that starts with a space stays out of it under
            # HIST_IGNORE_SPACE, as it would have had it run.)
            [[ -o histignorespace && $PREBUFFER$BUFFER == ' '* ]] || print -rs -- "$PREBUFFER$BUFFER"
            # Emptied: portguard's answer is the last thing on the screen,
            # with a fresh prompt below it, not the declined line drawn
            # again as if it were about to run. The lines before it of an
            # unfinished construct go with a send-break.
            BUFFER=
            [[ -z $PREBUFFER ]] || zle send-break
            return 1
        fi
    fi
    # A builtin widget is called by its own name, with no function of
    # portguard's between.
    if (( ${+_portguard_builtin[$widget]} )); then
        zle .$widget -- "$@"
    else
        zle _portguard_orig_$widget -- "$@"
    fi
}

# Each widget that runs the line is wrapped: accept-line (Enter),
# accept-and-hold (Esc-a) and accept-line-and-down-history (Ctrl-O). The
# widget there before is kept as a user widget of portguard's own, never
# as an alias of a builtin: zsh-syntax-highlighting, loaded after, rewraps
# builtin widgets by calling .NAME, and an alias has no such name. Sourcing
# the rc file again wraps nothing twice: the chain already ends in
# portguard's check, which plugins re-sourced after it keep calling.
(( ${+_portguard_builtin} )) || typeset -gA _portguard_builtin
if (( ! ${+_portguard_wrapped} )); then
    typeset -g _portguard_wrapped=1
    () {
        local widget previous
        for widget in accept-line accept-and-hold accept-line-and-down-history; do
            previous=${widgets[$widget]}
            if [[ $previous == user:* ]]; then
                zle -N _portguard_orig_$widget ${previous#user:}
            else
                functions[_portguard_orig_$widget]="zle .$widget -- \"\$@\""
                zle -N _portguard_orig_$widget
                _portguard_builtin[$widget]=1
            fi
            zle -N $widget _portguard_$widget
        done
    }
fi
# The wrapped widgets' functions are made at every source, outside the
# guard: an rc file sourced again after an upgrade reaches a shell that is
# already open. (A shell wrapped by an older portguard has no record of
# builtin widgets, and calls its _portguard_orig_ widgets.)
() {
    local widget
    for widget in accept-line accept-and-hold accept-line-and-down-history; do
        functions[_portguard_$widget]="local widget=$widget
${functions[_portguard_accept]}"
    done
}
