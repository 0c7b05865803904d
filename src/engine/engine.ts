/**
 * The engine: SQL text (plus an offset map for embedded SQL) → statements → analysis context →
 * rule findings. Every front door (CLI, ESLint plugin, Action) calls analyzeSql / lintPlan.
 */
import { as } from '../parse/ast.ts';
import { statementOps, summarize, isExisting, type AppliedOp, type EffectContext } from '../analyze/effects.ts';
import { applyStatement } from '../analyze/replay.ts';
import { RUNNERS, type RunnerId, type RunnerProfile } from '../source/runners.ts';
import type { Schema } from '../analyze/schema.ts';
import { Session, transactionEvents, type TxKind } from '../analyze/session.ts';
import type { Finding, FileResult, Severity, RuleSetting } from '../findings/model.ts';
import { regionBatches, type RawStatement } from '../parse/parser.ts';
import { expandStatements, type SectionStatement } from './statements.ts';
import type { FileState, Rule, RuleContext, StatementInfo, FindingDraft } from '../kit/rule.ts';
import { LockTakers } from '../kit/held-locks.ts';
import { detectFormat, FORMAT_RUNNER, layout, type MigrationFormat, type Section, type SiblingReader } from '../source/formats.ts';
import { splitTopLevel, tokenEnd, type Comment } from '../source/lexer.ts';
import { LineMap, type OffsetMap, type Span } from '../source/text.ts';
import { describePlaceholder, renderTemplates, type ControlBlock, type RenderedTemplate } from '../source/templates.ts';
import type { ProductionFacts } from '../analyze/production.ts';
import type { ModelFacts } from '../analyze/models/facts.ts';
import { sizeFinding } from './production-sizing.ts';
import { parseSuppressions, type Suppressions } from './suppress.ts';

export interface EngineOptions {
  pgVersion: number;
  /** Explicit runner; null = implied by the file format (or none). */
  runner: RunnerId | null;
  /** Overrides the runner's transaction default. */
  assumeInTransaction?: boolean;
  /** Effective severity per rule id (absent: default severity if the rule is in the recommended preset, else off). */
  rules: ReadonlyMap<string, RuleSetting>;
  /** Severity for findings in down migrations: keep, lower to warning, or drop. */
  down: 'same' | 'warning' | 'off';
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** The server's TimeZone setting (config `timeZone`); undefined = not known. */
  timeZone?: string;
  reportUnusedIgnores: boolean;
  /** Production sizes and index usage from a stats snapshot (`--stats`). */
  production?: ProductionFacts;
  /** ORM models at the deployed revision and in the working tree (the model check). */
  models?: ModelFacts;
}

export interface SqlInput {
  path: string;
  text: string;
  format?: MigrationFormat;
  /** Maps indices of `text` to positions in the file the user sees (embedded SQL). */
  offsetMap?: OffsetMap;
  readSibling?: SiblingReader;
  /** Analyze without reporting (history replay). */
  historyOnly?: boolean;
  /** Called with every statement and the operations the analyzer derived for it (trace compares them with what PostgreSQL did). */
  onStatement?: (stmt: StatementInfo, ops: readonly AppliedOp[]) => void;
  /** Expand function bodies even when no rule asks (trace inspects what a migration could run). */
  functionBodies?: boolean;
  /** Up/down sections decided by the caller (SQL extracted from a TS/JS migration). */
  sections?: Section[];
}

export const PARSE_ERROR = 'parse-error';
export const INVALID_IGNORE = 'invalid-ignore';
export const UNUSED_IGNORE = 'unused-ignore';

interface Draft {
  ruleId: string;
  severity: Severity;
  span: Span;
  finding: FindingDraft;
  stmt?: StatementInfo;
  direction: 'up' | 'down';
}

/** A rule absent from the options runs at its default severity when it is in the recommended preset. */
function ruleSetting(rule: Rule, options: EngineOptions): RuleSetting {
  return options.rules.get(rule.id) ?? (rule.presets.includes('recommended') ? rule.severity : 'off');
}

export function sectionWrap(runner: RunnerProfile | null, section: Section, topCount: number, options: Pick<EngineOptions, 'assumeInTransaction'>): Exclude<TxKind, 'explicit'> {
  const oneQuery = runner?.oneQueryPerFile === true && topCount > 1;
  if (section.transaction === false) return oneQuery ? 'implicit' : 'none';
  if (options.assumeInTransaction !== undefined) return options.assumeInTransaction ? 'runner' : 'none';
  if (runner?.opensTransaction) return 'runner';
  return oneQuery ? 'implicit' : 'none';
}

function escapeHatchText(runner: RunnerProfile | null, section: Section): string {
  if (section.transaction === false && runner?.oneQueryPerFile) {
    return `${runner.name} sends the file as one query, which PostgreSQL runs as one implicit transaction: move the statement into a migration of its own`;
  }
  if (!runner) return 'run it outside a transaction (in its own migration, with your runner\'s no-transaction option)';
  return runner.escapeHatch ? `${runner.name}: ${runner.escapeHatch}` : `${runner.name} has no per-migration opt-out: ${runner.notes}`;
}

export interface AnalyzeResult extends FileResult {
  format: MigrationFormat;
}

/**
 * Analyzes one file's SQL against `schema` (the replayed history), reporting findings and applying
 * the file's up sections to the schema.
 */
export function analyzeSql(input: SqlInput, schema: Schema, rules: readonly Rule[], options: EngineOptions): AnalyzeResult {
  const { path } = input;
  const format = input.format ?? detectFormat(path, input.text);
  const offsets = input.offsetMap ?? new LineMap(input.text);
  const result: AnalyzeResult = { path, statements: 0, findings: [], notes: [], format, text: input.text };
  const drafts: Draft[] = [];
  const runnerId = options.runner ?? FORMAT_RUNNER[format];
  const runner = runnerId ? RUNNERS[runnerId] : null;
  // Placeholders (Flyway, psql, Go templates) become tokens; positions map back to the file.
  const rendered = input.sections ? undefined : renderTemplates(input.text, { path, format, runner: runnerId, readSibling: input.readSibling ?? (() => undefined) });
  const text = rendered?.text ?? input.text;
  if (rendered && !input.historyOnly) for (const n of rendered.notes) result.notes.push(n);
  let templateUnanalyzable = false;

  const fileLayout = input.sections ? { format, sections: input.sections, notes: [] } : layout(format, path, text, input.readSibling ?? (() => undefined));
  // Rules that run on this file, with their severity (resolved once, not per statement).
  const active = rules.flatMap((rule) => {
    const setting = ruleSetting(rule, options);
    return setting === 'off' ? [] : [{ rule, setting }];
  });
  const comments: Comment[] = [];
  const statements: StatementInfo[] = [];
  const state = new Map<FileState<unknown>, unknown>();
  const takers = new LockTakers();
  let topLevel = 0;

  const functionBodies = input.functionBodies === true || active.some((a) => a.rule.functionBodies);

  for (const section of fileLayout.sections) {
    // The section is parsed in batches of whole statements. A first pass collects every statement
    // (rules see the whole section as ctx.siblings) and drops the trees; the second parses each batch
    // again, analyzes it and drops its trees before the next, so memory follows the batch, not the file.
    const region = regionBatches(text, section.start, section.end);
    const streaming = region.count > 1;
    /** Statements whose tree was parsed again for a rule outside their batch: dropped after the batch. */
    const reloaded: SectionStatement[] = [];
    const reload = (st: SectionStatement): RawStatement | undefined => {
      reloaded.push(st);
      return region.reparse(st.span);
    };
    for (const c of region.comments) comments.push(c);
    for (const m of region.metaCommands) {
      const pos = offsets.position(m.start);
      result.notes.push(`${pos.line}:${pos.column} psql meta-command skipped: ${text.slice(m.start, m.end).trim()}`);
    }
    const batches: SectionStatement[][] = [];
    const stmts: SectionStatement[] = [];
    let sectionTop = 0;
    for (let b = 0; b < region.count; b++) {
      const part = region.parse(b);
      for (const e of part.errors) {
        const control = rendered?.controls.find((c) => c.rendered.start < e.span.end && e.span.start <= c.rendered.end);
        if (control) {
          // Never a syntax error: the template's structure, not the SQL, is what we cannot read.
          if (!templateUnanalyzable && !input.historyOnly) drafts.push(unanalyzableTemplate(control, section.direction));
          templateUnanalyzable = true;
          continue;
        }
        drafts.push({
          ruleId: PARSE_ERROR,
          severity: 'error',
          direction: section.direction,
          span: { start: e.index, end: Math.min(e.span.end, tokenEnd(text, e.index, e.span.end)) },
          finding: {
            message: `PostgreSQL cannot parse this statement: ${e.message}`,
            help: 'PostgreSQL would reject this statement and fail the migration. Fix the syntax; the other statements of the file were still analyzed.',
            lock: null,
          },
        });
      }
      sectionTop += part.statements.length;
      const bodyErrors: { index: number; message: string }[] = [];
      const batch = expandStatements(text, part.statements, section, statements.length, functionBodies, bodyErrors, reload);
      for (const e of bodyErrors) {
        drafts.push({
          ruleId: PARSE_ERROR,
          severity: 'error',
          direction: section.direction,
          span: { start: e.index, end: tokenEnd(text, e.index, section.end) },
          finding: {
            message: `PostgreSQL cannot compile this DO block: ${e.message}`,
            help: 'PostgreSQL parses the PL/pgSQL body when the DO statement runs and rejects it, failing the migration. Fix the syntax; the other statements of the file were still analyzed.',
            lock: null,
          },
        });
      }
      for (const st of batch) {
        statements.push(st);
        stmts.push(st);
        if (streaming) st.drop();
      }
      batches.push(batch);
    }
    topLevel += sectionTop;
    const wrap = sectionWrap(runner, section, sectionTop, options);
    const session = new Session({ lockTimeoutMs: options.lockTimeoutMs, statementTimeoutMs: options.statementTimeoutMs, timeZone: options.timeZone }, wrap);
    if (wrap !== 'none' && !input.historyOnly) {
      const why = wrap === 'runner' ? `${runner?.name ?? 'the runner'} wraps it in a transaction` : `${runner?.name} sends it as one query (an implicit transaction)`;
      result.notes.push(`${section.direction} section runs in one transaction: ${why}`);
    }

    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b];
      if (streaming) {
        const tops = batch.filter((st) => st.origin === 'top');
        const raws = region.parse(b).statements;
        if (raws.length === tops.length) tops.forEach((st, i) => st.attach(raws[i]));
      }
      for (const stmt of batch) {
        const tx = session.beforeStatement(stmt.index);
        const effectCtx: EffectContext = { schema, pgVersion: options.pgVersion, file: path, tx: tx.id, timeZone: session.settings.timeZone };
        // Function bodies run when the function is called, not now: they take no locks here.
        const ops = stmt.origin === 'function' ? [] : statementOps(stmt.node, effectCtx);
        input.onStatement?.(stmt, ops);
        const lock = summarize(ops, true);
        const events = transactionEvents(stmt.node, tx);
        if (!input.historyOnly) {
          const ctx = ruleContext({ stmt, text, ops, lock, schema, session, events, runner, options, file: path, state, takers, section, drafts, siblings: stmts, notes: result.notes });
          for (const { rule, setting } of active) {
            if (stmt.origin === 'function' && !rule.functionBodies) continue;
            ctx.currentRule = rule;
            ctx.currentSeverity = setting;
            rule.check(ctx.api);
          }
          if (stmt.origin !== 'function') takers.remember(ctx.api);
        }
        session.recordLocks(ops, stmt.index);
        session.afterStatement(stmt.node, stmt.index);
        if (section.direction === 'up' && stmt.origin !== 'function') {
          applyStatement(schema, stmt.node, { file: path, tx: tx.id });
        }
      }
      if (streaming) {
        for (const st of batch) st.drop();
        for (const st of reloaded.splice(0)) st.drop();
      }
    }
    if (session.end().unterminatedExplicit && !input.historyOnly) {
      for (const { rule, setting } of active) {
        if (!rule.endOfSection) continue;
        for (const f of rule.endOfSection({ statements: stmts, unterminatedTransaction: true })) {
          drafts.push({ ruleId: rule.id, severity: setting, span: f.span ?? { start: section.start, end: section.start }, finding: f, direction: section.direction });
        }
      }
    }
  }
  result.statements = topLevel;
  for (const n of fileLayout.notes) result.notes.push(n);
  const suppressions = parseSuppressions(comments, statements, knownRuleIds(rules));
  result.findings = finalize(drafts, offsets, options, suppressions, rendered);
  return result;
}

/** The once-per-file finding for a template whose control blocks leave no parseable SQL. */
function unanalyzableTemplate(control: ControlBlock, direction: 'up' | 'down'): Draft {
  const open = control.source.replace(/\s+/g, ' ');
  return {
    ruleId: PARSE_ERROR,
    severity: 'warning',
    direction,
    span: control.rendered,
    finding: {
      message: `template control block ${open} changes the statement structure, so the statements it shapes cannot be analyzed (the rest of the file was)`,
      help: 'zerodown renders each template action as a placeholder and reads every {{ if }} as true and every {{ range }} once; this block does not give valid SQL that way. Lint the rendered SQL (pipe it with --stdin --stdin-filename) or move the conditional DDL into plain statements.',
      lock: null,
    },
  };
}

const knownIdsCache = new WeakMap<readonly Rule[], ReadonlySet<string>>();

function knownRuleIds(rules: readonly Rule[]): ReadonlySet<string> {
  let ids = knownIdsCache.get(rules);
  if (!ids) {
    ids = new Set([...rules.map((r) => r.id), PARSE_ERROR, INVALID_IGNORE, UNUSED_IGNORE]);
    knownIdsCache.set(rules, ids);
  }
  return ids;
}

interface MutableRuleCtx {
  api: RuleContext;
  currentRule?: Rule;
  currentSeverity: Severity;
}

/** Everything one statement's rule context is built from. */
interface RuleContextParts {
  stmt: StatementInfo;
  /** The file's analyzed text. */
  text: string;
  ops: RuleContext['ops'];
  lock: RuleContext['lock'];
  schema: Schema;
  session: Session;
  events: RuleContext['events'];
  runner: RunnerProfile | null;
  options: EngineOptions;
  file: string;
  /** Per-file rule state (ctx.state). */
  state: Map<FileState<unknown>, unknown>;
  takers: LockTakers;
  section: Section;
  drafts: Draft[];
  siblings: readonly StatementInfo[];
  /** The file's result notes (ctx.note). */
  notes: string[];
}

function ruleContext(parts: RuleContextParts): MutableRuleCtx {
  const { stmt, text, ops, lock, schema, session, events, runner, options, file, state, takers, section, drafts, siblings, notes } = parts;
  const holder: MutableRuleCtx = { currentSeverity: 'error' } as MutableRuleCtx;
  let subSpans: Span[] | undefined;
  const api: RuleContext = {
    stmt,
    ops,
    lock,
    schema,
    tx: session.snapshot,
    timeouts: session.timeouts,
    events,
    pgVersion: options.pgVersion,
    runner,
    file,
    production: options.production,
    models: options.models,
    note(message) {
      if (!notes.includes(message)) notes.push(message);
    },
    siblings,
    text,
    isExisting: (rel) => isExisting(schema.tables.get(rel), { schema, pgVersion: options.pgVersion, file, tx: session.snapshot.id }),
    escapeHatch: () => escapeHatchText(runner, section),
    state<T>(slot: FileState<T>): T {
      if (!state.has(slot)) state.set(slot, slot.init());
      return state.get(slot) as T;
    },
    heldBlockingLocks: () => takers.held(api),
    subcommandSpan(i) {
      if (!subSpans) {
        const rel = as(stmt.node, 'AlterTableStmt')?.relation;
        let from = stmt.span.start;
        if (rel?.location !== undefined) {
          from = stmt.toIndex(rel.location);
          // Skip a qualified name: schema . table
          for (;;) {
            from = tokenEnd(text, from, stmt.span.end);
            if (text[from] !== '.') break;
            from++;
          }
        }
        subSpans = splitTopLevel(text, from, stmt.span.end);
      }
      return subSpans[i] ?? stmt.span;
    },
    spanAt(loc, until = 'token') {
      if (loc === undefined) return stmt.span;
      const start = stmt.toIndex(loc);
      if (start < stmt.span.start || start > stmt.span.end) return stmt.span;
      if (until === 'token') return { start, end: Math.min(stmt.span.end, tokenEnd(text, start, stmt.span.end)) };
      return splitTopLevel(text, start, stmt.span.end)[0];
    },
    keywordSpan(re) {
      const m = new RegExp(re.source, re.flags.includes('i') ? 'iy' : 'y');
      m.lastIndex = 0;
      const hit = m.exec(stmt.text);
      return hit ? { start: stmt.span.start, end: stmt.span.start + hit[0].length } : stmt.span;
    },
    report(f) {
      const rule = holder.currentRule;
      if (!rule) return;
      const base = f.severity === 'warning' ? 'warning' : holder.currentSeverity;
      // The draft itself is kept (not a copy): a rule that reports once per file may complete its
      // message from later statements, until the file is finalized.
      if (f.lock === undefined) f.lock = lock;
      const severity = sizeFinding(f, base, rule.category, ops, options.production);
      drafts.push({ ruleId: rule.id, severity, span: f.span ?? stmt.span, finding: f, stmt, direction: stmt.direction });
    },
  };
  holder.api = api;
  return holder;
}

/** A draft in the rendered text → the file's own indices, saying so when it sits on a placeholder. */
function toSource(d: Draft, rendered: RenderedTemplate): Draft {
  const span = { start: rendered.toOriginal(d.span.start), end: rendered.toOriginal(d.span.end, 'end') };
  // The finding's own span, or the statement it is about (a lock on `${schema}.orders` is on the placeholder's value).
  const at = d.stmt ? { start: Math.min(d.span.start, d.stmt.span.start), end: Math.max(d.span.end, d.stmt.span.end) } : d.span;
  const on = rendered.placeholders.filter((p) => p.kind !== 'control' && p.kind !== 'fragment' && p.rendered.start < at.end && at.start < Math.max(p.rendered.end, p.rendered.start + 1));
  let finding = d.finding;
  if (on.length) finding = { ...finding, message: `${finding.message} [on template placeholder${on.length > 1 ? 's' : ''}: ${on.slice(0, 3).map(describePlaceholder).join('; ')}]` };
  if (finding.fix) {
    const edits = finding.fix.edits;
    // A fix that would edit a placeholder cannot be expressed on the template.
    const touches = edits.some((e) => rendered.placeholders.some((p) => p.rendered.start < e.end && e.start < p.rendered.end));
    finding = touches ? { ...finding, fix: undefined } : { ...finding, fix: { ...finding.fix, edits: edits.map((e) => ({ ...e, start: rendered.toOriginal(e.start), end: rendered.toOriginal(e.end, 'end') })) } };
  }
  return { ...d, span, finding };
}

function finalize(drafts: Draft[], offsets: OffsetMap, options: EngineOptions, suppressions: Suppressions | undefined, rendered?: RenderedTemplate): Finding[] {
  const findings: Finding[] = [];
  for (const raw of drafts) {
    let d = raw;
    let severity = d.severity;
    if (d.direction === 'down' && d.ruleId !== PARSE_ERROR) {
      if (options.down === 'off') continue;
      if (options.down === 'warning') severity = 'warning';
    }
    if (suppressions && d.ruleId !== PARSE_ERROR && suppressions.isSuppressed(d.ruleId, d.span.start, d.stmt?.index)) continue;
    if (rendered) d = toSource(d, rendered);
    findings.push(toFinding(d.ruleId, severity, d.span, d.finding, offsets, d.direction));
  }
  if (suppressions) {
    for (const p of suppressions.problems(options.reportUnusedIgnores)) {
      const span = rendered ? { start: rendered.toOriginal(p.span.start), end: rendered.toOriginal(p.span.end, 'end') } : p.span;
      findings.push(toFinding(p.ruleId, 'warning', span, { message: p.message, help: p.help, lock: null }, offsets, 'up'));
    }
  }
  findings.sort((a, b) => a.start - b.start || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  return findings;
}

export function toFinding(ruleId: string, severity: Severity, span: Span, f: FindingDraft, offsets: OffsetMap, direction: 'up' | 'down'): Finding {
  const a = offsets.position(span.start);
  const b = offsets.position(Math.max(span.start, span.end));
  const finding: Finding = {
    ruleId,
    severity,
    message: direction === 'down' ? `(down migration) ${f.message}` : f.message,
    line: a.line,
    column: a.column,
    endLine: b.line,
    endColumn: b.column,
    lock: f.lock ?? null,
    help: f.help,
    safeAlternative: f.safeAlternative ?? null,
    start: span.start,
    end: span.end,
  };
  if (f.fix) finding.fix = f.fix;
  if (f.production) finding.production = f.production;
  if (f.relatedLocations?.length) finding.relatedLocations = f.relatedLocations;
  if (direction === 'down') finding.direction = 'down';
  return finding;
}
