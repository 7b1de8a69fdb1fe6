#!/usr/bin/env node
// A native-solc look-alike backed by solc-js (npm "solc"), so that py-solc-x (ape-solidity)
// and forge can compile offline. It answers `--version` in native solc's format and serves
// `--standard-json` through solc.compile with an import callback that resolves paths against
// --base-path and every --include-path. `--allow-paths` is accepted and ignored (the import
// callback only reads files under the given roots anyway).
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function parseArgs(argv) {
  const opts = { basePath: process.cwd(), includePaths: [], standardJson: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => {
      if (arg.includes('=')) return arg.slice(arg.indexOf('=') + 1);
      i += 1;
      return argv[i];
    };
    if (arg === '--version') opts.version = true;
    else if (arg === '--standard-json') opts.standardJson = true;
    else if (arg.startsWith('--base-path')) opts.basePath = takeValue();
    else if (arg.startsWith('--include-path')) opts.includePaths.push(takeValue());
    else if (arg.startsWith('--allow-paths')) takeValue();
    else if (arg === '-' ) continue;
    else {
      process.stderr.write(`solc-shim: unsupported argument ${arg}\n`);
      process.exit(2);
    }
  }
  return opts;
}

function makeImportCallback(roots) {
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.resolve(r, importPath));
    for (const file of candidates) {
      if (fs.existsSync(file) && fs.statSync(file).isFile()) {
        return { contents: fs.readFileSync(file, 'utf8') };
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
  };
}

function writeAndExit(text, code) {
  // Exit only after stdout drains: the JSON is larger than a pipe buffer.
  process.stdout.write(text, () => process.exit(code));
}

const opts = parseArgs(process.argv.slice(2));
if (opts.version) {
  writeAndExit(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`, 0);
} else if (opts.standardJson) {
  const input = fs.readFileSync(0, 'utf8');
  const roots = [opts.basePath, ...opts.includePaths, process.cwd()];
  writeAndExit(solc.compile(input, { import: makeImportCallback(roots) }), 0);
} else {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n');
  process.exit(2);
}
