/**
 * `zerodown init`: detects the migration runner(s) and migrations directories of the repository in
 * the working directory and writes zerodown.config.json, and on request the commit-time entries
 * (pre-commit, husky + lint-staged) and a GitHub workflow. Never overwrites a file it did not write
 * unless --force; a second run changes nothing. Prints what it did and the next command to run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { detectRunner } from '../source/detect-runner.ts';
import { discover } from '../source/discover.ts';
import { FORMAT_RUNNER } from '../source/formats.ts';
import { resolveOptions } from '../options/resolve.ts';
import { TOOL_VERSION } from '../meta.ts';

/** Where the pre-commit hook is fetched from (its .pre-commit-hooks.yaml), pinned by `rev`. */
const HOOK_REPOSITORY = 'https://github.com/zerodown/zerodown';

export const INIT_HELP = `Usage: zerodown init [options]

Detects the migration runner(s) and migrations directories here and writes zerodown.config.json.
  --pre-commit   add the zerodown hook to .pre-commit-config.yaml (https://pre-commit.com)
  --husky        add .husky/pre-commit running lint-staged, and a lint-staged entry for migrations
  --github       write .github/workflows/zerodown.yml (lints migrations on pull requests)
  --force        replace files that exist (otherwise they are kept and the change is printed)
Running it again changes nothing.`;

type Outcome = 'wrote' | 'updated' | 'unchanged' | 'kept';

interface Detected {
  dirs: string[];
  runners: string[];
  runnerSource?: string;
  pgVersion?: number;
}

function detect(cwd: string): Detected {
  const plan = discover(['.'], { cwd });
  const dirs = plan.groups.map((g) => path.relative(cwd, g.root).split(path.sep).join('/') || '.');
  const repo = detectRunner(cwd);
  const runners = new Set<string>();
  if (repo) runners.add(repo.runner);
  for (const g of plan.groups) {
    const r = FORMAT_RUNNER[g.files[0].format];
    if (r) runners.add(r);
  }
  // The version lint would detect here, written only when zerodown models it as is (not clamped).
  const resolved = resolveOptions({ flags: {}, config: {}, cwd, rules: [] }).options;
  const pgVersion = resolved?.pgVersionFrom === 'repository' ? resolved.engine.pgVersion : undefined;
  return { dirs, runners: [...runners], runnerSource: repo?.source, pgVersion };
}

/** Writes `text` to `rel` unless it exists with other content (then only with force). */
function put(cwd: string, rel: string, text: string, force: boolean): Outcome {
  const file = path.join(cwd, rel);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (old === text) return 'unchanged';
  if (old !== undefined && !force) return 'kept';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return old === undefined ? 'wrote' : 'updated';
}

const globOf = (dirs: string[]): string => (dirs.length === 1 ? `${dirs[0]}/**/*.sql` : `{${dirs.join(',')}}/**/*.sql`).replace(/^\.\//, '');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** File endings the include globs cover: .sql, and the TS/JS migration endings where the directories hold such files. */
const SCRIPT_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];
function extensionsIn(cwd: string, dirs: string[]): string[] {
  const found = new Set<string>(['sql']);
  const visit = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && depth < 4 && !e.name.startsWith('.') && e.name !== 'node_modules') visit(path.join(dir, e.name), depth + 1);
      const ext = /\.([a-z]+)$/.exec(e.name)?.[1];
      if (e.isFile() && ext && SCRIPT_EXTENSIONS.includes(ext) && !e.name.endsWith('.d.ts')) found.add(ext);
    }
  };
  for (const dir of dirs) visit(path.resolve(cwd, dir), 0);
  return [...found];
}

function configText(d: Detected, cwd: string): string {
  const config: Record<string, unknown> = { $schema: './node_modules/zerodown/schema/zerodown.schema.json' };
  // The runner matters for plain .sql files (it says whether each runs in a transaction); formats
  // with their own layout (Prisma, golang-migrate, …) already imply theirs.
  if (d.runners.length === 1) config.runner = d.runners[0];
  if (d.pgVersion !== undefined) config.postgresVersion = d.pgVersion;
  if (d.dirs.length && !d.dirs.includes('.')) {
    const exts = extensionsIn(cwd, d.dirs);
    config.include = d.dirs.flatMap((dir) => exts.map((ext) => `${dir}/**/*.${ext}`));
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}

function preCommitEntry(d: Detected): string {
  const files = d.dirs.length && !d.dirs.includes('.') ? `\n        files: ^(${d.dirs.map(escape).join('|')})/.*\\.sql$` : '';
  return `  - repo: ${HOOK_REPOSITORY}\n    rev: v${TOOL_VERSION}\n    hooks:\n      - id: zerodown${files}\n`;
}

/** Adds the zerodown repo to .pre-commit-config.yaml: a new file, or appended when `repos:` is its last top-level key. */
function preCommit(cwd: string, d: Detected, force: boolean): Outcome {
  const rel = '.pre-commit-config.yaml';
  const file = path.join(cwd, rel);
  const entry = preCommitEntry(d);
  if (!fs.existsSync(file)) return put(cwd, rel, `repos:\n${entry}`, force);
  const old = fs.readFileSync(file, 'utf8');
  if (/^\s*-\s*id:\s*zerodown\s*$/m.test(old)) return 'unchanged';
  const topLevel = [...old.matchAll(/^([A-Za-z_][\w-]*):/gm)].map((m) => m[1]);
  if (topLevel.at(-1) !== 'repos' || /^repos:\s*\[\s*\]\s*$/m.test(old)) return 'kept';
  fs.writeFileSync(file, `${old.replace(/\n*$/, '\n')}${entry}`);
  return 'updated';
}

function husky(cwd: string, d: Detected, force: boolean): Outcome[] {
  const hookRel = '.husky/pre-commit';
  const hookFile = path.join(cwd, hookRel);
  let hook: Outcome;
  if (!fs.existsSync(hookFile)) hook = put(cwd, hookRel, 'npx lint-staged\n', force);
  else if (/\blint-staged\b/.test(fs.readFileSync(hookFile, 'utf8'))) hook = 'unchanged';
  else if (force) {
    fs.appendFileSync(hookFile, '\nnpx lint-staged\n');
    hook = 'updated';
  } else hook = 'kept';

  const glob = d.dirs.length && !d.dirs.includes('.') ? globOf(d.dirs) : '**/*.sql';
  const pkgFile = path.join(cwd, 'package.json');
  if (!fs.existsSync(pkgFile)) return [hook, put(cwd, '.lintstagedrc.json', `${JSON.stringify({ [glob]: 'zerodown' }, null, 2)}\n`, force)];
  const text = fs.readFileSync(pkgFile, 'utf8');
  let pkg: { 'lint-staged'?: Record<string, unknown> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch (e) {
    throw new Error(`package.json: invalid JSON (${(e as Error).message}); nothing written to it`, { cause: e });
  }
  const staged = pkg['lint-staged'];
  if (staged && Object.values(staged).some((v) => JSON.stringify(v).includes('zerodown'))) return [hook, 'unchanged'];
  // Added beside the other lint-staged entries, none of which changes.
  pkg['lint-staged'] = { ...staged, [glob]: 'zerodown' };
  const indent = /^(\s+)"/m.exec(text)?.[1] ?? '  ';
  fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, indent)}\n`);
  return [hook, 'updated'];
}

function workflow(d: Detected): string {
  const dirs = d.dirs.length && !d.dirs.includes('.') ? d.dirs : ['.'];
  const paths = dirs[0] === '.' ? "['**.sql']" : `[${dirs.map((x) => `'${x}/**'`).join(', ')}]`;
  return `# Lints the migrations of each pull request; findings show as annotations on the diff.
# (A zerodown GitHub Action is planned; until then the CLI writes the annotations itself.)
name: zerodown
on:
  pull_request:
    paths: ${paths}
permissions:
  contents: read
jobs:
  zerodown:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - run: npx --yes zerodown@${TOOL_VERSION} --format github ${dirs.join(' ')}
`;
}

export function initCommand(argv: string[], cwd = process.cwd()): number {
  let values: Record<string, boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'pre-commit': { type: 'boolean' }, husky: { type: 'boolean' }, github: { type: 'boolean' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }) as { values: Record<string, boolean | undefined> });
  } catch (e) {
    process.stderr.write(`zerodown init: ${(e as Error).message.split('\n')[0]}\nRun "zerodown init --help" for usage.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${INIT_HELP}\n`);
    return 0;
  }
  try {
    return init(cwd, values);
  } catch (e) {
    // An unreadable or invalid file (package.json, a permission problem): one line, no stack trace.
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`zerodown init: ${err.path ? `${path.relative(cwd, err.path)}: ` : ''}${err.message.split('\n')[0]}\n`);
    return 2;
  }
}

function init(cwd: string, values: Record<string, boolean | undefined>): number {
  const force = values.force === true;
  const d = detect(cwd);
  const out: string[] = [];
  out.push(d.dirs.length ? `migrations: ${d.dirs.join(', ')}` : 'migrations: none found (no directory of .sql or TS/JS migrations)');
  out.push(`runner: ${d.runners.length ? d.runners.join(', ') : 'not detected (plain SQL files: set "runner" in the config)'}${d.runnerSource ? ` (from ${path.relative(cwd, d.runnerSource)})` : ''}`);
  const report = (rel: string, outcome: Outcome, hint?: string): void => {
    const what = { wrote: 'wrote', updated: 'updated', unchanged: 'unchanged', kept: 'kept (exists; --force to replace)' }[outcome];
    out.push(`${what.padEnd(9)} ${rel}${outcome === 'kept' && hint ? `\n          add by hand:\n${hint.replace(/^/gm, '            ')}` : ''}`);
  };
  const hasConfig = ['zerodown.config.jsonc', 'zerodown.config.js', 'zerodown.config.mjs', '.zerodownrc', '.zerodownrc.json'].find((f) => fs.existsSync(path.join(cwd, f)));
  if (hasConfig && !force) report(hasConfig, 'unchanged');
  else report('zerodown.config.json', put(cwd, 'zerodown.config.json', configText(d, cwd), force));
  const next: string[] = [];
  if (values['pre-commit']) {
    report('.pre-commit-config.yaml', preCommit(cwd, d, force), preCommitEntry(d));
    next.push('pre-commit install && pre-commit run zerodown --all-files');
  }
  if (values.husky) {
    const [hook, staged] = husky(cwd, d, force);
    report('.husky/pre-commit', hook, 'npx lint-staged');
    report(fs.existsSync(path.join(cwd, 'package.json')) ? 'package.json (lint-staged)' : '.lintstagedrc.json', staged);
    next.push('npm install --save-dev zerodown husky lint-staged && npx husky');
  }
  if (values.github) report('.github/workflows/zerodown.yml', put(cwd, '.github/workflows/zerodown.yml', workflow(d), force));
  if (!next.length) next.push(`npx zerodown${d.dirs.length && !d.dirs.includes('.') ? ` ${d.dirs.join(' ')}` : ''}`);
  out.push(`next: ${next.join('\n      ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
