#!/usr/bin/env bash
# bench/hook-cost.sh PORTGUARD: the shell hook's cost per command line, as
# the median in microseconds, printed alone for bench/harness.
#
# Per accepted line, the bash hook reads the line from the history (a
# command substitution) and runs `portguard check-line`; the zsh and fish
# hooks run `portguard check-line --probe`. This times the bash path, the
# dearer one, for two lines in a project with a package.json and a .env:
# one with no port (`ls -la`) and one whose port is free (`npm run dev`).
# The larger median is printed.
set -euo pipefail
pg=$1
runs=${RUNS:-200}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 47613)
printf '{"scripts": {"dev": "vite --port %s"}}\n' "$port" >"$dir/package.json"
printf 'API_URL=http://localhost:9999\n' >"$dir/.env"
cd "$dir"
set -o history
HISTFILE=/dev/null

median_us() { # LINE: the median cost of one hook check of LINE
    local line=$1 i t0 t1 got
    local -a samples=()
    history -s "$line"
    for ((i = 0; i < runs; i++)); do
        t0=$EPOCHREALTIME
        got=$(HISTTIMEFORMAT='' builtin history 1)
        "$pg" check-line --shell bash -- "${got#*[0-9][* ] }" </dev/null >/dev/null 2>&1
        t1=$EPOCHREALTIME
        samples+=($(( (${t1/./} - ${t0/./}) )))
    done
    printf '%s\n' "${samples[@]}" | sort -n | sed -n "$((runs / 2 + 1))p"
}

a=$(median_us 'ls -la')
b=$(median_us 'npm run dev')
echo $((a > b ? a : b))
