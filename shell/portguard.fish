# portguard's fish integration. Add to ~/.config/fish/config.fish:
#
#     portguard init fish | source
#
# Each wrapped command runs as `portguard -q -- COMMAND ARG...`: portguard
# frees the port the command is about to listen on (asking first) and then
# becomes the command, so its output, exit status, stdin and terminal are
# the command's own. A free port, or one portguard cannot infer, costs one
# quick check. `PORTGUARD_DISABLE=1 npm …` or `command npm …` bypasses it.

# config.fish is read by every fish, scripts and `fish -c` included:
# only an interactive shell, with a user to ask, gets the wrappers.
status is-interactive; or exit 0

set -g _portguard_bin {{.Exe}}

function _portguard_run
    # In hook mode (init --hook) the line was checked before it ran.
    if test -n "$PORTGUARD_DISABLE$_portguard_hook"
        command $argv
    else
        $_portguard_bin -q -- $argv
    end
end

for cmd in {{.Commands}}
    # A function of the user's own is left alone; ours is redefined, so
    # sourcing twice still wraps once.
    if functions -q $cmd; and not functions $cmd | string match -q '*_portguard_run*'
        continue
    end
    function $cmd --inherit-variable cmd --wraps $cmd
        _portguard_run $cmd $argv
    end
end
