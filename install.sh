#!/bin/sh
# install.sh — build portguard from this checkout and install it.
#
#   ./install.sh                     build, install to ${PREFIX:-~/.local}/bin, run it once,
#                                    and print the line to add to your shell's rc file
#   ./install.sh --shell-rc[=SH]     also add the wrapper line to the rc file of SH (default: $SHELL), once
#   ./install.sh --shell-hook[=SH]   the same with hook mode: every command line you type is checked
#   ./install.sh --uninstall         remove exactly what was installed: the binary, that line,
#                                    and the directories install.sh made
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

# What install.sh added, one item a line ("bin PATH", "dir PATH",
# "rc FILE", "newline FILE"), so that --uninstall removes exactly that,
# whatever PREFIX says then.
manifest_dir=${XDG_DATA_HOME:-$HOME/.local/share}/portguard
manifest=$manifest_dir/installed

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
		sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown option $arg (try --help)" ;;
	esac
done

# record KIND PATH: note what was added, once. The manifest's own
# directories are noted too, when it makes them.
record() {
	if [ ! -d "$manifest_dir" ]; then
		missing='' d=$manifest_dir
		while [ ! -d "$d" ]; do
			missing="$missing $d"
			d=$(dirname "$d")
		done
		mkdir -p "$manifest_dir"
		for d in $missing; do printf 'dir %s\n' "$d" >>"$manifest"; done
	fi
	grep -qxF "$1 $2" "$manifest" 2>/dev/null || printf '%s %s\n' "$1" "$2" >>"$manifest"
}

# mkdirs DIR: make DIR and its missing parents, recording each one made.
mkdirs() {
	[ -d "$1" ] && return 0
	mkdirs "$(dirname "$1")"
	mkdir "$1"
	record dir "$1"
}

# remove_line RC: take portguard's line out of RC, and the newline that was
# added before it if there was one.
remove_line() {
	grep -vF "$tag" "$1" >"$1.portguard-tmp" || true
	if grep -qxF "newline $1" "$manifest" 2>/dev/null && [ -s "$1.portguard-tmp" ]; then
		# The file had no final newline before: take the one added off.
		size=$(wc -c <"$1.portguard-tmp")
		head -c $((size - 1)) "$1.portguard-tmp" >"$1.portguard-tmp2" && mv -f "$1.portguard-tmp2" "$1.portguard-tmp"
	fi
	cat "$1.portguard-tmp" >"$1" # keeps the file's owner and mode
	rm -f "$1.portguard-tmp"
}

if [ "$action" = uninstall ]; then
	if [ ! -f "$manifest" ]; then
		# Installed before the manifest: the rc lines name the binary.
		for sh in bash zsh fish; do
			rc=$(rc_file "$sh")
			if [ -f "$rc" ] && grep -F "$tag" "$rc" | grep -qvF "'$target'"; then
				die "$rc has portguard's line for another binary than $target; run with the PREFIX it was installed with"
			fi
		done
		[ -e "$target" ] && record bin "$target"
		for sh in bash zsh fish; do
			rc=$(rc_file "$sh")
			[ -f "$rc" ] && grep -qF "$tag" "$rc" && record rc "$rc"
		done
		[ -f "$manifest" ] || { say "nothing of portguard's to remove"; exit 0; }
	fi
	# Files first, then the directories made for them, deepest first.
	while read -r kind path; do
		case $kind in
		bin)
			if [ -e "$path" ]; then rm -f "$path" && say "removed $path"; fi
			;;
		rc)
			if [ -f "$path" ] && grep -qF "$tag" "$path"; then
				remove_line "$path"
				say "removed portguard's line from $path"
				# A file that held only that line was made by --shell-rc or --shell-hook.
				[ -s "$path" ] || { rm -f "$path" && say "removed the now empty $path"; }
			fi
			;;
		esac
	done <"$manifest"
	dirs=$(grep '^dir ' "$manifest" | sed 's/^dir //' | sort -r)
	rm -f "$manifest"
	printf '%s\n' "$dirs" | while read -r dir; do
		if [ -n "$dir" ] && rmdir "$dir" 2>/dev/null; then say "removed the directory $dir"; fi
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
mkdirs "$bindir"
# Build beside the target and rename, so a running portguard is never
# replaced half-written.
# Static (no cgo: no dynamic loader at every start; user names come from
# /etc/passwd) and without urfave/cli's man-page generator, which portguard
# does not use and whose markdown library would initialise at every start.
CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags "-s -w -X main.version=$version" -o "$target.tmp" .
mv -f "$target.tmp" "$target"
record bin "$target"
say "installed $target ($version)"
"$target" version

case ":$PATH:" in
*":$bindir:"*) ;;
*) say "$bindir is not on your PATH; add it: export PATH=\"$bindir:\$PATH\"" ;;
esac

if [ -n "$hook" ]; then
	rc=$(rc_file "$hook")
	line=$(rc_line "$hook" $mode)
	if [ -f "$rc" ] && grep -qxF "$line" "$rc"; then
		say "$rc already has portguard's line"
	else
		if [ -f "$rc" ] && grep -qF "$tag" "$rc"; then
			# The other mode's line (wrappers or hook): switched.
			grep -vF "$tag" "$rc" >"$rc.portguard-tmp" || true
			cat "$rc.portguard-tmp" >"$rc"
			rm -f "$rc.portguard-tmp"
		fi
		mkdirs "$(dirname "$rc")"
		# Start on a line of its own even if the file lacks a final newline.
		if [ -s "$rc" ] && [ -n "$(tail -c 1 "$rc")" ]; then
			echo >>"$rc"
			record newline "$rc"
		fi
		printf '%s\n' "$line" >>"$rc"
		record rc "$rc"
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
sh=${hook:-$(basename "${SHELL:-sh}")}
case $sh in
fish) say "completion for portguard itself: add '$target completion fish | source' to $(rc_file fish)" ;;
bash | zsh) say "completion for portguard itself: add 'source <($target completion $sh)' to $(rc_file "$sh")" ;;
esac
exit 0
}
