# portguard's bash completion:   source <(portguard completion bash)
#
# Flags and subcommands come from portguard itself; after "--" the words
# are a command of its own, completed as bash would complete it.
_portguard_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -- ]]; then
            if ((i + 1 == COMP_CWORD)); then
                mapfile -t COMPREPLY < <(compgen -c -- "$cur")
            else
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            return
        fi
    done
    local words=("${COMP_WORDS[@]:1:COMP_CWORD-1}") prev=${COMP_WORDS[COMP_CWORD-1]}
    if [[ $prev == -p || $prev == --port ]]; then
        words=(free) # the ports listening now, as after free
    elif [[ $cur == -- ]]; then
        words+=(-) # "--" alone would end portguard's own words: ask for every flag
    elif [[ $cur == -* ]]; then
        words+=("$cur")
    fi
    mapfile -t COMPREPLY < <(compgen -W "$({{.Exe}} "${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur")
}
complete -o default -F _portguard_complete portguard
