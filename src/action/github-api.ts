/**
 * The few GitHub REST calls the Action makes, through @actions/github's Octokit (GITHUB_API_URL as
 * base, so GitHub Enterprise Server works). Nothing else leaves the runner.
 */
import { getOctokit } from '@actions/github';

export interface PullFile {
  filename: string;
  status: string;
  patch?: string;
}

export interface IssueComment {
  id: number;
  body?: string;
}

/** GitHub lists at most 3,000 files of a pull request. */
const MAX_FILES = 3000;

export class GitHubApi {
  private readonly octokit: ReturnType<typeof getOctokit>;

  constructor(
    token: string,
    private readonly owner: string,
    private readonly repo: string,
  ) {
    this.octokit = getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
  }

  async pullFiles(pull: number): Promise<PullFile[]> {
    const out: PullFile[] = [];
    for await (const page of this.octokit.paginate.iterator(this.octokit.rest.pulls.listFiles, { owner: this.owner, repo: this.repo, pull_number: pull, per_page: 100 })) {
      for (const f of page.data) out.push({ filename: f.filename, status: f.status, patch: f.patch });
      if (out.length >= MAX_FILES) break;
    }
    return out;
  }

  async comments(issue: number): Promise<IssueComment[]> {
    return this.octokit.paginate(this.octokit.rest.issues.listComments, { owner: this.owner, repo: this.repo, issue_number: issue, per_page: 100 }, (r) => r.data.map((c) => ({ id: c.id, body: c.body })));
  }

  async createComment(issue: number, body: string): Promise<void> {
    await this.octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: issue, body });
  }

  async updateComment(id: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: id, body });
  }
}

/** The HTTP status of an Octokit request error, if it is one. */
export function httpStatus(e: unknown): number | undefined {
  const status = (e as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}
