# A stand-in for bash-preexec (github.com/rcaloras/bash-preexec), which is
# not packaged for Debian or npm: the part of its documented contract the
# hook relies on. It marks itself imported, runs precmd_functions from
# PROMPT_COMMAND and preexec_functions from its DEBUG trap once per command
# line with the line as $1, and, under extdebug, skips the command when a
# preexec function returns non-zero.
bash_preexec_imported=defined
declare -a preexec_functions precmd_functions
__bp_interactive_mode=

__bp_precmd() {
    local f
    for f in "${precmd_functions[@]}"; do "$f"; done
    __bp_interactive_mode=on
}

__bp_preexec() {
    [[ -n $__bp_interactive_mode ]] || return 0
    [[ -n ${COMP_LINE-} ]] && return 0
    __bp_interactive_mode=
    local line f ret=0
    line=$(HISTTIMEFORMAT='' builtin history 1)
    line=${line#*[0-9][* ] }
    for f in "${preexec_functions[@]}"; do
        "$f" "$line" || ret=$?
    done
    return "$ret"
}

PROMPT_COMMAND=__bp_precmd
trap __bp_preexec DEBUG
