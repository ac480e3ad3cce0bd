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
    if [[ ${words[CURRENT-1]} == (-p|--port) ]]; then
        args=(free) # the ports listening now, as after free
    elif [[ ${words[CURRENT]} == -- ]]; then
        args+=(-) # "--" alone would end portguard's own words: ask for every flag
    elif [[ ${words[CURRENT]} == -* ]]; then
        args+=("${words[CURRENT]}")
    fi
    # With $0 ending in zsh (urfave/cli's sign), subcommands and ports come
    # as "name:what it is", for zsh to show beside them.
    opts=("${(@f)$(env 0=zsh {{.Exe}} "${args[@]}" --generate-bash-completion 2>/dev/null)}")
    _describe -t portguard portguard opts
}
compdef _portguard portguard
