/** What the workflow run is about, from GITHUB_EVENT_NAME and the event payload file. */
import fs from 'node:fs';

export interface RunEvent {
  name: string;
  owner: string;
  repo: string;
  /** Pull request number (pull_request, pull_request_target). */
  pr?: number;
  /** The commit the changes are measured from: the PR's base, or the push's `before`. */
  base?: string;
  head?: string;
  /** A PR from another repository: its token is read-only under `pull_request`. */
  fork: boolean;
}

interface Payload {
  pull_request?: { number: number; base: { sha: string; repo?: { full_name?: string } }; head: { sha: string; repo?: { full_name?: string } | null } };
  before?: string;
  after?: string;
}

const ZERO = /^0+$/;

export function readEvent(env: NodeJS.ProcessEnv = process.env): RunEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  let payload: Payload = {};
  if (env.GITHUB_EVENT_PATH && fs.existsSync(env.GITHUB_EVENT_PATH)) payload = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Payload;
  const pr = payload.pull_request;
  if (pr) {
    const fork = !!pr.head.repo?.full_name && pr.head.repo.full_name !== (pr.base.repo?.full_name ?? `${owner}/${repo}`);
    return { name, owner, repo, pr: pr.number, base: pr.base.sha, head: pr.head.sha, fork };
  }
  // A push that creates a branch has before = 000…0: there is nothing to compare with.
  if (name === 'push' && payload.before && !ZERO.test(payload.before)) return { name, owner, repo, base: payload.before, head: payload.after, fork: false };
  return { name, owner, repo, fork: false };
}
