// Prints the path of a Node.js binary of the given major version (22, 24, …), installed from the
// npm registry's `node` package (node@<major>, which pulls the platform's `node-<os>-<arch>`
// package) into a cache directory: ZERODOWN_NODE_CACHE, else node_modules/.cache/zerodown-node.
// Nothing is downloaded from anywhere but the registry npm is configured with. Used by .ci/run and
// bench/ to run the tests and the benchmarks on the Node lines zerodown supports.
//   node scripts/node-runtime.mjs 24   →   /…/node_modules/.cache/zerodown-node/24/node_modules/node/bin/node
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The binary for `major`, installed on first use; throws with npm's message when it cannot be. */
export function nodeRuntime(major) {
  if (!/^\d+$/.test(String(major))) throw new Error(`expected a Node major version such as 24, got "${major}"`);
  const cache = process.env.ZERODOWN_NODE_CACHE || path.join(ROOT, 'node_modules', '.cache', 'zerodown-node');
  const prefix = path.join(cache, String(major));
  const bin = path.join(prefix, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  const version = () => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (fs.existsSync(bin) && version().startsWith(`v${major}.`)) return bin;
  fs.mkdirSync(prefix, { recursive: true });
  // npm runs the package's preinstall (it installs node-<os>-<arch>@<version> from the same registry).
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node@${major}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!version().startsWith(`v${major}.`)) throw new Error(`node@${major} from npm did not install a working ${bin}`);
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${nodeRuntime(process.argv[2] ?? '')}\n`);
  } catch (e) {
    process.stderr.write(`node-runtime: ${e.message}\n`);
    process.exit(2);
  }
}
