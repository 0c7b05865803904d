/**
 * One ESLint rule per zerodown rule. The file is analyzed once by the engine (lintFileSync: the
 * buffer ESLint holds, against the earlier migrations on disk) and each rule reports its own
 * findings from that one analysis, with the CLI's positions, message and fixes.
 */
import path from 'node:path';
import type { Rule } from 'eslint';
import { lintFileSync, PlanMemo } from '../engine/lint-file.ts';
import { lineEnding } from '../util/line-ending.ts';
import { lex } from '../source/lexer.ts';
import { isScriptFile, loadTypeScript } from '../source/ts/typescript.ts';
import type { Finding } from '../findings/model.ts';
import { DOCS_BASE, ruleDocsUrl } from '../meta.ts';
import { INVALID_IGNORE, UNUSED_IGNORE } from '../engine/engine.ts';
import { RULES } from '../../rules/index.ts';
import { lintOptionsFor, SETTINGS_SCHEMA, type ZerodownSettings } from './options.ts';

/** Findings the engine itself makes about `-- zerodown-ignore` comments (not rules of rules/). */
const ENGINE_RULES = [
  { id: INVALID_IGNORE, description: 'A zerodown-ignore comment names a rule that does not exist.', fixable: false },
  { id: UNUSED_IGNORE, description: 'A zerodown-ignore comment suppresses nothing (reported with reportUnusedIgnores).', fixable: false },
];

type Context = Rule.RuleContext;

/** The migrations directories' plans, kept for the life of the ESLint process (an editor's server). */
const plans = new PlanMemo();

/** Per ESLint SourceCode (one per linted text), the analysis per distinct settings. */
const analyses = new WeakMap<object, Map<string, Finding[]>>();

function settingsOf(context: Context): ZerodownSettings {
  const shared = (context.settings as { zerodown?: ZerodownSettings }).zerodown ?? {};
  const own = (context.options[0] ?? {}) as ZerodownSettings;
  return { ...shared, ...own };
}

function findingsOf(context: Context): Finding[] {
  const source = context.sourceCode;
  const settings = settingsOf(context);
  const key = JSON.stringify(settings);
  let byKey = analyses.get(source);
  if (!byKey) analyses.set(source, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const cwd = context.cwd;
  // lintText without a filePath: a lone file in the working directory (no history).
  const file = path.isAbsolute(context.physicalFilename) ? context.physicalFilename : path.join(cwd, '<text>.sql');
  const { options } = lintOptionsFor(file, cwd, settings);
  // Synchronous in the built plugin (require with a code cache); already loaded otherwise (plugin.ts).
  if (isScriptFile(file)) void loadTypeScript();
  const { result } = lintFileSync(file, source.text, RULES, options, cwd, plans);
  const findings = result?.findings ?? [];
  byKey.set(key, findings);
  return findings;
}

/** The SQL without `--` comment lines, blanks collapsed and without the final `;`, for comparing statements. */
const bareSql = (sql: string): string => sql.replace(/^\s*--.*$/gm, '').replace(/\s+/g, ' ').replace(/;\s*$/, '').trim().toUpperCase();

interface Span {
  start: number;
  end: number;
}

/** The statements of a .sql file and the one around a finding (the span a recipe replaces). */
function statementAround(text: string, index: number): { stmt: Span; all: Span[] } | undefined {
  const all = lex(text).statements;
  const stmt = all.find((s) => s.start <= index && index < s.end);
  return stmt && { stmt, all };
}

/** Whether the statement at `index` of `all` follows a BEGIN / START TRANSACTION of the file not yet ended. */
function inExplicitTransaction(text: string, all: Span[], index: number): boolean {
  let open = false;
  for (const s of all.slice(0, index)) {
    const head = bareSql(text.slice(s.start, s.end));
    if (/^(BEGIN|START TRANSACTION)\b/.test(head)) open = true;
    else if (/^(COMMIT|END|ROLLBACK|ABORT)\b/.test(head) && !/^ROLLBACK TO\b/.test(head)) open = false;
  }
  return open;
}

/**
 * Whether replacing the statement with the recipe's steps leaves a file that does what the recipe
 * says. Not when a step restates another statement of the file (the recipe reorders statements the
 * file already has), nor when steps meant to commit separately would land inside the file's own
 * BEGIN … COMMIT.
 */
function replaceableInPlace(text: string, found: { stmt: Span; all: Span[] }, steps: readonly { sql: string; transaction: string }[]): boolean {
  const sql = steps.map((s) => s.sql).join('\n');
  const recipe = new Set(lex(sql).statements.map((s) => bareSql(sql.slice(s.start, s.end))));
  // Session settings and transaction control repeat by design (every step sets its lock_timeout).
  const restated = found.all.filter((s) => s !== found.stmt).map((s) => bareSql(text.slice(s.start, s.end))).filter((s) => recipe.has(s) && !/^(SET|RESET|BEGIN|COMMIT|END|START)\b/.test(s));
  if (restated.length) return false;
  const separate = steps.length > 1 || steps.some((s) => s.transaction === 'outside');
  return !(separate && inExplicitTransaction(text, found.all, found.all.indexOf(found.stmt)));
}

function rewritesStatement(statement: string, recipe: string): boolean {
  const lead = /^\s*(\w+\s+\w+)/.exec(statement)?.[1];
  // A recipe that moves the statement elsewhere (its own migration, a later transaction) repeats it
  // unchanged: as a replacement it would only add comments and leave the hazard in place.
  if (bareSql(recipe) === bareSql(statement)) return false;
  return lead !== undefined && recipe.toUpperCase().replace(/\s+/g, ' ').includes(lead.toUpperCase().replace(/\s+/g, ' '));
}

function report(context: Context, f: Finding): void {
  const text = context.sourceCode.text;
  const eol = lineEnding(text);
  const own = (s: string): string => (eol === '\r\n' ? s.replace(/\r?\n/g, '\r\n') : s);
  const fix = f.fix;
  const descriptor: Rule.ReportDescriptor = {
    loc: { start: { line: f.line, column: f.column - 1 }, end: { line: f.endLine, column: f.endColumn - 1 } },
    messageId: 'finding',
    data: { message: f.message },
  };
  if (fix) descriptor.fix = (fixer) => fix.edits.map((e) => fixer.replaceTextRange([e.start, e.end], own(e.text)));
  // A recipe is offered as a replacement only in a .sql file (its SQL is the file's own text) and
  // only when its steps rewrite the statement (they contain its leading words, e.g. `CREATE INDEX`);
  // a recipe that only adds a step before it (a SET lock_timeout) would delete the statement.
  const steps = f.safeAlternative?.steps;
  const found = steps?.length && context.physicalFilename.endsWith('.sql') ? statementAround(text, f.start) : undefined;
  const stmt = found?.stmt;
  if (steps && found && stmt && rewritesStatement(text.slice(stmt.start, stmt.end), steps.map((s) => s.sql).join('\n')) && replaceableInPlace(text, found, steps)) {
    const sql = steps.map((s) => `-- ${s.title}${s.transaction === 'outside' ? ' (outside a transaction block)' : ''}\n${s.sql.trim()}`).join('\n');
    descriptor.suggest = [{ messageId: 'recipe', data: { summary: f.safeAlternative?.summary ?? '' }, fix: (fixer) => fixer.replaceTextRange([stmt.start, stmt.end], own(sql)) }];
  }
  context.report(descriptor);
}

function makeRule(id: string, description: string, fixable: boolean, url: string): Rule.RuleModule {
  return {
    meta: {
      type: 'problem',
      docs: { description, url },
      ...(fixable ? { fixable: 'code' as const } : {}),
      hasSuggestions: true,
      schema: [SETTINGS_SCHEMA as unknown as Rule.RuleMetaData['schema'] & object],
      messages: {
        finding: '{{message}}',
        recipe: 'Replace the statement with the safe recipe: {{summary}}',
      },
    },
    create(context) {
      return {
        Program() {
          for (const f of findingsOf(context)) if (f.ruleId === id) report(context, f);
        },
      };
    },
  };
}

/** Whether a rule's fixes exist at all is not in its metadata: every rule may carry one (`fixable`). */
export function createRules(): Record<string, Rule.RuleModule> {
  const rules: Record<string, Rule.RuleModule> = {};
  for (const r of RULES) rules[r.id] = makeRule(r.id, r.description, true, ruleDocsUrl(r.id));
  for (const r of ENGINE_RULES) rules[r.id] = makeRule(r.id, r.description, r.fixable, `${DOCS_BASE.replace(/\/rules$/, '')}/eslint.md#ignore-comments`);
  return rules;
}
