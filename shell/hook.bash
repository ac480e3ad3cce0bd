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
# conservatively, as words between ; & | and newlines, each first word a
# command: a quoted separator only makes one more command to know, and a
# word with quotes, an assignment (PORT=3000), a redirection first or a
# keyword (if, time, {) is no word of the list, so such a line goes to
# portguard. So does a line with a substitution, an escape, a subshell or
# a ! in it: what those run cannot be read from the words.
_portguard_quiet_line() {
    [[ -n $_portguard_quiet_on && $1 != *[\$\`\\\!\(\)]* ]] || return 1
    if [[ $1 == *[*?[]* ]]; then
        # The words are split unquoted: no globbing (local -: bash 4.4).
        ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) || return 1
        local -
        set -f
    fi
    local IFS=$' \t\n' word command='' state=first
    local -a words commands=()
    # shellcheck disable=SC2206 # split on purpose, globbing off
    words=(${1//[;&|$'\n']/ ; })
    # One case per word (bash's cost is per command run): after a
    # separator a command word, after a word of the list its arguments,
    # after a word that needs its subcommand that subcommand.
    for word in "${words[@]}"; do
        case $state$word in
        sub\;) return 1 ;;
        *\;) state=first ;;
        args*) ;;
        first*)
            [[ $word != *[!A-Za-z0-9_.+-]* && -z ${BASH_ALIASES[$word]+set} ]] || return 1
            commands+=("$word")
            state=args
            [[ -n ${_portguard_quiet[$word]+set} ]] || { command=$word && state=sub; }
            ;;
        sub*)
            [[ $word != *[!A-Za-z0-9_.+-]* && -n ${_portguard_quiet[$command $word]+set} ]] || return 1
            state=args
            ;;
        esac
    done
    [[ $state != sub && ${#commands[@]} -gt 0 ]] || return 1
    # None is a function: declare -F prints the names of those that are.
    if _portguard_file_ok; then
        declare -F -- "${commands[@]}" >|"$_portguard_file"
        [[ ! -s $_portguard_file ]]
    else
        for word in "${commands[@]}"; do
            ! declare -F -- "$word" >/dev/null || return 1
        done
    fi
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
    _portguard_armed=
    _portguard_histcmd=

    # The history keeps the whole line, where BASH_COMMAND is only its
    # first command. HISTCONTROL and HISTIGNORE may keep a line out of it
    # (a leading space, a duplicate: Debian's default ignoreboth), so at
    # the prompt they are set aside and every line is saved; the check
    # then puts them back and removes the line again if they would have
    # kept it out.
    _portguard_hist_aside() {
        _portguard_user_hc=${HISTCONTROL-} _portguard_user_hi=${HISTIGNORE-}
        HISTCONTROL='' HISTIGNORE=''
    }
    _portguard_hist_back() {
        [[ -n ${_portguard_user_hc+set} ]] || return 0
        HISTCONTROL=$_portguard_user_hc HISTIGNORE=$_portguard_user_hi
        unset _portguard_user_hc _portguard_user_hi
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
        local IFS=:
        for pat in ${HISTIGNORE-}; do
            [[ $pat == '&' && $1 == "$2" ]] && return 1
            # shellcheck disable=SC2053 # a pattern, as HISTIGNORE's are
            [[ $pat != '&' && $1 == $pat ]] && return 1
        done
        return 0
    }

    # _portguard_history N VAR sets VAR to what `history N` prints.
    _portguard_history() {
        if _portguard_file_ok; then
            HISTTIMEFORMAT='' builtin history "$1" >|"$_portguard_file"
            _portguard_read "$2"
        else
            printf -v "$2" '%s' "$(HISTTIMEFORMAT='' builtin history "$1")"
        fi
    }

    # At the prompt HISTCMD is the number the next line will have in the
    # history; PROMPT_COMMAND's last step arms the trap for that line.
    # `_portguard_prompt ours`: portguard's trap ran for the step's first
    # commands, so it is still in place; `_portguard_prompt file`: the
    # step wrote `trap -p DEBUG` to the hook's file; with no argument, to
    # _portguard_dbg.
    _portguard_prompt() {
        case ${1-} in
        ours) ;;
        file)
            _portguard_read _portguard_dbg
            _portguard_keep_trap
            ;;
        *) _portguard_keep_trap ;;
        esac
        _portguard_hist_back
        if [[ -n ${_portguard_int_trap+set} ]]; then
            eval "$_portguard_int_trap"
            unset _portguard_int_trap
        fi
        _portguard_hist_aside
        _portguard_histcmd=$HISTCMD
        _portguard_seen=
        _portguard_armed=1
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

    # _portguard_keep_trap: a tool loaded after portguard (starship, an
    # older bash-preexec-less prompt) may set its own DEBUG trap over
    # portguard's. At each prompt portguard's is put back, with theirs kept
    # running first, as one that was there before.
    # A function does not see the DEBUG trap (it is not inherited without
    # function tracing), so PROMPT_COMMAND reads it at the top level into
    # _portguard_dbg first.
    _portguard_keep_trap() {
        [[ -n ${_portguard_dbg+set} && $_portguard_dbg != "trap -- '_portguard_debug' DEBUG" ]] || return 0
        _portguard_trap_command _portguard_prev_debug "$_portguard_dbg"
        trap _portguard_debug DEBUG
    }

    # The trap itself: the common case, disarmed with no trap of the
    # user's, is one test in a small function (bash's cost per call grows
    # with the function's size). _portguard_ran tells the prompt that the
    # trap is still portguard's, with no `trap -p` to read.
    _portguard_debug() {
        _portguard_ran=1
        [[ -z $_portguard_armed$_portguard_prev_debug ]] || _portguard_on_debug
    }

    # bash copies a function's whole body at every call: the trap's path
    # for a line is split into small functions, and what most lines never
    # need (another tool's DEBUG trap, the history off) is in functions of
    # its own.
    _portguard_on_debug() {
        if [[ -n $_portguard_prev_debug ]]; then
            [[ -z ${_portguard_in_prev-} ]] || return 0
            _portguard_run_prev || return $?
        fi
        [[ -z $_portguard_armed ]] || _portguard_on_line
    }

    # A trap that wraps portguard's own calls it back: once only.
    _portguard_run_prev() {
        _portguard_in_prev=1
        eval "$_portguard_prev_debug"
        local status=$?
        unset _portguard_in_prev
        return $status
    }

    _portguard_on_line() {
        # Not the line: PROMPT_COMMAND's own commands, a bind -x widget
        # (READLINE_LINE is set while it runs), completion, a subshell.
        [[ -n ${COMP_LINE-} || -n ${READLINE_LINE+set} ]] && return 0
        ((BASH_SUBSHELL)) && return 0
        # With function tracing on (set -T, extdebug: nvm and others turn
        # it on) the trap fires inside functions too, and those commands
        # are not the line either.
        if [[ $- == *T* ]] || shopt -q extdebug; then
            ((${#FUNCNAME[@]} > 3)) && return 0
        fi
        # A command of PROMPT_COMMAND is one of its texts, whole: a line
        # that is only part of a word of it (f, in "file") is not one.
        local sep=$'[\n\t ;&|(){}]'
        # shellcheck disable=SC2053 # sep is a pattern
        [[ $'\n'"${PROMPT_COMMAND[*]-}"$'\n' == *$sep"$BASH_COMMAND"$sep* ]] && return 0
        if [[ -o history && ( -z ${HISTSIZE-} || $HISTSIZE == *[!0]* ) ]]; then
            _portguard_history_line || return 0
        else
            # No line to read from the history (it is off, or HISTSIZE=0
            # keeps none): each top-level command of the line is checked
            # as it comes, and the prompt disarms. A loop typed at the
            # prompt runs its commands again and again: each is checked
            # the first time, not at every turn.
            [[ $'\n'$_portguard_seen == *$'\n'"$BASH_COMMAND"$'\n'* ]] && return 0
            _portguard_seen+=$BASH_COMMAND$'\n'
            _portguard_hist_back
            _portguard_line=$BASH_COMMAND
        fi
        _portguard_check_line "$_portguard_line" || _portguard_cancel
    }

    # _portguard_history_line sets _portguard_line to the accepted line,
    # from the history. With the user's HISTCONTROL set aside, an accepted
    # line is always saved, as the number HISTCMD had at the prompt
    # (`history` prints it as %5d). Anything else that runs at the prompt
    # (a trap of the user's on Ctrl-C, say) leaves the last entry an older
    # one, and it fails. The entry before it is read in the same call when
    # the user's settings drop duplicates.
    _portguard_history_line() {
        local hc=${_portguard_user_hc-${HISTCONTROL-}} n=1 pad all entry previous=''
        [[ :$hc: == *dups* || :$hc: == *:ignoreboth:* || ${_portguard_user_hi-${HISTIGNORE-}} == *'&'* ]] && n=2
        _portguard_history $n all
        printf -v pad '%5d' "$_portguard_histcmd"
        if [[ $all == "$pad"[\ \*]\ * ]]; then
            entry=$all
        elif [[ $all == *$'\n'"$pad"[\ \*]\ * ]]; then
            previous=${all%%$'\n'"$pad"[\ \*]\ *}
            entry=${all:${#previous}+1}
        else
            return 1
        fi
        _portguard_armed=
        _portguard_hist_back
        # "%5d%c %s": the number, a * when modified, a blank.
        _portguard_line=${entry:${#pad}+2}
        [[ -z $previous ]] || _portguard_entry previous "$previous"
        if ((BASH_VERSINFO[0] >= 5)) && ! _portguard_hist_kept "$_portguard_line" "$previous"; then
            builtin history -d -1
        fi
    }

    # A DEBUG trap that was there before (not bash-preexec's) keeps
    # running, first, as it did.
    if [[ -z ${_portguard_prev_debug+set} ]]; then
        _portguard_trap_command _portguard_prev_debug "$(trap -p DEBUG)"
        [[ $_portguard_prev_debug == _portguard_debug ]] && _portguard_prev_debug=
    fi

    if [[ ${PROMPT_COMMAND[*]-} != *_portguard_prompt* ]]; then
        # It disarms first: a trap still armed (Enter on an empty line)
        # then takes none of these commands for a line. Unless portguard's
        # trap ran for them, `trap -p DEBUG` is read, at the top level,
        # where the DEBUG trap is seen.
        # shellcheck disable=SC2016 # expanded when PROMPT_COMMAND runs
        _portguard_step='_portguard_ran= _portguard_armed=; if [[ -n $_portguard_ran ]]; then _portguard_prompt ours; elif _portguard_file_ok; then trap -p DEBUG >|"$_portguard_file"; _portguard_prompt file; else _portguard_dbg=$(trap -p DEBUG); _portguard_prompt; fi'
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
    # One word, a function: tools that layer their own DEBUG trap over an
    # existing one (starship) read the old trap's first word only.
    # Disarmed, it is a test and a return: no subshell, no command.
    trap _portguard_debug DEBUG
fi

fi
