# portguard's bash hook mode (bash 4.0 or later). Add to the end of
# ~/.bashrc, after anything else that sets PROMPT_COMMAND:
#
#     eval "$(portguard init bash --hook)"
#
# Every command line you accept is shown to portguard before bash runs
# it. Only when the line will listen on a port that is already held does
# portguard say who holds it and ask; declining cancels the line (it is in
# the history: press Up to edit it). Lines with no port, or a free one,
# cost one quick call. `PORTGUARD_DISABLE=1` turns the hook off.
#
# bash has no widget that sees the whole line before it runs, so the hook
# is a DEBUG trap with extdebug (a non-zero return skips the command). It
# fires before every simple command, so it is armed at each prompt and
# disarmed by the first command of the line. With bash-preexec loaded the
# check is a preexec function instead, and the trap stays bash-preexec's.

if ((BASH_VERSINFO[0] < 4)); then
    echo "portguard: the bash hook needs bash 4.0 or later; use the wrappers: eval \"\$(portguard init bash)\"" >&2
else

_portguard_bin={{.Exe}}
# Tells the wrapper functions (portguard init bash) that lines are already
# checked here, so that one line is never checked twice.
_portguard_hook=1

# _portguard_check_line LINE: 0 runs the line; 1 cancels it. Only
# portguard's own answers cancel: 75 (a port is held and you declined)
# and 130 (Ctrl-C). Anything else, a missing binary (127) included, runs
# the line: a guard must never lock the shell.
_portguard_check_line() {
    [[ -n ${PORTGUARD_DISABLE-} || $1 != *[![:space:]]* ]] && return 0
    local -a words args=()
    local word
    read -ra words <<<"$1"
    for word in "${words[@]}"; do
        if [[ -n ${BASH_ALIASES[$word]+set} ]]; then
            args+=(--alias "$word=${BASH_ALIASES[$word]}")
        fi
    done
    "$_portguard_bin" check-line --shell bash "${args[@]}" -- "$1" </dev/tty 2>/dev/tty >/dev/tty
    case $? in
    75 | 130) return 1 ;;
    esac
    return 0
}

# _portguard_cancel abandons the rest of the line the way Ctrl-C does, so
# that `cd web && npm run dev` stops as a whole ($? is 130): a skipped
# command counts as a success, and && would go on.
_portguard_cancel() {
    kill -INT $$
}

if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
    # bash-preexec owns the DEBUG trap and skips the command when a preexec
    # function fails under extdebug.
    _portguard_preexec() {
        _portguard_check_line "$1" || {
            _portguard_cancel
            return 1
        }
    }
    if [[ " ${preexec_functions[*]} " != *" _portguard_preexec "* ]]; then
        preexec_functions+=(_portguard_preexec)
    fi
else
    _portguard_armed=
    _portguard_histcmd=

    # At the prompt HISTCMD is the number the next line will have in the
    # history; PROMPT_COMMAND's last step arms the trap for that line.
    _portguard_prompt() {
        _portguard_histcmd=$HISTCMD
        _portguard_armed=1
    }

    # A DEBUG trap that was there before (not bash-preexec's) keeps
    # running, first, as it did.
    _portguard_trap_command() { # the command of `trap -p` output $1
        eval "set -- $1"
        printf '%s' "${3-}"
    }
    if [[ -z ${_portguard_prev_debug+set} ]]; then
        _portguard_prev_debug=$(_portguard_trap_command "$(trap -p DEBUG)")
        [[ $_portguard_prev_debug == _portguard_debug ]] && _portguard_prev_debug=
    fi

    _portguard_debug() {
        if [[ -n $_portguard_prev_debug ]]; then
            eval "$_portguard_prev_debug" || return
        fi
        [[ -n $_portguard_armed ]] || return 0
        # Completion functions run commands too; they are not the line.
        [[ -n ${COMP_LINE-} ]] && return 0
        local line=$BASH_COMMAND
        # After an empty line the first command the trap sees is
        # PROMPT_COMMAND's own, and with PROMPT_COMMAND an array (bash
        # 5.1), the elements after ours run armed too: not the line.
        [[ ${PROMPT_COMMAND[*]} == *"$line"* ]] && return 0
        _portguard_armed=
        # A line kept out of the history (HISTCONTROL=ignorespace,
        # ignoredups, HISTIGNORE) leaves HISTCMD behind; then the command
        # about to run is all there is to check.
        if [[ $HISTCMD == "$_portguard_histcmd" ]]; then
            line=$(HISTTIMEFORMAT='' builtin history 1)
            line=${line#"${line%%[![:space:]]*}"}
            line=${line#"${line%%[!0-9]*}"}
            line=${line#[* ]}
            line=${line# }
        fi
        _portguard_check_line "$line" || {
            _portguard_cancel
            return 1
        }
    }

    if [[ ${PROMPT_COMMAND[*]} != *_portguard_prompt* ]]; then
        if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
            PROMPT_COMMAND+=(_portguard_prompt)
        else
            # A string here: the array case is the branch above.
            # shellcheck disable=SC2178,SC2128
            PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND
}_portguard_prompt"
        fi
    fi
    trap _portguard_debug DEBUG
fi
shopt -s extdebug

fi
