#!/bin/sh
# install.sh — build portguard from this checkout and install it.
#
#   ./install.sh                     build, install to ${PREFIX:-~/.local}/bin, run it once,
#                                    and print the line to add to your shell's rc file
#   ./install.sh --shell-rc[=SH]     also add the wrapper line to the rc file of SH (default: $SHELL), once
#   ./install.sh --shell-hook[=SH]   the same with hook mode: every command line you type is checked
#   ./install.sh --uninstall         remove exactly what was installed (the binary and that line)
#
# The whole body is one block, so a half-downloaded script never runs.
{
set -eu

case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
here=$(cd "$here" && pwd)
prefix=${PREFIX:-$HOME/.local}
bindir=$prefix/bin
target=$bindir/portguard
tag="# added by portguard's install.sh"

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

# rc_file SHELL: the file each shell reads at interactive start-up.
rc_file() {
	case $1 in
	bash) echo "$HOME/.bashrc" ;;
	zsh) echo "${ZDOTDIR:-$HOME}/.zshrc" ;;
	fish) echo "${XDG_CONFIG_HOME:-$HOME/.config}/fish/config.fish" ;;
	*) return 1 ;;
	esac
}

# rc_line SHELL [--hook]: the integration line, with the binary's absolute
# path so it does not depend on PATH; it does nothing once the binary is
# gone.
rc_line() {
	case $1 in
	fish) echo "test -x '$target'; and '$target' init fish${2:+ $2} | source  $tag" ;;
	*) echo "[ -x '$target' ] && eval \"\$('$target' init $1${2:+ $2})\"  $tag" ;;
	esac
}

action=install hook= mode=
for arg in "$@"; do
	case $arg in
	--uninstall) action=uninstall ;;
	--shell-rc) hook=$(basename "${SHELL:-sh}") mode= ;;
	--shell-rc=*) hook=${arg#--shell-rc=} mode= ;;
	--shell-hook) hook=$(basename "${SHELL:-sh}") mode=--hook ;;
	--shell-hook=*) hook=${arg#--shell-hook=} mode=--hook ;;
	-h | --help)
		sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown option $arg (try --help)" ;;
	esac
done

if [ "$action" = uninstall ]; then
	if [ -e "$target" ]; then
		rm -f "$target"
		say "removed $target"
	else
		say "no $target to remove"
	fi
	for sh in bash zsh fish; do
		rc=$(rc_file "$sh")
		if [ -f "$rc" ] && grep -qF "$tag" "$rc"; then
			grep -vF "$tag" "$rc" >"$rc.portguard-tmp" || true
			cat "$rc.portguard-tmp" >"$rc" # keeps the file's owner and mode
			rm -f "$rc.portguard-tmp"
			say "removed portguard's line from $rc"
			# A file that held only that line was made by --shell-rc or --shell-hook.
			[ -s "$rc" ] || { rm -f "$rc" && say "removed the now empty $rc"; }
		fi
	done
	exit 0
fi

if [ -n "$hook" ]; then
	rc_file "$hook" >/dev/null || die "--shell-rc, --shell-hook: unknown shell $hook (bash, zsh or fish)"
fi

min_go=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$here/go.mod")
command -v go >/dev/null 2>&1 ||
	die "Go is not installed; portguard builds from source with Go $min_go or newer (https://go.dev/dl/)"
have_go=$(go env GOVERSION | sed 's/^go//')
# sort -V puts the older version first.
oldest=$(printf '%s\n%s\n' "$min_go" "$have_go" | sort -V | head -n 1)
[ "$oldest" = "$min_go" ] || die "Go $have_go is too old; portguard needs Go $min_go or newer (https://go.dev/dl/)"

cd "$here"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
mkdir -p "$bindir"
# Build beside the target and rename, so a running portguard is never
# replaced half-written.
# Static (no cgo: no dynamic loader at every start; user names come from
# /etc/passwd) and without urfave/cli's man-page generator, which portguard
# does not use and whose markdown library would initialise at every start.
CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags "-s -w -X main.version=$version" -o "$target.tmp" .
mv -f "$target.tmp" "$target"
say "installed $target ($version)"
"$target" version

case ":$PATH:" in
*":$bindir:"*) ;;
*) say "$bindir is not on your PATH; add it: export PATH=\"$bindir:\$PATH\"" ;;
esac

if [ -n "$hook" ]; then
	rc=$(rc_file "$hook")
	if [ -f "$rc" ] && grep -qF "$tag" "$rc"; then
		say "$rc already has portguard's line"
	else
		mkdir -p "$(dirname "$rc")"
		# Start on a line of its own even if the file lacks a final newline.
		if [ -s "$rc" ] && [ -n "$(tail -c 1 "$rc")" ]; then echo >>"$rc"; fi
		rc_line "$hook" $mode >>"$rc"
		say "added portguard's line to $rc; open a new shell to use it"
	fi
else
	sh=$(basename "${SHELL:-sh}")
	if rc=$(rc_file "$sh"); then
		say "to wrap npm, yarn, vite, … in $sh, add this line to $rc (or run ./install.sh --shell-rc):"
		printf '\n    %s\n\n' "$(rc_line "$sh")"
		say "or, to check every command line you type instead, use 'portguard init $sh --hook' there (./install.sh --shell-hook; README: Hook mode)"
	fi
fi
exit 0
}
