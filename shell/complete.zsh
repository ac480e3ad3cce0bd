#compdef portguard
# portguard's zsh completion:   source <(portguard completion zsh)
# (after compinit).
#
# Flags and subcommands come from portguard itself; after "--" the words
# are a command of its own, completed as zsh would complete it.
_portguard() {
    local i
    for ((i = 2; i < CURRENT; i++)); do
        if [[ ${words[i]} == -- ]]; then
            shift $i words
            (( CURRENT -= i ))
            _normal
            return
        fi
    done
    local -a args opts
    args=("${(@)words[2,CURRENT-1]}")
    [[ ${words[CURRENT]} == -* ]] && args+=("${words[CURRENT]}")
    opts=("${(@f)$({{.Exe}} "${args[@]}" --generate-bash-completion 2>/dev/null)}")
    compadd -a opts
}
compdef _portguard portguard
