/**
 * The GitHub Action as the runner runs it: `node dist-action/index.cjs` (the committed bundle) with
 * INPUT_* variables, an event payload file, GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files and
 * GITHUB_API_URL pointing at a mock GitHub API on 127.0.0.1, inside real git repositories.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';
import { git, repoWithChange, tempDir, writeFiles } from './git-repo.ts';
import { startMockGitHub, type MockGitHub } from './github-api-mock.ts';

const BUNDLE = path.join(ROOT, 'dist-action', 'index.cjs');
const MIG = 'db/migration';

const BASE = {
  [`${MIG}/V1__users.sql`]: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
  // Unchanged by the PRs below: its finding is never reported.
  [`${MIG}/V2__idx.sql`]: 'CREATE INDEX users_email ON users (email);\n',
  [`${MIG}/V3__id_idx.sql`]: 'CREATE INDEX users_id ON users (id);\n',
};
/** Edits V3 below its existing finding, and adds V4 with a new one. */
const CHANGE = {
  [`${MIG}/V3__id_idx.sql`]: 'CREATE INDEX users_id ON users (id);\nCOMMENT ON TABLE users IS \'people\';\n',
  [`${MIG}/V4__email_lower.sql`]: 'CREATE INDEX users_email_lower ON users (lower(email));\n',
};

interface Run {
  code: number | null;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
  workspace: string;
}

function prEvent(dir: string, base: string, head: string, fork = false): string {
  const file = path.join(path.dirname(dir), `${path.basename(dir)}-event.json`);
  fs.writeFileSync(file, JSON.stringify({ pull_request: { number: 7, base: { sha: base, repo: { full_name: 'o/r' } }, head: { sha: head, repo: { full_name: fork ? 'someone/r' : 'o/r' } } } }));
  return file;
}

/** GITHUB_OUTPUT's `name<<delimiter` blocks. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) out[m[1]] = m[3];
  return out;
}

async function runAction(workspace: string, eventFile: string, api: MockGitHub, inputs: Record<string, string> = {}, eventName = 'pull_request'): Promise<Run> {
  const scratch = tempDir('zd-runner-');
  const summaryFile = path.join(scratch, 'summary.md');
  const outputFile = path.join(scratch, 'output.txt');
  fs.writeFileSync(summaryFile, '');
  fs.writeFileSync(outputFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: scratch,
    GIT_CONFIG_NOSYSTEM: '1',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_API_URL: api.url,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: scratch,
    INPUT_TOKEN: 'ghs_secret_token_value',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [BUNDLE], { cwd: workspace, env, encoding: 'utf8' }, (error, stdout) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, summary: fs.readFileSync(summaryFile, 'utf8'), outputs: readOutputs(fs.readFileSync(outputFile, 'utf8')), workspace });
    });
  });
}

/** The workflow commands of annotations: [level, properties]. */
function annotations(stdout: string): { level: string; props: Record<string, string>; text: string }[] {
  return [...stdout.matchAll(/^::(error|warning|notice) ([^:]*)::(.*)$/gm)].map((m) => ({
    level: m[1],
    props: Object.fromEntries(m[2].split(',').map((p) => p.split('=') as [string, string])),
    text: m[3],
  }));
}

let api: MockGitHub;
beforeEach(async () => {
  api = await startMockGitHub();
});
afterEach(async () => {
  await api.close();
});

describe('GitHub Action on a pull request', { timeout: 180_000 }, () => {
  let validateSarif: ValidateFunction;
  beforeAll(() => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    schema.$id = schema.id;
    delete schema.id;
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    type AddFormats = (ajv: Ajv) => Ajv;
    const mod = addFormatsPlugin as unknown as AddFormats & { default?: AddFormats };
    (typeof mod.default === 'function' ? mod.default : mod)(ajv);
    validateSarif = ajv.compile(schema);
  });

  it('annotates the changed lines only, writes summary, outputs and SARIF, and one sticky comment updated on re-run', async () => {
    const repo = repoWithChange(BASE, CHANGE);
    // 120 comments by others: the marker is searched across pages.
    for (let i = 0; i < 120; i++) api.comments.push({ id: i + 1, body: `comment ${i}` });
    const event = prEvent(repo.dir, repo.base, repo.head);
    const first = await runAction(repo.dir, event, api);

    const found = annotations(first.stdout).filter((a) => a.props.title);
    const where = found.map((a) => `${a.level} ${a.props.title} ${a.props.file}:${a.props.line}`);
    // V3's CREATE INDEX on line 1 is not in the diff; its edit (line 2) is; V4 is new; V2 is unchanged.
    expect(where).toContain(`error edited-applied-migration ${MIG}/V3__id_idx.sql:2`);
    expect(where).toContain(`error index-not-concurrent ${MIG}/V4__email_lower.sql:1`);
    expect(where.filter((w) => w.includes('V3__id_idx.sql:1'))).toEqual([]);
    expect(where.filter((w) => w.includes('V2__idx'))).toEqual([]);
    // Errors first; one-line spans carry columns.
    const levels = found.map((a) => a.level);
    expect(levels.lastIndexOf('error')).toBeLessThan(levels.indexOf('warning') === -1 ? Infinity : levels.indexOf('warning'));
    const v4 = found.find((a) => a.props.title === 'index-not-concurrent')!;
    expect(v4.props.col).toBe('1');
    expect(v4.text).toMatch(/SHARE lock on users.*CONCURRENTLY/);
    // The finding off the diff is still in the summary, and the notice says why it is not annotated.
    expect(first.stdout).toMatch(/::notice::.*finding\(s\) on lines this change did not touch are not annotated/);
    expect(first.summary).toContain('<!-- zerodown-action: . -->');
    expect(first.summary).toContain(`\`${MIG}/V3__id_idx.sql:1\``);
    expect(first.summary).toContain('| 🔴 error | [`index-not-concurrent`]');
    expect(first.summary).not.toContain('V2__idx');
    expect(first.outputs.errors).toBe('3');
    expect(Number(first.outputs.warnings)).toBeGreaterThanOrEqual(0);
    expect(first.code).toBe(1);
    expect(first.stdout).not.toContain('ghs_secret_token_value');

    const sarif = JSON.parse(fs.readFileSync(first.outputs['sarif-file'], 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri)).toContain(`${MIG}/V4__email_lower.sql`);
    const json = JSON.parse(fs.readFileSync(first.outputs['report-json'], 'utf8')) as { version: number; summary: { errors: number } };
    expect(json).toMatchObject({ version: 1, summary: { errors: 3 } });

    const posts = () => api.requests.filter((r) => r.method === 'POST');
    expect(posts()).toHaveLength(1);
    expect(posts()[0].auth).toBe('token ghs_secret_token_value');
    const sticky = api.comments.find((c) => c.body.includes('<!-- zerodown-action: . -->'))!;
    expect(sticky.body).toContain('index-not-concurrent');
    expect(sticky.body).toContain('<details>');
    expect(sticky.body).toMatch(/CREATE INDEX CONCURRENTLY/);
    expect(sticky.body.length).toBeLessThanOrEqual(65_536);

    // Re-run: the same comment is updated, never a second one.
    const second = await runAction(repo.dir, event, api);
    expect(second.code).toBe(1);
    expect(posts()).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'PATCH' && r.path === `/repos/o/r/issues/comments/${sticky.id}`)).toHaveLength(1);
    // Comments were read across both pages.
    expect(api.requests.some((r) => r.method === 'GET' && r.path.includes('page=2'))).toBe(true);

    // The PR becomes clean: the comment is marked resolved, the step succeeds.
    writeFiles(repo.dir, { [`${MIG}/V3__id_idx.sql`]: BASE[`${MIG}/V3__id_idx.sql`], [`${MIG}/V4__email_lower.sql`]: "SET lock_timeout = '2s';\n" });
    git(repo.dir, 'commit', '-qam', 'fix');
    const clean = await runAction(repo.dir, prEvent(repo.dir, repo.base, git(repo.dir, 'rev-parse', 'HEAD')), api);
    expect(clean.code).toBe(0);
    expect(clean.outputs.errors).toBe('0');
    expect(api.comments.filter((c) => c.body.includes('<!-- zerodown-action: . -->'))).toHaveLength(1);
    expect(sticky.body).toContain('## zerodown: resolved');
    expect(posts()).toHaveLength(1);
  });

  it('fork PR with a read-only token: 403 on the comment is a notice, annotations and summary still come, exit per fail-on', async () => {
    const repo = repoWithChange(BASE, CHANGE);
    api.readOnly = true;
    const run = await runAction(repo.dir, prEvent(repo.dir, repo.base, repo.head, true), api, { 'fail-on': 'never' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/::notice::zerodown could not write the pull request comment \(HTTP 403/);
    expect(annotations(run.stdout).filter((a) => a.level === 'error').length).toBeGreaterThan(0);
    expect(run.summary).toContain('index-not-concurrent');
    expect(api.comments).toEqual([]);
  });

  it('caps annotations at 10 errors and 10 warnings, most severe first, and says how many more', async () => {
    const many = Array.from({ length: 15 }, (_, i) => `CREATE INDEX users_e${i} ON users (email, id);\nALTER TABLE users ADD COLUMN c${i} text;`).join('\n');
    const repo = repoWithChange(BASE, { [`${MIG}/V4__many.sql`]: `${many}\n` });
    const run = await runAction(repo.dir, prEvent(repo.dir, repo.base, repo.head), api, { comment: 'false' });
    const found = annotations(run.stdout).filter((a) => a.props.title);
    const errors = found.filter((a) => a.level === 'error');
    const warnings = found.filter((a) => a.level === 'warning');
    expect(errors).toHaveLength(10);
    expect(warnings.length).toBeLessThanOrEqual(10);
    expect(found.slice(0, 10).every((a) => a.level === 'error')).toBe(true);
    const total = Number(run.outputs.findings);
    expect(total).toBeGreaterThan(found.length);
    expect(run.stdout).toContain(`::notice::${total - found.length} finding(s) on changed lines were not annotated`);
    expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('fail-on: warning fails on warnings alone; never always passes; error passes on warnings', async () => {
    // A new table: no lock on existing data, only design warnings in the strict preset → use a warning rule of the recommended preset.
    const repo = repoWithChange(BASE, { [`${MIG}/V4__col.sql`]: 'ALTER TABLE users ADD COLUMN note text;\n' });
    const event = prEvent(repo.dir, repo.base, repo.head);
    const onError = await runAction(repo.dir, event, api, { comment: 'false' });
    expect(onError.outputs.errors).toBe('0');
    expect(Number(onError.outputs.warnings)).toBeGreaterThan(0);
    expect(onError.code).toBe(0);
    expect((await runAction(repo.dir, event, api, { comment: 'false', 'fail-on': 'warning' })).code).toBe(1);
    expect((await runAction(repo.dir, event, api, { comment: 'false', 'fail-on': 'never' })).code).toBe(0);
    const bad = await runAction(repo.dir, event, api, { comment: 'false', 'fail-on': 'sometimes' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('::error::input fail-on: expected error, warning or never, got "sometimes"');
  });

  it('shallow clone (fetch-depth 1): fetches history until the base is reached', async () => {
    const origin = repoWithChange(BASE, CHANGE);
    git(origin.dir, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    const clone = tempDir('zd-shallow-');
    git(clone, 'clone', '-q', '--depth', '1', '--branch', 'pr', `file://${origin.dir}`, '.');
    expect(git(clone, 'rev-parse', '--is-shallow-repository')).toBe('true');
    const run = await runAction(clone, prEvent(clone, origin.base, origin.head), api, { comment: 'false' });
    const where = annotations(run.stdout).filter((a) => a.props.title).map((a) => `${a.props.title} ${a.props.file}:${a.props.line}`);
    expect(where).toContain(`edited-applied-migration ${MIG}/V3__id_idx.sql:2`);
    expect(where.filter((w) => w.includes('V2__idx'))).toEqual([]);
    expect(run.summary).toContain("the pull request's base");
  });

  it('without git history: changed files from the paginated PR files API', async () => {
    const repo = repoWithChange(BASE, CHANGE);
    const plain = tempDir('zd-nogit-');
    writeFiles(plain, { ...BASE, ...CHANGE });
    // 250 other files, so the list takes three pages.
    api.files = Array.from({ length: 250 }, (_, i) => ({ filename: `src/f${i}.ts`, status: 'added', patch: '@@ -0,0 +1 @@\n+x' }));
    api.files.push({ filename: `${MIG}/V3__id_idx.sql`, status: 'modified', patch: "@@ -1,0 +2 @@\n+COMMENT ON TABLE users IS 'people';" });
    api.files.push({ filename: `${MIG}/V4__email_lower.sql`, status: 'added', patch: '@@ -0,0 +1 @@\n+CREATE INDEX users_email_lower ON users (lower(email));' });
    const run = await runAction(plain, prEvent(plain, repo.base, repo.head), api, { comment: 'false' });
    expect(api.requests.filter((r) => r.path.startsWith('/repos/o/r/pulls/7/files')).length).toBe(3);
    const where = annotations(run.stdout).filter((a) => a.props.title).map((a) => `${a.props.title} ${a.props.file}:${a.props.line}`);
    expect(where).toContain(`edited-applied-migration ${MIG}/V3__id_idx.sql:2`);
    expect(where).toContain(`index-not-concurrent ${MIG}/V4__email_lower.sql:1`);
    expect(run.summary).not.toContain('V2__idx');
  });

  it('baseline input: accepted findings are not reported', async () => {
    const repo = repoWithChange(BASE, CHANGE);
    const baseline = { version: 1, tool: 'zerodown', findings: [] as unknown[] };
    fs.writeFileSync(path.join(repo.dir, 'empty-baseline.json'), JSON.stringify(baseline));
    const all = await runAction(repo.dir, prEvent(repo.dir, repo.base, repo.head), api, { comment: 'false', baseline: 'empty-baseline.json' });
    expect(all.outputs.errors).toBe('3');
    // Accept everything the PR reports (zerodown baseline over the same files), then nothing is new.
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.cjs'), 'baseline', '--changed-since', repo.base, '-o', 'accepted.json'], { cwd: repo.dir, stdio: 'ignore' });
    const none = await runAction(repo.dir, prEvent(repo.dir, repo.base, repo.head), api, { comment: 'false', baseline: 'accepted.json' });
    expect(none.outputs.errors).toBe('0');
    expect(none.code).toBe(0);
  });
});

describe('GitHub Action on a push', { timeout: 120_000 }, () => {
  it('compares with the push’s before commit; a branch-creating push (before = 000…) lints every migration', async () => {
    const repo = repoWithChange(BASE, CHANGE);
    const event = path.join(path.dirname(repo.dir), `${path.basename(repo.dir)}-push.json`);
    const push = (before: string): Promise<Run> => {
      fs.writeFileSync(event, JSON.stringify({ before, after: repo.head }));
      return runAction(repo.dir, event, api, { 'fail-on': 'never' }, 'push');
    };
    const changed = await push(repo.base);
    expect(changed.summary).toContain('the previous push');
    expect(changed.summary).not.toContain('V2__idx');
    const all = await push('0'.repeat(40));
    expect(all.summary).toContain('All migrations');
    expect(all.summary).toContain('V2__idx');
    expect(api.requests).toEqual([]);
  });
});
