/**
 * Suppression comments.
 *   -- zerodown-ignore rule-a, rule-b -- reason     the whole next statement (any number of lines)
 *   -- zerodown-ignore-file rule-a -- reason        the whole file
 * Without rule ids, every rule is suppressed. Unknown ids are reported; so are unused ignores when asked.
 */
import type { Comment } from '../source/lexer.ts';
import type { Span } from '../source/text.ts';
import type { StatementInfo } from '../kit/rule.ts';
import { didYouMean } from '../util/did-you-mean.ts';

export interface SuppressionProblem {
  ruleId: string;
  span: Span;
  message: string;
  help: string;
}

export interface Suppressions {
  isSuppressed(ruleId: string, start: number, stmtIndex?: number): boolean;
  problems(reportUnused: boolean): SuppressionProblem[];
}

interface Directive {
  span: Span;
  file: boolean;
  /** Empty = all rules. */
  ids: string[];
  /** Span covered (the next statement), for statement directives. */
  target?: Span;
  used: Set<string>;
}

const DIRECTIVE = /^\s*zerodown-ignore(-file)?\b([^]*)$/;

export function parseSuppressions(comments: Comment[], statements: StatementInfo[], knownIds: ReadonlySet<string>): Suppressions {
  const directives: Directive[] = [];
  const tops = statements.filter((s) => s.origin === 'top');
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.body);
    if (!m) continue;
    // `rule-a, rule-b -- reason`: ids stop at the reason separator.
    const idPart = m[2].split(/\s--\s|^--\s|\s--$/)[0];
    const ids = idPart
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => /^[a-z][a-z0-9-]*$/.test(s));
    const d: Directive = { span: { start: c.start, end: c.end }, file: m[1] !== undefined, ids, used: new Set() };
    if (!d.file) d.target = tops.find((s) => s.span.start >= c.end)?.span;
    directives.push(d);
  }
  return {
    isSuppressed(ruleId, start) {
      for (const d of directives) {
        if (d.ids.length && !d.ids.includes(ruleId)) continue;
        if (d.file || (d.target && start >= d.target.start && start <= d.target.end)) {
          d.used.add(ruleId);
          return true;
        }
      }
      return false;
    },
    problems(reportUnused) {
      const out: SuppressionProblem[] = [];
      for (const d of directives) {
        for (const id of d.ids) {
          if (!knownIds.has(id)) {
            const hint = didYouMean(id, knownIds);
            out.push({
              ruleId: 'invalid-ignore',
              span: d.span,
              message: `unknown rule id "${id}" in zerodown-ignore${hint ? ` (did you mean "${hint}"?)` : ''}`,
              help: 'A misspelled id suppresses nothing, so the hazard it was meant to acknowledge is still reported. Run `zerodown rules` for the list of ids.',
            });
          } else if (reportUnused && !d.used.has(id)) {
            out.push({
              ruleId: 'unused-ignore',
              span: d.span,
              message: `zerodown-ignore for "${id}" suppresses nothing`,
              help: 'Remove stale ignore comments so that they cannot hide a real finding added later.',
            });
          }
        }
        if (reportUnused && d.ids.length === 0 && d.used.size === 0) {
          out.push({ ruleId: 'unused-ignore', span: d.span, message: 'zerodown-ignore suppresses nothing', help: 'Remove stale ignore comments.' });
        }
        if (!d.file && !d.target) {
          out.push({
            ruleId: 'invalid-ignore',
            span: d.span,
            message: 'zerodown-ignore is not followed by a statement',
            help: 'The comment applies to the next statement; to cover the whole file use `-- zerodown-ignore-file <rule-id>`.',
          });
        }
      }
      return out;
    },
  };
}
