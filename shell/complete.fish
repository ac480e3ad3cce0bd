
# portguard's own additions to the generated completion above: no file
# names among portguard's own words (after "--" the words are a command of
# its own, completed as fish completes commands), the shells after init and
# completion, and the ports listening now after which, free and -p.
set -g __fish_portguard_bin {{.Exe}}
function __fish_portguard_command
    contains -- -- (commandline -opc)
end
complete -c portguard -n 'not __fish_portguard_command' -f
complete -c portguard -n '__fish_portguard_command' -F
complete -c portguard -n 'not __fish_portguard_command; and __fish_seen_subcommand_from init completion' -f -a 'bash zsh fish'
complete -c portguard -n 'not __fish_portguard_command; and __fish_seen_subcommand_from which free' -f -a '($__fish_portguard_bin free --generate-bash-completion 2>/dev/null)'
complete -c portguard -n 'not __fish_portguard_command' -s p -l port -x -a '($__fish_portguard_bin free --generate-bash-completion 2>/dev/null)'
