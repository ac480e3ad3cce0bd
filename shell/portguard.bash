# portguard's bash integration. Add to ~/.bashrc:
#
#     eval "$(portguard init bash)"
#
# Each wrapped command runs as `portguard -q -- COMMAND ARG...`: portguard
# frees the port the command is about to listen on (asking first) and then
# becomes the command, so its output, exit status, stdin and terminal are
# the command's own. A free port, or one portguard cannot infer, costs one
# quick check. `PORTGUARD_DISABLE=1 npm …` or `command npm …` bypasses it.

_portguard_bin={{.Exe}}

_portguard_run() {
    # In hook mode (init --hook) the line was checked before it ran.
    if [[ -n ${PORTGUARD_DISABLE-}${_portguard_hook-} ]]; then
        command "$@"
    else
        "$_portguard_bin" -q -- "$@"
    fi
}

_portguard_wrap() {
    local cmd
    for cmd in "$@"; do
        # A function of the user's own (nvm's lazy loaders, …) is left
        # alone; ours is redefined, so sourcing twice still wraps once.
        if declare -F "$cmd" >/dev/null && [[ $(declare -f "$cmd") != *_portguard_run* ]]; then
            continue
        fi
        # "function NAME" rather than "NAME()": an alias of the same name
        # is not expanded there.
        eval "function $cmd { _portguard_run $cmd \"\$@\"; }"
    done
}
_portguard_wrap {{.Commands}}
unset -f _portguard_wrap
