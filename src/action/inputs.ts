/** The Action's inputs (action.yml), read and checked once. */
import * as core from '@actions/core';

export type FailOn = 'error' | 'warning' | 'never';

export interface ActionInputs {
  paths: string[];
  workingDirectory: string;
  config?: string;
  runner?: string;
  pgVersion?: string;
  failOn: FailOn;
  comment: boolean;
  annotations: boolean;
  sarifFile: string;
  changedOnly: boolean;
  baseRef?: string;
  token: string;
  deployedRef?: string;
  baseline?: string;
}

export class InputError extends Error {
  override name = 'InputError';
}

function optional(name: string): string | undefined {
  return core.getInput(name) || undefined;
}

function bool(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (!raw) return fallback;
  if (['true', 'yes', 'on', '1'].includes(raw)) return true;
  if (['false', 'no', 'off', '0'].includes(raw)) return false;
  throw new InputError(`input ${name}: expected true or false, got "${raw}"`);
}

export function readInputs(): ActionInputs {
  const failOn = (core.getInput('fail-on') || 'error').trim();
  if (failOn !== 'error' && failOn !== 'warning' && failOn !== 'never') throw new InputError(`input fail-on: expected error, warning or never, got "${failOn}"`);
  // Never printed (the runner masks github.token and secrets in logs already; ::add-mask:: would echo it).
  const token = core.getInput('token');
  return {
    // One path per line (or separated by spaces); empty: the migration directories found in the working directory.
    paths: core.getInput('paths').split(/\s+/).filter(Boolean),
    workingDirectory: core.getInput('working-directory') || '.',
    config: optional('config'),
    runner: optional('runner'),
    pgVersion: optional('pg-version'),
    failOn,
    comment: bool('comment', true),
    annotations: bool('annotations', true),
    sarifFile: core.getInput('sarif-file') || 'zerodown.sarif',
    changedOnly: bool('changed-only', true),
    baseRef: optional('base-ref'),
    token,
    deployedRef: optional('deployed-ref'),
    baseline: optional('baseline'),
  };
}
