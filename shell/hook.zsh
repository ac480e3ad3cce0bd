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
_portguard_quiet_line() {
    emulate -L zsh
    [[ $1 != *[\$\`\\\!\(\)]* ]] || return 1
    local word command=
    local -i first=1
    local -a words
    words=(${=${1//[;&|$'\n']/ ; }})
    for word in $words; do
        (( ! ${+galiases[$word]} )) || return 1
        if [[ -n $command ]]; then
            # The command's first argument, as its subcommand.
            [[ $word != *[^A-Za-z0-9_.+-]* ]] && (( ${+_portguard_quiet[$command $word]} )) || return 1
            command=
        elif [[ $word == ';' ]]; then
            first=1
        elif (( first )); then
            [[ $word != *[^A-Za-z0-9_.+-]* ]] && (( ! ${+aliases[$word]} && ! ${+functions[$word]} )) || return 1
            (( ${+_portguard_quiet[$word]} )) || command=$word
            first=0
        fi
    done
    [[ -z $command && ${#words} -gt 0 ]]
}

# _portguard_check TEXT: 0 runs the line; 1 means the user declined it.
_portguard_check() {
    emulate -L zsh
    [[ -z ${PORTGUARD_DISABLE-} && $1 == *[^[:space:]]* ]] || return 0
    ! _portguard_quiet_line "$1" || return 0
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
_portguard_accept() {
    local widget=$1
    shift
    if [[ -z ${_portguard_checking-} ]]; then
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
    zle _portguard_orig_$widget -- "$@"
}

# Each widget that runs the line is wrapped: accept-line (Enter),
# accept-and-hold (Esc-a) and accept-line-and-down-history (Ctrl-O). The
# widget there before is kept as a user widget of portguard's own, never
# as an alias of a builtin: zsh-syntax-highlighting, loaded after, rewraps
# builtin widgets by calling .NAME, and an alias has no such name. Sourcing
# the rc file again wraps nothing twice: the chain already ends in
# portguard's check, which plugins re-sourced after it keep calling.
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
            fi
            functions[_portguard_$widget]="_portguard_accept $widget \"\$@\""
            zle -N $widget _portguard_$widget
        done
    }
fi
