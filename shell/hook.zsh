# portguard's zsh hook mode. Add to ~/.zshrc:
#
#     eval "$(portguard init zsh --hook)"
#
# Every command line you accept is shown to portguard before zsh runs it.
# Only when the line will listen on a port that is already held does
# portguard say who holds it and ask; declining keeps the line in the
# editor, unrun. Lines with no port, or a free one, cost one quick call.
# `PORTGUARD_DISABLE=1` turns the hook off.
#
# The hook wraps the accept-line widget, which sees $BUFFER and can
# decline; preexec runs too late to cancel anything.

typeset -g _portguard_bin={{.Exe}}
# Tells the wrapper functions (portguard init zsh) that lines are already
# checked here, so that one line is never checked twice.
typeset -g _portguard_hook=1

_portguard_accept_line() {
    emulate -L zsh
    if [[ -z ${PORTGUARD_DISABLE-} && $BUFFER == *[^[:space:]]* ]]; then
        local -a args
        local word
        for word in ${(z)BUFFER}; do
            (( ${+aliases[$word]} )) && args+=(--alias "$word=${aliases[$word]}")
        done
        # A quiet look first: only a held port is worth leaving the
        # editor for.
        "$_portguard_bin" check-line --probe --shell zsh "${args[@]}" -- "$BUFFER" </dev/null >/dev/null 2>&1
        if (( $? == 75 )); then
            zle -I
            "$_portguard_bin" check-line --shell zsh "${args[@]}" -- "$BUFFER" </dev/tty >/dev/tty 2>&1
            # Only a decline (75) or Ctrl-C (130) keeps the line in the
            # editor; any other status is portguard's failure: run it.
            case $? in
            75 | 130) return 0 ;;
            esac
        fi
    fi
    zle _portguard_orig_accept_line -- "$@"
}

# Whatever accept-line was (zsh's own, or another plugin's wrapper) still
# runs after the check. Sourcing twice wraps once.
if [[ ${widgets[accept-line]} != user:_portguard_accept_line ]]; then
    zle -A accept-line _portguard_orig_accept_line
    zle -N accept-line _portguard_accept_line
fi
