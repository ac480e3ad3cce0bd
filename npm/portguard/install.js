'use strict';
// postinstall: put the platform package's native binary where npm's bin
// link points (bin/portguard), so that `portguard` in a package.json
// script is the binary itself and no Node process starts in front of it.
// Nothing here may fail the install: where the swap cannot be made, the
// JS launcher in bin/portguard stays and runs the binary as a child.

const fs = require('fs');
const path = require('path');
const { binaryPath, shim } = require('./lib/platform.js');

function main() {
  let bin;
  try {
    bin = binaryPath(process.platform, process.arch);
  } catch (err) {
    process.stderr.write(`portguard: warning: ${err.message}\n`);
    return;
  }
  // Windows runs bins through npm's .cmd launchers, which start Node for a
  // file with a `#!/usr/bin/env node` line; yarn and pnpm write launchers
  // of their own that call node on the file. Those keep the JS launcher.
  const agent = process.env.npm_config_user_agent || '';
  if (process.platform === 'win32' || !agent.startsWith('npm/')) {
    return;
  }
  // Replace by rename, so bin/portguard is never half-written. A hard link
  // costs no space; a copy serves where the two are on different devices.
  const temp = path.join(path.dirname(shim), '.portguard-native');
  try {
    // Already in place (npm rebuild, a second postinstall): renaming a
    // hard link onto the same file would do nothing and leave temp behind.
    const [a, b] = [fs.statSync(bin), fs.statSync(shim)];
    if (a.ino === b.ino && a.dev === b.dev) {
      return;
    }
  } catch {
    // shim missing: the rename below puts it in place
  }
  try {
    fs.rmSync(temp, { force: true });
    try {
      fs.linkSync(bin, temp);
    } catch {
      fs.copyFileSync(bin, temp);
    }
    fs.chmodSync(temp, 0o755);
    fs.renameSync(temp, shim);
    fs.rmSync(temp, { force: true });
  } catch (err) {
    fs.rmSync(temp, { force: true });
    process.stderr.write(
      `portguard: warning: kept the Node launcher for ${bin} (${err.message}); each run starts Node first\n`,
    );
  }
}

main();
