# portguard's zsh integration. Add to ~/.zshrc:
#
#     eval "$(portguard init zsh)"
#
# Each wrapped command runs as `portguard -q -- COMMAND ARG...`: portguard
# frees the port the command is about to listen on (asking first) and then
# becomes the command, so its output, exit status, stdin and terminal are
# the command's own. A free port, or one portguard cannot infer, costs one
# quick check. `PORTGUARD_DISABLE=1 npm …` or `command npm …` bypasses it.

typeset -g _portguard_bin={{.Exe}}

_portguard_run() {
    # In hook mode (init --hook) the line was checked before it ran.
    if [[ -n ${PORTGUARD_DISABLE-}${_portguard_hook-} ]]; then
        command "$@"
    else
        "$_portguard_bin" -q -- "$@"
    fi
}

() {
    local cmd
    for cmd in {{.Commands}}; do
        # A function of the user's own is left alone; ours is redefined,
        # so sourcing twice still wraps once.
        if (( ${+functions[$cmd]} )) && [[ ${functions[$cmd]} != *_portguard_run* ]]; then
            continue
        fi
        functions[$cmd]="_portguard_run $cmd \"\$@\""
    done
}
