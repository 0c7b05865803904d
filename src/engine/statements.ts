/**
 * A section's statements as the engine analyzes them: DO-block (and function) bodies expanded after
 * their statement, and top-level statements whose parse tree can be dropped once their batch is
 * analyzed and parsed again when a rule looks at them later (ctx.siblings), so a big file's trees
 * are never all in memory at once.
 */
import type { Node } from 'libpg-query';
import { as, nodeKind, str } from '../parse/ast.ts';
import { embeddedSql, parseRegion, plpgsqlError, type RawStatement } from '../parse/parser.ts';
import type { StatementInfo } from '../kit/rule.ts';
import type { Section } from '../source/formats.ts';
import { tokenEnd } from '../source/lexer.ts';
import type { Span } from '../source/text.ts';
import type { NodeKind } from '../parse/ast.ts';

/** A statement whose parse tree is held while its batch is analyzed and parsed again on demand after. */
export class SectionStatement implements StatementInfo {
  readonly kind: NodeKind;
  readonly span: Span;
  private raw: RawStatement | undefined;

  constructor(
    raw: RawStatement,
    readonly index: number,
    private readonly source: string,
    readonly section: Section,
    readonly origin: StatementInfo['origin'],
    /** Parses the statement again (top-level statements only); undefined = the tree is never dropped. */
    private readonly reload: ((s: SectionStatement) => RawStatement | undefined) | undefined,
  ) {
    this.raw = raw;
    this.kind = nodeKind(raw.node);
    this.span = raw.span;
  }

  /** The statement's text (a slice of the analyzed text, made when asked for: no copy is kept per statement). */
  get text(): string {
    return this.source.slice(this.span.start, this.span.end);
  }

  get direction(): Section['direction'] {
    return this.section.direction;
  }

  get node(): Node {
    return this.tree().node;
  }

  get toIndex(): (byteLocation: number) => number {
    return this.tree().toIndex;
  }

  /** Is the parse tree in memory? */
  get loaded(): boolean {
    return this.raw !== undefined;
  }

  /** The tree of this statement from its batch's parse (same statement, same positions). */
  attach(raw: RawStatement): void {
    this.raw = raw;
  }

  /** Forgets the parse tree (it is parsed again if asked for). */
  drop(): void {
    if (this.reload) this.raw = undefined;
  }

  private tree(): RawStatement {
    if (!this.raw) {
      // A statement that parsed in its batch parses alone (the same text); the empty tree is never reached in practice.
      this.raw = this.reload?.(this) ?? { node: {} as Node, span: this.span, toIndex: () => this.span.start };
    }
    return this.raw;
  }
}

/** Finds the span of a function/DO body literal starting at or after `from`. */
function bodyLiteralSpan(text: string, from: number, end: number): Span | undefined {
  let i = from;
  while (i < end && text[i] !== '$' && text[i] !== "'") i++;
  if (i >= end) return undefined;
  const close = tokenEnd(text, i, end);
  if (text[i] === "'") return { start: i + 1, end: close - 1 };
  const tag = /^\$[A-Za-z_0-9]*\$/.exec(text.slice(i, i + 64))?.[0] ?? '$$';
  return { start: i + tag.length, end: close - tag.length };
}

function plpgsqlBody(node: Node): { location: number } | undefined {
  const kind = nodeKind(node);
  const opts = kind === 'DoStmt' ? as(node, 'DoStmt')?.args : kind === 'CreateFunctionStmt' ? as(node, 'CreateFunctionStmt')?.options : undefined;
  if (!opts) return undefined;
  let language = kind === 'DoStmt' ? 'plpgsql' : '';
  let location: number | undefined;
  for (const o of opts) {
    const d = as(o, 'DefElem');
    if (d?.defname === 'language') language = (str(d.arg) ?? '').toLowerCase();
    if (d?.defname === 'as') location = d.location;
  }
  return language === 'plpgsql' && location !== undefined ? { location } : undefined;
}

/**
 * Statements of a section in execution order, with DO-block bodies (and, when a rule asks for them,
 * function bodies) expanded after their statement. Function bodies run when the function is called,
 * so no lock or data rule looks at them; parsing them costs time only when a rule does.
 */
export function expandStatements(
  text: string,
  raws: RawStatement[],
  section: Section,
  startIndex: number,
  functionBodies: boolean,
  errors: { index: number; message: string }[],
  reload?: (s: SectionStatement) => RawStatement | undefined,
): SectionStatement[] {
  const out: SectionStatement[] = [];
  const add = (raw: RawStatement, origin: StatementInfo['origin']): SectionStatement => {
    const info = new SectionStatement(raw, startIndex + out.length, text, section, origin, origin === 'top' ? reload : undefined);
    out.push(info);
    return info;
  };
  for (const raw of raws) {
    const parent = add(raw, 'top');
    const body = plpgsqlBody(raw.node);
    if (!body || (parent.kind !== 'DoStmt' && !functionBodies)) continue;
    const literal = bodyLiteralSpan(text, raw.toIndex(body.location), raw.span.end);
    if (!literal) continue;
    const embedded = embeddedSql(parent.text, text, literal);
    if (!embedded) {
      // PostgreSQL compiles a DO body before running it: a body it rejects fails the migration.
      const at = parent.kind === 'DoStmt' ? plpgsqlError(parent.text, { start: literal.start - raw.span.start, end: literal.end - raw.span.start }) : undefined;
      if (at) errors.push({ index: raw.span.start + at.index, message: `${at.message} (in the PL/pgSQL body of DO)` });
      continue;
    }
    const origin = parent.kind === 'DoStmt' ? 'do' : 'function';
    for (const e of embedded) {
      if (e.exact) {
        const region = parseRegion(text, e.index, e.index + e.query.length);
        for (const s of region.statements) add(s, origin);
      } else {
        const region = parseRegion(e.query);
        for (const s of region.statements) {
          add({ node: s.node, span: { start: e.index, end: e.index + 1 }, toIndex: () => e.index }, origin);
        }
      }
    }
  }
  return out;
}

