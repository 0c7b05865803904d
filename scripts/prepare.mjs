// npm's `prepare`: builds dist/. npm installs a git dependency globally — as pre-commit's
// `language: node` does (npm install -g git+file://<clone>) — without its devDependencies, yet runs
// prepare (https://github.com/npm/cli/issues/8440). The build needs esbuild (a devDependency): in
// that case they are installed first, scripts off (esbuild runs without its postinstall check).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require.resolve('esbuild');
} catch {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const args = ['install', '--include=dev', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts'];
  // The outer install's settings (global, omit=dev) reach scripts as npm_config_*: not for this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  const r = spawnSync(npm[0], [...npm.slice(1), ...args], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error('prepare: installing the devDependencies for the build failed');
    process.exit(1);
  }
}
await import('./build.mjs');
