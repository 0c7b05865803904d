/**
 * The `edited-applied-migration` finding: a migration that existed at the base/deployed revision and
 * was changed since. It comes from git (source/git.ts, via --changed-since or the GitHub Action),
 * not from the SQL, so the engine adds it to the file's result; the rule in rules/ holds its
 * metadata, docs and severity setting.
 */
import type { Finding, FileResult } from '../findings/model.ts';
import type { Rule } from '../kit/rule.ts';
import type { RuleSetting } from '../findings/model.ts';

export const EDITED_APPLIED = 'edited-applied-migration';

const IGNORE_FILE = new RegExp(`--\\s*zerodown-ignore-file\\b[^\\n]*\\b${EDITED_APPLIED}\\b`);

/** The finding on `line` (the first changed line) of `text`, or undefined when the rule is off. */
export function editedAppliedFinding(text: string, line: number, rules: readonly Rule[], settings: ReadonlyMap<string, RuleSetting>): Finding | undefined {
  const rule = rules.find((r) => r.id === EDITED_APPLIED);
  if (!rule) return undefined;
  const severity = settings.get(EDITED_APPLIED) ?? rule.severity;
  if (severity === 'off') return undefined;
  // The finding is about the whole file: the file-level ignore comment accepts an intentional edit.
  if (IGNORE_FILE.test(text)) return undefined;
  const lines = text.split('\n');
  const at = Math.min(Math.max(line, 1), lines.length);
  let start = 0;
  for (let i = 0; i < at - 1; i++) start += lines[i].length + 1;
  const lineText = (lines[at - 1] ?? '').replace(/\r$/, '');
  return {
    ruleId: EDITED_APPLIED,
    severity,
    message:
      'This migration already exists on the base branch and was edited: wherever it has run, it never runs again, so the edit changes nothing there while fresh databases get the new version (schema drift); Flyway and Prisma Migrate checksum applied migrations and refuse to migrate (validate fails / drift is reported).',
    line: at,
    column: 1,
    endLine: at,
    endColumn: lineText.length + 1,
    lock: null,
    help: 'Revert the edit and put the change in a new migration (a later version/timestamp). If the applied migration itself was wrong and must change, repair each environment deliberately (flyway repair, prisma migrate resolve) rather than by editing it.',
    safeAlternative: null,
    start,
    end: start + lineText.length,
  };
}

/** `result` with the finding added in line order (a copy: cached results stay as analyzed). */
export function withEditedApplied(result: FileResult, finding: Finding | undefined): FileResult {
  if (!finding) return result;
  const findings = [...result.findings, finding].sort((a, b) => a.line - b.line || a.column - b.column);
  return { ...result, findings };
}
