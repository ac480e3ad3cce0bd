#!/bin/sh
# install.sh — build portguard from this checkout and install it.
#
#   ./install.sh               build, install to ${PREFIX:-~/.local}/bin, run it once
#   ./install.sh --uninstall   remove exactly what was installed
#
# The whole body is one block, so a half-downloaded script never runs.
{
set -eu

min_go=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$(dirname "$0")/go.mod")
prefix=${PREFIX:-$HOME/.local}
bindir=$prefix/bin
target=$bindir/portguard

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
--uninstall)
	if [ -e "$target" ]; then
		rm -f "$target"
		say "removed $target"
	else
		say "nothing to remove: $target does not exist"
	fi
	exit 0
	;;
"") ;;
-h | --help)
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*) die "unknown option $1 (try --help)" ;;
esac

command -v go >/dev/null 2>&1 || die "Go is not installed; portguard builds from source with Go $min_go or newer (https://go.dev/dl/)"
have_go=$(go env GOVERSION | sed 's/^go//')
# Compare dotted versions with sort -V: the older one sorts first.
oldest=$(printf '%s\n%s\n' "$min_go" "$have_go" | sort -V | head -n 1)
[ "$oldest" = "$min_go" ] || die "Go $have_go is too old; portguard needs Go $min_go or newer"

cd "$(dirname "$0")"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
mkdir -p "$bindir"
# Build beside the target and rename, so a running portguard is never
# left half-written.
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$target.tmp" .
mv -f "$target.tmp" "$target"
say "installed $target ($version)"
"$target" version

case ":$PATH:" in
*":$bindir:"*) ;;
*) say "$bindir is not on your PATH; add it, e.g.: export PATH=\"$bindir:\$PATH\"" ;;
esac
exit 0
}
