# portguard's bash hook mode (bash 4.0 or later). Add to the end of
# ~/.bashrc, after anything else that sets PROMPT_COMMAND (starship,
# bash-preexec, direnv):
#
#     eval "$(portguard init bash --hook)"
#
# Every command line you accept is shown to portguard before bash runs
# it. Only when the line will listen on a port that is already held does
# portguard say who holds it and ask; declining cancels the whole line (it
# is in the history: press Up to edit it). A line made only of commands
# that never listen (git status, ls, cd, vim: `portguard init bash --hook
# --never-listen mytool` adds to them) is decided here, with builtins,
# and starts no process; any other line costs one quick call.
# `PORTGUARD_DISABLE=1` turns the hook off.
#
# bash has no widget that sees the whole line before it runs, so the hook
# is a DEBUG trap. It is armed for exactly one line: at each prompt, by the
# last step of PROMPT_COMMAND, and disarmed by the line's first top-level
# command. What else runs at the prompt is never taken for the line: the
# commands of PROMPT_COMMAND, of a `bind -x` widget (fzf's Ctrl-R), of
# completion, and anything inside a function or a subshell. No extdebug:
# the trap does not fire inside functions at all, so it costs nothing in
# nvm or a completion function, and a few microseconds per top-level
# command otherwise. A declined line is stopped as Ctrl-C stops it.
#
# With bash-preexec loaded the check is a preexec function instead, and
# the trap stays bash-preexec's.
#
# Nothing here forks per line: what a builtin prints (the line from the
# history, the DEBUG trap, a function's body) is written to a file of the
# hook's own on a memory file system and read back with `read`, where a
# command substitution would fork a subshell. `history -a FILE` is not
# used for it: it marks the lines as saved, and with histappend bash then
# leaves them out of HISTFILE at exit (so would a PROMPT_COMMAND of
# `history -a`). With no memory file system ($XDG_RUNTIME_DIR, /dev/shm)
# the hook forks as before rather than write lines to a disk.

if ((BASH_VERSINFO[0] < 4)); then
    echo "portguard: the bash hook needs bash 4.0 or later; use the wrappers: eval \"\$(portguard init bash)\"" >&2
else

_portguard_bin={{.Exe}}
# Tells the wrapper functions (portguard init bash) that lines are already
# checked here, so that one line is never checked twice.
_portguard_hook=1

# _portguard_file_ok: the hook's file is there and still its own, and no
# symbolic link. In /dev/shm (sticky) nobody else can remove or replace
# a file of ours, so what is checked here is what the next redirection
# opens.
_portguard_file_ok() {
    [[ -n ${_portguard_file-} && -O $_portguard_file && ! -L $_portguard_file ]]
}

# _portguard_read VAR sets VAR to what a builtin just wrote to the file,
# without its last newline. mapfile reads a file in blocks, where
# `read -d ''` reads it a byte at a time.
_portguard_read() {
    local -a lines
    mapfile -t lines <"$_portguard_file"
    local IFS=$'\n'
    printf -v "$1" '%s' "${lines[*]}"
}

# _portguard_open_file makes the file: in $XDG_RUNTIME_DIR (the user's
# own, in memory) or else /dev/shm, mode 0600, created by this shell
# (noclobber: never one someone else put there), named after its PID, and
# removed when the shell exits. Files of shells that exited without
# running their EXIT trap (exec, a trap of the user's set later) are
# removed first.
_portguard_open_file() {
    local dir file prev pid nullglob=1 failglob=
    if [[ -n ${XDG_RUNTIME_DIR-} && -d $XDG_RUNTIME_DIR && -O $XDG_RUNTIME_DIR && -w $XDG_RUNTIME_DIR ]]; then
        dir=$XDG_RUNTIME_DIR
    elif [[ -d /dev/shm && -k /dev/shm && -w /dev/shm ]]; then
        dir=/dev/shm
    else
        return 1
    fi
    shopt -q nullglob || { nullglob= && shopt -s nullglob; }
    ! shopt -q failglob || { failglob=1 && shopt -u failglob; }
    for file in "$dir"/portguard-hook.*; do
        pid=${file##*.}
        [[ -n $pid && $pid != *[!0-9]* && $pid != "$$" && -O $file && ! -L $file ]] || continue
        kill -0 "$pid" 2>/dev/null || command rm -f -- "$file"
    done
    [[ -n $nullglob ]] || shopt -u nullglob
    [[ -z $failglob ]] || shopt -s failglob
    file=$dir/portguard-hook.$$
    (umask 077 && set -C && : >"$file") 2>/dev/null || return 1
    _portguard_file=$file
    _portguard_file_ok || { _portguard_file= && return 1; }
    trap -p EXIT >|"$_portguard_file"
    _portguard_read prev
    _portguard_trap_command prev "$prev"
    [[ $prev == *_portguard_remove_file* ]] || trap -- "${prev:+$prev
}_portguard_remove_file" EXIT
}

_portguard_remove_file() {
    _portguard_file_ok && command rm -f -- "$_portguard_file"
    _portguard_file=
}

# _portguard_trap_command VAR TRAP sets VAR to the command of `trap -p`
# output TRAP.
_portguard_trap_command() {
    local var=$1
    eval "set -- $2"
    printf -v "$var" '%s' "${3-}"
}

# The commands that never listen (shell.NeverListen, with the user's
# --never-listen), as the keys of an associative array (bash 4.2: -g);
# an older bash checks every line with portguard.
_portguard_quiet_on=
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 402)); then
    declare -gA _portguard_quiet=({{.Words}})
    _portguard_quiet_on=1
fi

# _portguard_quiet_line LINE: 0 when every command of LINE is one that
# never listens: a word of _portguard_quiet, or such a word and its
# subcommand (git status), that is no alias or function here. Builtins
# only, and no process: most lines are these. It reads the line
# conservatively, as commands between ; & | and newlines, each first word
# a command: a quoted separator only makes one more command to know, and
# a word with quotes, an assignment (PORT=3000), a redirection first or a
# keyword (if, time, {) is no word of the list, so such a line goes to
# portguard. So does a line with a substitution, an escape, a subshell or
# a ! in it: what those run cannot be read from the words.
# bash's cost is per command run, and a function's whole body is copied
# at each call: the loop is per command, not per word, and what only a
# shell with no file for the hook needs is a function of its own.
_portguard_quiet_line() {
    [[ -n $_portguard_quiet_on && $1 != *[\$\`\\\!\(\)]* ]] || return 1
    # The words are split unquoted: a line with a pattern in it is read
    # with globbing off.
    [[ $1 != *[*?[]* || -n ${2-} ]] || { _portguard_quiet_glob "$1"; return; }
    # Split at the separators, a newline being one: the empty command
    # between && is dropped by the splitting, a blank one adds no name.
    local IFS=$'\n' command commands names=''
    # shellcheck disable=SC2206 # split on purpose, globbing off
    commands=(${1//[;&|]/$'\n'})
    IFS=$' \t\n'
    for command in "${commands[@]}"; do
        # shellcheck disable=SC2086 # split on purpose, globbing off
        set -- $command
        # A word of the list, or one whose subcommand is (git status); no
        # alias.
        [[ $# == 0 || ($1 != *[!A-Za-z0-9_.+-]* && -z ${BASH_ALIASES[$1]+set} &&
            (-n ${_portguard_quiet[$1]+set} || (${2-} != *[!A-Za-z0-9_.+-]* && -n ${_portguard_quiet[$1 ${2-}]+set}))) ]] || return 1
        names+=" ${1-}"
    done
    # None is a function: declare -F prints the names of those that are
    # (and, given none, all functions). The names are of letters, digits
    # and _.+- only.
    # shellcheck disable=SC2086
    [[ -n ${_portguard_out-} ]] || { _portguard_no_function $names; return; }
    # shellcheck disable=SC2086
    declare -F -- $names >|"$_portguard_out"
    [[ ! -s $_portguard_out ]]
}

# _portguard_quiet_glob LINE: _portguard_quiet_line with globbing off
# (local -: bash 4.4).
_portguard_quiet_glob() {
    ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) || return 1
    local -
    set -f
    _portguard_quiet_line "$1" noglob
}

# _portguard_no_function NAME...: 0 when there are names and none is a
# function, asked one by one with no file to write to.
_portguard_no_function() {
    (($#)) || return 1
    local name
    for name; do
        ! declare -F -- "$name" >/dev/null || return 1
    done
}

# _portguard_check_line LINE: 0 runs the line; 1 cancels it. Only
# portguard's own answers cancel: 75 (a port is held and you declined)
# and 130 (Ctrl-C). Anything else, a missing binary (127) included, runs
# the line: a guard must never lock the shell.
_portguard_check_line() {
    [[ -n ${PORTGUARD_DISABLE-} || $1 != *[![:space:]]* ]] && return 0
    _portguard_quiet_line "$1" && return 0
    _portguard_ask "$1"
}

# _portguard_ask LINE: portguard's answer for a line that may serve. (bash
# copies a function's whole body at every call, so what most lines never
# need is in functions of its own.)
_portguard_ask() {
    local -a words args=()
    local word body
    if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)); then
        local - IFS=$' \t\n'
        set -f
        # shellcheck disable=SC2206 # split on purpose, globbing off
        words=($1)
    else
        read -ra words <<<"$1"
    fi
    for word in "${words[@]}"; do
        if [[ -n ${BASH_ALIASES[$word]+set} ]]; then
            args+=(--alias "$word=${BASH_ALIASES[$word]}")
        elif [[ $word == [[:alpha:]_]* && $word != *[!-[:alnum:]_.:]* ]] && declare -F -- "$word" >/dev/null; then
            # A function is passed as the block it runs: dev() { cd web
            # && npm run dev; } is followed like the line itself.
            # portguard's own wrappers (init bash) are not followed: the
            # line is what they run.
            if _portguard_file_ok; then
                declare -f -- "$word" >|"$_portguard_file"
                _portguard_read body
            else
                body=$(declare -f -- "$word")
            fi
            [[ $body == *_portguard_run* ]] || args+=(--alias "$word=${body#*$'\n'}")
        fi
    done
    "$_portguard_bin" check-line --shell bash "${args[@]}" -- "$1" </dev/tty 2>/dev/tty >/dev/tty
    case $? in
    75 | 130) return 1 ;;
    esac
    return 0
}

# _portguard_cancel abandons the whole line the way Ctrl-C does ($? is
# 130): a user's own INT trap is set aside for this one signal, so that it
# cannot catch it and let the rest of the line run; the next prompt puts
# it back.
_portguard_cancel() {
    _portguard_int_trap=$(trap -p INT)
    trap - INT
    kill -INT $$
}

# Sourced again, the shell keeps its file. A shell that is not
# interactive (a script that sources .bashrc) reads no lines: no file.
if [[ $- == *i* ]]; then
    _portguard_file_ok || _portguard_open_file || _portguard_file=
fi

if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
    # bash-preexec owns the DEBUG trap and calls preexec functions once
    # per line, with the line.
    _portguard_preexec() {
        local _portguard_out=
        ! _portguard_file_ok || _portguard_out=$_portguard_file
        _portguard_check_line "$1" || _portguard_cancel
    }
    _portguard_restore_int() {
        if [[ -n ${_portguard_int_trap+set} ]]; then
            eval "$_portguard_int_trap"
            unset _portguard_int_trap
        fi
    }
    if [[ " ${preexec_functions[*]} " != *" _portguard_preexec "* ]]; then
        preexec_functions+=(_portguard_preexec)
        precmd_functions+=(_portguard_restore_int)
    fi
else
    # The trap: a function, whose first word is all that tools which
    # layer their own DEBUG trap over an existing one (starship) keep; and
    # given $_, so that $_ is still the last word of the command before
    # (bash sets it to the trap command's last word: `mkdir -p d && cd
    # "$_"` would go to the function's name).
    # shellcheck disable=SC2016 # expanded when the trap runs
    _portguard_trap='_portguard_debug "$_"'
    _portguard_armed=
    _portguard_pad=
    _portguard_aside=
    _portguard_attrs=
    ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 404)) || _portguard_attrs=1
    _portguard_spaces='     '
    # bash 5.2 reads $(<file) without a subshell.
    _portguard_slurp=0
    ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 502)) || _portguard_slurp=1

    # The history keeps the whole line, where BASH_COMMAND is only its
    # first command. HISTCONTROL and HISTIGNORE may keep a line out of it
    # (a leading space, a duplicate: Debian's default ignoreboth), so at
    # the prompt they are set aside and every line is saved; the check
    # then puts them back and removes the line again if they would have
    # kept it out.
    # _portguard_aside says that they are.
    _portguard_hist_back() {
        [[ -z ${_portguard_aside-} ]] ||
            _portguard_aside='' HISTCONTROL=$_portguard_user_hc HISTIGNORE=$_portguard_user_hi
    }

    # _portguard_hist_kept LINE PREVIOUS: would the user's HISTCONTROL and
    # HISTIGNORE have saved LINE after PREVIOUS?
    _portguard_hist_kept() {
        local pat
        case :${HISTCONTROL-}: in
        *:ignorespace:* | *:ignoreboth:*) [[ $1 == [[:space:]]* ]] && return 1 ;;
        esac
        case :${HISTCONTROL-}: in
        *:ignoredups:* | *:ignoreboth:* | *:erasedups:*) [[ $1 == "$2" ]] && return 1 ;;
        esac
        # HISTIGNORE's patterns, split at the colons by hand: an unquoted
        # split would glob them against the current directory.
        local rest=${HISTIGNORE-}
        while [[ -n $rest ]]; do
            pat=${rest%%:*}
            [[ $rest == *:* ]] && rest=${rest#*:} || rest=''
            [[ $pat == '&' && $1 == "$2" ]] && return 1
            # shellcheck disable=SC2053 # a pattern, as HISTIGNORE's are
            [[ -n $pat && $pat != '&' && $1 == $pat ]] && return 1
        done
        return 0
    }

    # _portguard_hist_drop OUTPUT: the line's entry is taken out of the
    # history again when the user's settings would have kept it out after
    # the one before it, in OUTPUT (what `history 2` printed).
    _portguard_hist_drop() {
        local previous=''
        if [[ $1 == *$'\n'"$_portguard_pad"[\ \*]\ * && $1 != "$_portguard_pad"[\ \*]\ * ]]; then
            _portguard_entry previous "${1%%$'\n'"$_portguard_pad"[\ \*]\ *}"
        fi
        if ((BASH_VERSINFO[0] >= 5)) && ! _portguard_hist_kept "$_portguard_line" "$previous"; then
            builtin history -d -1
        fi
    }

    # _portguard_entry VAR ENTRY sets VAR to the command of a `history`
    # entry: without its number, the * of a modified entry, and blanks.
    _portguard_entry() {
        local e=$2
        e=${e#"${e%%[![:space:]]*}"}
        e=${e#"${e%%[!0-9]*}"}
        e=${e#[* ]}
        printf -v "$1" '%s' "${e# }"
    }

    # PROMPT_COMMAND's last step, `_portguard_prompt check "$_portguard_ran"`,
    # arms the trap for the next line, whose number in the history is
    # HISTCMD now (it is printed as %5d). bash runs the DEBUG trap before
    # it expands the command's words: the second argument is the command
    # portguard's trap ran for, this one when the trap is still
    # portguard's. (Read inside the function, with function tracing on, it
    # would be the function's own first command.) Otherwise it returns 1,
    # and the step then reads `trap -p DEBUG` at the top level, where the
    # trap is seen, and calls `_portguard_prompt file` (it is in the hook's
    # file) or `_portguard_prompt dbg` (in _portguard_dbg). `ours`, and no
    # argument for `dbg`, are what the step of an older portguard passes,
    # in a shell that sourced this one again.
    _portguard_prompt() {
        [[ ${1-} == check && ${2-} == "_portguard_prompt check"* && -z ${_portguard_int_trap+set} ]] ||
            _portguard_prompt_other "$@" || return 1
        # Set aside, unless they still are (Enter on an empty line), or
        # one of them is read-only (bash 4.4 tells without a fork; then a
        # line they keep out of the history is not read, and not checked).
        [[ -n ${_portguard_aside-} ||
            (-n $_portguard_attrs && ${HISTCONTROL+${HISTCONTROL@a}}${HISTIGNORE+${HISTIGNORE@a}} == *r*) ]] ||
            _portguard_user_hc=${HISTCONTROL-} _portguard_user_hi=${HISTIGNORE-} _portguard_aside=1 HISTCONTROL='' HISTIGNORE=''
        # The number as `history` prints it, %5d.
        _portguard_armed=1 _portguard_seen='' _portguard_ran='' _portguard_pad=${_portguard_spaces:${#HISTCMD}}$HISTCMD
    }

    _portguard_prompt_other() {
        if [[ -n ${_portguard_int_trap+set} ]]; then
            eval "$_portguard_int_trap"
            unset _portguard_int_trap
        fi
        case ${1-} in
        check) [[ ${2-} == "_portguard_prompt check"* ]] ;;
        ours) ;;
        file)
            _portguard_read _portguard_dbg
            _portguard_keep_trap
            ;;
        *) _portguard_keep_trap ;;
        esac
    }

    # _portguard_keep_trap: a tool loaded after portguard (starship, an
    # older bash-preexec-less prompt) may set its own DEBUG trap over
    # portguard's. At each prompt portguard's is put back, with theirs kept
    # running first, as one that was there before.
    # A function does not see the DEBUG trap (it is not inherited without
    # function tracing), so PROMPT_COMMAND reads it at the top level into
    # _portguard_dbg first.
    _portguard_keep_trap() {
        [[ -n ${_portguard_dbg+set} && $_portguard_dbg != "trap -- '$_portguard_trap' DEBUG" &&
            $_portguard_dbg != "trap -- '_portguard_debug' DEBUG" ]] || return 0
        _portguard_trap_command _portguard_prev_debug "$_portguard_dbg"
        trap -- "$_portguard_trap" DEBUG
    }

    # The trap itself: the common case, disarmed with no trap of the
    # user's, is one test in a small function. _portguard_ran, the command
    # it last ran for, tells the prompt that the trap is still portguard's,
    # with no `trap -p` to read.
    _portguard_debug() {
        _portguard_ran=$BASH_COMMAND
        [[ -z $_portguard_armed$_portguard_prev_debug ]] || _portguard_on_line
    }

    # A trap that wraps portguard's own calls it back: once only.
    _portguard_run_prev() {
        _portguard_in_prev=1
        eval "$_portguard_prev_debug"
        local status=$?
        unset _portguard_in_prev
        return $status
    }

    # _portguard_on_line: the line's first top-level command is about to
    # run. bash copies a function's whole body at every call, and its cost
    # is per command run: this is the path of every line, and what most
    # lines never need (another tool's DEBUG trap, the history off, a
    # duplicate) is in functions of their own.
    _portguard_on_line() {
        if [[ -n $_portguard_prev_debug ]]; then
            [[ -z ${_portguard_in_prev-} ]] || return 0
            _portguard_run_prev || return $?
            [[ -n $_portguard_armed ]] || return 0
        fi
        # Not the line: a bind -x widget (READLINE_LINE is set while it
        # runs), completion, a subshell; with function tracing on (set -T,
        # extdebug: nvm and others turn it on), a command in a function;
        # a command of PROMPT_COMMAND, one of its texts whole (a line that
        # is only part of a word of it, f in "file", is not one).
        [[ -n ${COMP_LINE-} || -n ${READLINE_LINE+set} || $BASH_SUBSHELL != 0 ||
            (($- == *T* || :${BASHOPTS-}: == *:extdebug:*) && ${#FUNCNAME[@]} -gt 2) ||
            $'\n'"${PROMPT_COMMAND[*]-}"$'\n' == *[$'\n\t ;&|(){}']"$BASH_COMMAND"[$'\n\t ;&|(){}']* ]] && return 0
        # With the user's HISTCONTROL set aside, an accepted line is always
        # saved, as the number HISTCMD had at the prompt. Anything else
        # that runs at the prompt (a trap of the user's on Ctrl-C, say)
        # leaves the last entry an older one, and the line is not read.
        # The entry before it is read too, for the user's settings that
        # drop duplicates. The common case is one test: the history is on
        # and keeps lines, the hook's file is its own (checked once for all
        # the line's reads), and bash (5.2) reads $(<file) with no
        # subshell.
        local _portguard_out='' all
        if [[ -o history && (-z ${HISTSIZE-} || $HISTSIZE == *[!0]*) &&
            -n $_portguard_file && -O $_portguard_file && ! -L $_portguard_file ]] && ((_portguard_slurp)); then
            _portguard_out=$_portguard_file
            HISTTIMEFORMAT='' builtin history 2 >|"$_portguard_out"
            all=$(<"$_portguard_out")
        else
            ! _portguard_file_ok || _portguard_out=$_portguard_file
            if [[ ! -o history || (-n ${HISTSIZE-} && $HISTSIZE != *[!0]*) ]]; then
                _portguard_each_command
                return
            fi
            _portguard_history_slow all
        fi
        # Each entry is "%5d%c %s": the number, a * when modified, a
        # blank, the command.
        if [[ $all == *$'\n'"$_portguard_pad"[\ \*]\ * && $all != "$_portguard_pad"[\ \*]\ * ]]; then
            _portguard_armed='' _portguard_line=${all#*$'\n'"$_portguard_pad"[\ \*]\ }
        elif [[ $all == "$_portguard_pad"[\ \*]\ * ]]; then
            _portguard_armed='' _portguard_line=${all:${#_portguard_pad}+2}
        else
            return 0
        fi
        [[ -z $_portguard_aside ]] ||
            _portguard_aside='' HISTCONTROL=$_portguard_user_hc HISTIGNORE=$_portguard_user_hi
        # Only an entry that ends as the line does can be the same. A
        # blank line, saved while HISTCONTROL is set aside, runs nothing:
        # the trap fired for a command of PROMPT_COMMAND after it.
        [[ $all == *"$_portguard_line"$'\n'"$_portguard_pad"[\ \*]\ * || -n ${HISTIGNORE-}${PORTGUARD_DISABLE-} ||
            $_portguard_line == [[:space:]]* ]] && {
            _portguard_hist_drop "$all"
            [[ -z ${PORTGUARD_DISABLE-} && $_portguard_line == *[![:space:]]* ]] || return 0
        }
        _portguard_quiet_line "$_portguard_line" || _portguard_ask "$_portguard_line" || _portguard_cancel
    }

    # _portguard_history_slow VAR sets VAR to what `history 2` prints:
    # with no file for the hook, by a subshell; in bash before 5.2, where
    # $(<file) is one, read from the file by mapfile (in blocks, where
    # `read -d ''` reads it a byte at a time).
    _portguard_history_slow() {
        if [[ -z $_portguard_out ]]; then
            printf -v "$1" '%s' "$(HISTTIMEFORMAT='' builtin history 2)"
        else
            HISTTIMEFORMAT='' builtin history 2 >|"$_portguard_out"
            _portguard_read "$1"
        fi
    }

    # _portguard_each_command: with no line to read from the history (it
    # is off, or HISTSIZE=0 keeps none), each top-level command of the line
    # is checked as it comes, and the prompt disarms. A loop typed at the
    # prompt runs its commands again and again: each is checked the first
    # time, not at every turn.
    _portguard_each_command() {
        [[ $'\n'$_portguard_seen == *$'\n'"$BASH_COMMAND"$'\n'* ]] && return 0
        _portguard_seen+=$BASH_COMMAND$'\n'
        _portguard_hist_back
        _portguard_check_line "$BASH_COMMAND" || _portguard_cancel
    }

    # A DEBUG trap that was there before (not bash-preexec's) keeps
    # running, first, as it did.
    if [[ -z ${_portguard_prev_debug+set} ]]; then
        _portguard_trap_command _portguard_prev_debug "$(trap -p DEBUG)"
        [[ $_portguard_prev_debug == "$_portguard_trap" || $_portguard_prev_debug == _portguard_debug ]] && _portguard_prev_debug=
    fi

    if [[ ${PROMPT_COMMAND[*]-} != *_portguard_prompt* ]]; then
        # Unless portguard's trap ran for the step, `trap -p DEBUG` is
        # read, at the top level, where the DEBUG trap is seen. (A trap
        # still armed, after Enter on an empty line, takes none of these
        # commands for a line: they are PROMPT_COMMAND's.)
        # shellcheck disable=SC2016 # expanded when PROMPT_COMMAND runs
        _portguard_step='_portguard_prompt check "${_portguard_ran-}" || if _portguard_file_ok; then trap -p DEBUG >| "$_portguard_file"; _portguard_prompt file; else _portguard_dbg=$(trap -p DEBUG); _portguard_prompt dbg; fi'
        # ${VAR@a} (bash 4.4) says whether it is an array without a fork.
        _portguard_pc_attrs=
        if [[ -z ${PROMPT_COMMAND+set} ]]; then
            : # unset (and set -u may be on): a string from here
        elif ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)); then
            _portguard_pc_attrs=${PROMPT_COMMAND@a}
        elif [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
            _portguard_pc_attrs=a
        fi
        if [[ $_portguard_pc_attrs == *a* ]]; then
            PROMPT_COMMAND+=("$_portguard_step")
        else
            # A string here: the array case is the branch above.
            # shellcheck disable=SC2178,SC2128
            PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND
}$_portguard_step"
        fi
    fi
    # Disarmed, it is a test and a return: no subshell, no command.
    trap -- "$_portguard_trap" DEBUG
fi

fi
