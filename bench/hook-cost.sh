#!/usr/bin/env bash
# bench/hook-cost.sh [-hook-lines N] [-shells bash,zsh]: the shell hooks' cost per accepted
# line alone, in each of bash, zsh and fish installed, as bench/run
# measures it: portguard built as install.sh builds it, each line typed
# into a real interactive shell on a pseudo-terminal, the shell's own CPU
# time with the hook and without it, for lines of commands that never
# listen and for a line that may serve (see bench/harness/hook.go).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags "-s -w" -o "$out/portguard" .
go build -o "$out/harness" ./bench/harness
"$out/harness" -portguard "$out/portguard" -only hooks "$@"
