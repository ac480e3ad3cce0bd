# A stand-in for `eval "$(starship init bash)"`, which is not packaged for
# Debian: what its init script documents and does, without the binary.
# Loaded after portguard's hook, it layers its DEBUG trap over the one it
# finds (keeping only that trap's first word, as its init script does),
# appends its precmd to PROMPT_COMMAND, and runs a command substitution
# from PS0 before each line, as starship does on bash 5.
_standin_preexec() { _standin_started=$SECONDS; }
_standin_precmd() { local s=$?; PS1="PG$ "; _standin_prompts=$((${_standin_prompts-0} + 1)); return $s; }
_standin_preexec_ps0() { echo -n ''; }
_standin_dbg=$(trap -p DEBUG | cut -d' ' -f3 | tr -d \')
if [[ -z $_standin_dbg ]]; then
    trap '_standin_preexec "$_"' DEBUG
else
    _standin_preexec_all() { local last=$1; $_standin_dbg; _standin_preexec; : "$last"; }
    trap '_standin_preexec_all "$_"' DEBUG
fi
PROMPT_COMMAND="${PROMPT_COMMAND%;};_standin_precmd;"
PS0='$(_standin_preexec_ps0)'
