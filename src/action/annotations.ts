/**
 * Which findings become annotations. GitHub shows at most 10 error and 10 warning annotations per
 * step (50 per job) and drops the rest silently, so the most severe are chosen here, on the lines the
 * pull request changed, and a notice tells how many were left out and where to read them.
 * https://docs.github.com/en/rest/checks/runs#update-a-check-run (annotation limits)
 */
import type { Finding, LintReport } from '../findings/model.ts';

/** Per step, per level (GitHub's cap). */
export const ANNOTATIONS_PER_LEVEL = 10;

export interface Annotation {
  file: string;
  finding: Finding;
}

export interface AnnotationPlan {
  shown: Annotation[];
  /** Findings on changed lines that did not fit under the cap. */
  capped: number;
  /** Findings outside the lines of the diff (in the summary and SARIF only). */
  offDiff: number;
}

/** `onDiff` says whether a finding of `file` touches a line the change added or modified. */
export function planAnnotations(report: LintReport, onDiff: (file: string, f: Finding) => boolean): AnnotationPlan {
  const candidates: Annotation[] = [];
  let offDiff = 0;
  for (const file of report.files) {
    for (const finding of file.findings) {
      if (onDiff(file.path, finding)) candidates.push({ file: file.path, finding });
      else offDiff++;
    }
  }
  // Errors first, then in file and line order.
  const rank = (a: Annotation): number => (a.finding.severity === 'error' ? 0 : 1);
  candidates.sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.finding.line - b.finding.line);
  const taken = { error: 0, warning: 0 };
  const shown: Annotation[] = [];
  for (const c of candidates) {
    if (taken[c.finding.severity] >= ANNOTATIONS_PER_LEVEL) continue;
    taken[c.finding.severity]++;
    shown.push(c);
  }
  return { shown, capped: candidates.length - shown.length, offDiff };
}

/** The annotation text: what is wrong and the lock, then what to do instead. */
export function annotationText(f: Finding): string {
  return `${f.message}\n\n${f.help}${f.safeAlternative ? `\n\nSafe alternative: ${f.safeAlternative.summary}` : ''}`;
}
