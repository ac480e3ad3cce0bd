'use strict';
// Which platform package holds the binary for this machine, and where.
// One table for the shim (bin/portguard) and the install step (install.js).

const path = require('path');

// The platforms the release builds (.goreleaser.yaml), as npm names them.
const packages = {
  'linux x64': '@portguard/linux-x64',
  'linux arm64': '@portguard/linux-arm64',
  'darwin x64': '@portguard/darwin-x64',
  'darwin arm64': '@portguard/darwin-arm64',
  'win32 x64': '@portguard/win32-x64',
  'win32 arm64': '@portguard/win32-arm64',
};

const otherWays =
  'The other ways to install portguard (release archives, Homebrew, go install) are in ' +
  'its README: https://github.com/portguard/portguard#set-up';

// binaryPath returns the path of the native binary for platform/arch, or
// throws an Error whose message says what is missing and what to do.
function binaryPath(platform, arch) {
  const key = `${platform} ${arch}`;
  const pkg = packages[key];
  if (!pkg) {
    throw new Error(
      `portguard has no build for ${platform}-${arch} (builds exist for ` +
        `${Object.keys(packages).map((k) => k.replace(' ', '-')).join(', ')}). ${otherWays}`,
    );
  }
  const exe = platform === 'win32' ? 'portguard.exe' : 'portguard';
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch (err) {
    throw new Error(
      `portguard's binary for ${platform}-${arch} is missing: the package ${pkg} is not ` +
        `installed. npm installs it as an optional dependency of portguard; it is left out ` +
        `with --no-optional, --omit=optional, or a lock file made on another platform. ` +
        `Install again without those (npm install portguard). ${otherWays}`,
    );
  }
}

module.exports = { packages, binaryPath, shim: path.join(__dirname, '..', 'bin', 'portguard') };
