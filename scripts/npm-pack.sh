#!/bin/sh
# scripts/npm-pack.sh OUTDIR: the npm packages, as tarballs in OUTDIR, from
# a release snapshot of this checkout (scripts/release-snapshot, which
# leaves the archives in dist/):
#
#   portguard-VERSION.tgz                the package users install (its bin,
#                                        its Node launcher, install.js)
#   portguard-linux-x64-VERSION.tgz …    one per platform, holding the binary
#                                        (@portguard/linux-x64, …)
set -eu
[ $# -eq 1 ] || { echo "usage: scripts/npm-pack.sh OUTDIR" >&2; exit 2; }
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
root=$(cd "$here/.." && pwd)
command -v npm >/dev/null || { echo "npm-pack.sh: npm is needed (apt install npm)" >&2; exit 1; }
case $1 in /*) out=$1 ;; *) out=$(pwd)/$1 ;; esac

# The snapshot first: its --clean empties dist/, where OUTDIR may be.
"$root/scripts/release-snapshot"
mkdir -p "$out"
dist=$root/dist
version=$(node -p 'require(process.argv[1]).version' "$dist/metadata.json")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# goos/goarch as npm's process.platform/process.arch name them.
npm_os() { case $1 in windows) echo win32 ;; *) echo "$1" ;; esac; }
npm_cpu() { case $1 in amd64) echo x64 ;; *) echo "$1" ;; esac; }

for built in "$dist"/portguard_*_*/; do
	target=$(basename "$built")  # portguard_linux_amd64_v1
	goos=$(echo "$target" | cut -d_ -f2)
	goarch=$(echo "$target" | cut -d_ -f3)
	platform=$(npm_os "$goos")-$(npm_cpu "$goarch")
	exe=portguard
	[ "$goos" = windows ] && exe=portguard.exe
	dir=$stage/$platform
	mkdir -p "$dir/bin"
	cp "$built/$exe" "$dir/bin/$exe"
	chmod 755 "$dir/bin/$exe"
	node - "$dir/package.json" "$platform" "$version" "$(npm_os "$goos")" "$(npm_cpu "$goarch")" <<'JS'
const [file, platform, version, os, cpu] = process.argv.slice(2);
const pkg = {
  name: `@portguard/${platform}`,
  version,
  description: `portguard's binary for ${platform}; installed by the portguard package`,
  homepage: 'https://github.com/portguard/portguard',
  repository: { type: 'git', url: 'git+https://github.com/portguard/portguard.git' },
  os: [os],
  cpu: [cpu],
  files: ['bin'],
  // Yarn's Plug'n'Play cannot run a binary from inside a zip archive.
  preferUnplugged: true,
  // A scoped package is published as private unless it says otherwise.
  publishConfig: { access: 'public' },
};
require('fs').writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
JS
	printf '# @portguard/%s\n\nThe portguard binary for %s. Install `portguard`, not this package.\n' \
		"$platform" "$platform" >"$dir/README.md"
	(cd "$dir" && npm pack --loglevel=error --pack-destination "$out" >/dev/null)
done

# The package users install: its optional dependencies are exactly the
# platform packages above, at the same version.
cp -R "$root/npm/portguard" "$stage/portguard"
node - "$stage/portguard/package.json" "$version" <<'JS'
const fs = require('fs');
const [file, version] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
const { packages } = require(require('path').join(require('path').dirname(file), 'lib', 'platform.js'));
pkg.version = version;
pkg.optionalDependencies = Object.fromEntries(Object.values(packages).map((name) => [name, version]));
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
JS
(cd "$stage/portguard" && npm pack --loglevel=error --pack-destination "$out" >/dev/null)

echo "npm-pack.sh: portguard $version: $(cd "$out" && ls ./*"$version".tgz | sed 's|^\./||' | tr '\n' ' ')"
