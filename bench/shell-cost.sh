#!/usr/bin/env bash
# bench/shell-cost.sh PORTGUARD: what the bash hook's DEBUG trap costs the
# commands it does not check, side by side with and without the hook
# loaded, in the real bash (medians of RUNS runs, alternating):
#   - a 20,000-iteration loop at the top level (the trap fires for each
#     command of it);
#   - 200 calls of bash-completion's git completion, inside functions
#     (where the trap does not fire);
#   - an interactive shell's start-up, with the hook line in its rc file.
set -euo pipefail
pg=$1
runs=${RUNS:-11}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$pg" init bash --hook >"$dir/hook.bash"
: >"$dir/none.bash"
completion=/usr/share/bash-completion/bash_completion
git_completion=/usr/share/bash-completion/completions/git

ms() { # CODE...: wall time of bash -c CODE in milliseconds
    local t0 t1
    t0=$EPOCHREALTIME
    bash "$@" >/dev/null 2>&1 </dev/null
    t1=$EPOCHREALTIME
    echo $(((${t1/./} - ${t0/./}) / 1000))
}

median() { sort -n | sed -n "$((runs / 2 + 1))p"; }

row() { # NAME CODE: the median with and without the hook, and the ratio
    local name=$1 code=$2 i with=() without=()
    for ((i = 0; i < runs; i++)); do
        without+=("$(ms -c "source $dir/none.bash; $code")")
        with+=("$(ms -c "source $dir/hook.bash; $code")")
    done
    local a b
    a=$(printf '%s\n' "${without[@]}" | median)
    b=$(printf '%s\n' "${with[@]}" | median)
    printf '%-44s %8s ms %8s ms %7s\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2fx", b / a; else print "-" }')"
}

printf '%-44s %11s %11s %7s\n' "bash, hook loaded but not armed" "without" "with" "ratio"
row "20,000-iteration loop at the top level" 'for ((i = 0; i < 20000; i++)); do x=$i; done'
if [[ -r $completion && -r $git_completion ]]; then
    row "200 git completions (functions)" "source $completion; source $git_completion; COMP_WORDS=(git ch); COMP_CWORD=1; COMP_LINE='git ch'; COMP_POINT=6; for ((i = 0; i < 200; i++)); do __git_main >/dev/null 2>&1 || true; done"
fi
printf 'PS1=x\n' >"$dir/rc-none"
printf 'PS1=x\nsource %s\n' "$dir/hook.bash" >"$dir/rc-hook"
a=() b=()
for ((i = 0; i < runs; i++)); do
    a+=("$(ms --noprofile --rcfile "$dir/rc-none" -i -c exit)")
    b+=("$(ms --noprofile --rcfile "$dir/rc-hook" -i -c exit)")
done
x=$(printf '%s\n' "${a[@]}" | median) y=$(printf '%s\n' "${b[@]}" | median)
printf '%-44s %8s ms %8s ms\n' "interactive start-up (rc file)" "$x" "$y"
