/**
 * The GitHub Action (action.yml → dist-action/index.cjs): lints the migrations a pull request or
 * push changed with the CLI in-process, then writes annotations on the changed lines, the job
 * summary, one sticky PR comment, a SARIF file and a JSON report, and fails per `fail-on`.
 * No network besides GITHUB_API_URL; a read-only token (fork PRs) only loses the comment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { runLint, type Values } from '../front/lint-run.ts';
import type { Finding, LintReport } from '../findings/model.ts';
import { REPORTERS } from '../report/index.ts';
import { totals } from '../report/types.ts';
import { RULES } from '../../rules/index.ts';
import { mark } from '../util/timing.ts';
import { annotationText, planAnnotations, type AnnotationPlan } from './annotations.ts';
import { COMMENT_LIMIT, renderBody, resolvedBody } from './body.ts';
import { findChanges, type Changes } from './changes.ts';
import { readEvent, type RunEvent } from './event.ts';
import { GitHubApi, httpStatus } from './github-api.ts';
import { InputError, readInputs, type ActionInputs } from './inputs.ts';

/** The job summary may hold 1 MiB; this leaves room for other steps' summaries. */
const SUMMARY_LIMIT = 512 * 1024;

function real(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** The report with paths relative to the repository root (annotations and SARIF are read from there). */
function fromRoot(report: LintReport, cwd: string, root: string): LintReport {
  const rel = (p: string): string => path.relative(root, path.resolve(cwd, p)).split(path.sep).join('/');
  return { ...report, files: report.files.map((f) => ({ ...f, path: rel(f.path) })), fatal: report.fatal.map((e) => ({ ...e, path: rel(e.path) })) };
}

/** The lint's flag values (the same names as the command line's) for the shared lint run. */
function lintValues(inputs: ActionInputs, reportJson: string, changes: Changes | undefined): Values {
  // The model check's deployed revision: the input, else the base git reached (a commit the checkout has).
  const deployed = inputs.deployedRef ?? (changes?.via === 'git' ? changes.set.commit : undefined);
  return {
    format: 'json',
    'output-file': reportJson,
    'no-cache': true,
    config: inputs.config || undefined,
    runner: inputs.runner || undefined,
    'pg-version': inputs.pgVersion || undefined,
    baseline: inputs.baseline || undefined,
    'deployed-ref': deployed || undefined,
  };
}

function annotate(plan: AnnotationPlan): void {
  for (const { file, finding: f } of plan.shown) {
    const oneLine = f.line === f.endLine;
    const props = { title: f.ruleId, file, startLine: f.line, endLine: f.endLine, ...(oneLine ? { startColumn: f.column, endColumn: f.endColumn } : {}) };
    (f.severity === 'error' ? core.error : core.warning)(annotationText(f), props);
  }
}

function annotationNote(plan: AnnotationPlan, sarif: string): string | undefined {
  const parts = [];
  if (plan.capped) parts.push(`${plan.capped} finding(s) on changed lines were not annotated (GitHub shows at most 10 error and 10 warning annotations per step)`);
  if (plan.offDiff) parts.push(`${plan.offDiff} finding(s) on lines this change did not touch are not annotated`);
  return parts.length ? `${parts.join('; ')}: all findings are listed below, in the SARIF file ${sarif} and in the report-json output.` : undefined;
}

async function stickyComment(api: GitHubApi, event: RunEvent, marker: string, body: string | undefined): Promise<void> {
  if (event.pr === undefined) return;
  try {
    const existing = (await api.comments(event.pr)).find((c) => c.body?.includes(marker));
    if (body === undefined) return;
    if (existing) await api.updateComment(existing.id, body);
    else await api.createComment(event.pr, body);
  } catch (e) {
    const status = httpStatus(e);
    if (status === 403 || status === 404 || status === 401) {
      core.notice(
        `zerodown could not write the pull request comment (HTTP ${status}: the token is read-only${event.fork ? ': this pull request comes from a fork, and the pull_request event gives it a read-only token' : ', as for pull requests from forks under the pull_request event'}). The findings are in the annotations and the job summary; see docs/github-action.md for a pull_request_target / workflow_run set-up that comments on fork PRs safely.`,
      );
      return;
    }
    throw e;
  }
}

async function resolveComment(api: GitHubApi, event: RunEvent, marker: string, body: string): Promise<void> {
  if (event.pr === undefined) return;
  try {
    const existing = (await api.comments(event.pr)).find((c) => c.body?.includes(marker));
    if (existing && !existing.body?.includes('## zerodown: resolved')) await api.updateComment(existing.id, body);
  } catch (e) {
    const status = httpStatus(e);
    if (status === 403 || status === 404 || status === 401) return core.notice(`zerodown could not update its pull request comment (HTTP ${status}: read-only token).`);
    throw e;
  }
}

export async function run(): Promise<void> {
  mark('action: start');
  const inputs = readInputs();
  const event = readEvent();
  const workspace = real(process.env.GITHUB_WORKSPACE ?? process.cwd());
  const cwd = real(path.resolve(workspace, inputs.workingDirectory));
  if (!fs.existsSync(cwd)) throw new InputError(`input working-directory: ${inputs.workingDirectory} does not exist in ${workspace}`);
  process.chdir(cwd);
  const api = inputs.token && event.owner ? new GitHubApi(inputs.token, event.owner, event.repo) : undefined;

  const base = inputs.baseRef ?? event.base;
  let changes: Changes | undefined;
  if (inputs.changedOnly && base) changes = await findChanges(cwd, base, event, api);
  if (inputs.changedOnly && !changes) core.info(base ? `zerodown: the base ${base} could not be reached; linting every migration` : `zerodown: no base to compare with on a ${event.name || 'manual'} run; linting every migration`);
  mark('action: changed files known');
  const scope = changes ? `Migrations changed since ${changes.set.base}` : 'All migrations';

  const outDir = process.env.RUNNER_TEMP || os.tmpdir();
  const tag = inputs.workingDirectory === '.' ? '' : `-${inputs.workingDirectory.replace(/[^\w.-]+/g, '_')}`;
  const reportJson = path.join(outDir, `zerodown-report${tag}.json`);
  let linted: LintReport | undefined;
  const code = await runLint(lintValues(inputs, reportJson, changes), [...inputs.paths], { onReport: (r) => (linted = r), changes: changes?.set });
  if (code === 2 && !linted) throw new InputError('zerodown could not lint (the error is printed above)');
  const report = fromRoot(linted as unknown as LintReport, cwd, workspace);
  const t = totals(report);
  mark('action: linted');

  // SARIF, relative to the repository root (what upload-sarif expects).
  const sarifFile = path.resolve(workspace, inputs.sarifFile);
  fs.mkdirSync(path.dirname(sarifFile), { recursive: true });
  fs.writeFileSync(sarifFile, REPORTERS.sarif(report, { rules: RULES, color: false }));

  mark('action: SARIF written');
  const onDiff = (file: string, f: Finding): boolean => {
    if (!changes) return true;
    const lines = changes.lines.get(real(path.join(workspace, file)));
    if (!lines) return true;
    for (let l = f.line; l <= f.endLine; l++) if (lines.has(l)) return true;
    return false;
  };
  const plan = planAnnotations(report, onDiff);
  if (inputs.annotations) annotate(plan);
  // Files that could not be read or analyzed: never hidden by the cap (they are not findings).
  for (const e of report.fatal) core.error(`zerodown could not lint this file: ${e.message}`, { title: 'zerodown', file: e.path });
  const note = inputs.annotations ? annotationNote(plan, path.relative(workspace, sarifFile)) : undefined;
  if (note) core.notice(note);

  const marker = `<!-- zerodown-action: ${inputs.workingDirectory} -->`;
  const elsewhere = `all of them are in the job summary, the SARIF file and the report-json output`;
  const clean = t.errors + t.warnings + t.fatal === 0;
  // Outside a runner (a local try-out) there is no summary file to write to.
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderBody(report, { marker, limit: SUMMARY_LIMIT, scope, elsewhere: 'all of them are in the SARIF file and the report-json output', annotationNote: note })).write();
  if (inputs.comment && api && event.pr !== undefined) {
    if (clean) await resolveComment(api, event, marker, resolvedBody(marker, scope, event.head));
    else await stickyComment(api, event, marker, renderBody(report, { marker, limit: COMMENT_LIMIT, scope, elsewhere, annotationNote: note }));
  }

  mark('action: summary and comment written');
  core.setOutput('errors', t.errors);
  core.setOutput('warnings', t.warnings);
  core.setOutput('findings', t.errors + t.warnings);
  core.setOutput('sarif-file', sarifFile);
  core.setOutput('report-json', reportJson);

  if (code === 2) core.setFailed(`zerodown: ${t.fatal} file(s) could not be linted (see the errors above)`);
  else if (inputs.failOn === 'error' && t.errors) core.setFailed(`zerodown: ${t.errors} error(s) in the changed migrations`);
  else if (inputs.failOn === 'warning' && t.errors + t.warnings) core.setFailed(`zerodown: ${t.errors} error(s), ${t.warnings} warning(s) in the changed migrations (fail-on: warning)`);
}

run().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    // One line, never a stack trace (set ZERODOWN_DEBUG=1 for it); the token is masked by setSecret.
    core.setFailed(e instanceof InputError ? e.message : `zerodown: internal error: ${(e as Error).message}`);
    if (process.env.ZERODOWN_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  },
);
