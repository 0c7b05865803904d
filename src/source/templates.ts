/**
 * Templated migrations: Flyway placeholders (`${name}`, `${flyway:defaultSchema}`), psql variables
 * (`:name`, `:'name'`, `:"name"` with `\set`) and Go text/template actions (`{{ .X }}`, used by
 * gobuffalo pop / ory popx). Each placeholder is replaced by a token of the kind its position needs
 * (the value when the runner defines it, else an identifier, a literal or nothing for a whole
 * statement), and a map from the rendered text back to the file keeps every position exact.
 *
 * Facts: Flyway replaces `${…}` everywhere in a script, values from `flyway.placeholders.*`
 * (flyway.conf) or `[flyway.placeholders]` (flyway.toml), built-ins `flyway:*`
 * (https://documentation.red-gate.com/fd/placeholders-configuration-277579052.html,
 * https://documentation.red-gate.com/fd/flyway-default-schema-setting-277578987.html). psql
 * interpolates variables only outside quotes and comments, `:'x'` as a literal and `:"x"` as an
 * identifier (https://www.postgresql.org/docs/current/app-psql.html#APP-PSQL-INTERPOLATION). Go
 * templates render every `{{ … }}` action before the SQL exists (https://pkg.go.dev/text/template).
 */
import type { MigrationFormat, SiblingReader } from './formats.ts';
import { flywayConfig, flywayValue } from './flyway-config.ts';
import type { RunnerId } from './runners.ts';
import type { Span } from './text.ts';

export type TemplateSyntax = 'flyway' | 'psql' | 'go-template';

/** How a placeholder was rendered for analysis. */
export type PlaceholderKind = 'value' | 'identifier' | 'literal' | 'fragment' | 'control';

export interface Placeholder {
  syntax: TemplateSyntax;
  /** The placeholder as written, e.g. `${schema}`. */
  source: string;
  original: Span;
  rendered: Span;
  kind: PlaceholderKind;
  /** Where a resolved value came from, e.g. "flyway.conf". */
  resolvedFrom?: string;
}

export interface ControlBlock {
  /** The block from its opening action to its end action (original indices). */
  original: Span;
  rendered: Span;
  /** The opening action, e.g. `{{ if .Cond }}`. */
  source: string;
}

export interface RenderedTemplate {
  text: string;
  placeholders: Placeholder[];
  controls: ControlBlock[];
  notes: string[];
  /** Rendered index → original index; `end` maps an index inside a placeholder to its end. */
  toOriginal(index: number, bias?: 'start' | 'end'): number;
}

export interface TemplateContext {
  path: string;
  format: MigrationFormat;
  runner: RunnerId | null;
  readSibling: SiblingReader;
}

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated. */
const MAX_IDENT_BYTES = 63;
const GO_CONTROL = /^(if|else|end|range|with|define|block|template|break|continue)\b/;
const JINJA_CONTROL = /^(if|elif|else|for|endfor|endif|macro|endmacro|block|endblock|set|endset|call|endcall|filter|endfilter|include|import|from|extends|raw|endraw)\b/;

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** A lower-case identifier that stands for a placeholder inside a longer name (`keto_{{ .Ns }}_t`). */
function wordFor(source: string): string {
  const quoted = [...source.matchAll(/"([^"\\]*)"|`([^`]*)`/g)].map((m) => m[1] ?? m[2]).filter(Boolean);
  const words = source.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  const w = (quoted[quoted.length - 1] ?? words[words.length - 1] ?? 'placeholder').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[a-z_]/.test(w) ? w : `p_${w}`;
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** psql `\set name value…`: the arguments concatenated, single quotes removed (psql's own rule). */
function psqlSetValue(args: string): string {
  let out = '';
  const re = /'((?:[^']|'')*)'|(\S+)|\s+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(args))) {
    if (m[1] !== undefined) out += m[1].replace(/''/g, "'").replace(/\\(.)/g, '$1');
    else if (m[2] !== undefined) out += m[2];
  }
  return out;
}

/** End of a Go action starting at `{{` (index after `}}`), skipping Go strings and comments; -1 if unclosed. */
function goActionEnd(text: string, start: number): number {
  let i = start + 2;
  while (i < text.length) {
    const c = text[i];
    if (c === '}' && text[i + 1] === '}') return i + 2;
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      i = text.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) return -1;
      i++;
    }
    i++;
  }
  return -1;
}

type LexState = 'code' | 'squote' | 'estring' | 'dquote' | 'dollar' | 'line' | 'block';

/** Cheap test before the full scan: could this text hold a placeholder at all? */
const MAYBE = /\{\{|\{%|\$\{|(?<!:):['"]?[A-Za-z_]/;

/**
 * Renders the placeholders of a migration for analysis, or returns undefined when it has none.
 * Which syntaxes apply depends on the runner: Flyway's `${…}` for Flyway files (and plain files,
 * whose runner is unknown), psql variables for plain files and sqitch/psql, Go actions everywhere
 * (pop/popx render them; any other runner would fail on them anyway).
 */
export function renderTemplates(text: string, ctx: TemplateContext): RenderedTemplate | undefined {
  const unknownRunner = ctx.format === 'plain' && (ctx.runner === null || ctx.runner === 'psql' || ctx.runner === 'flyway');
  const flywayOn = ctx.format === 'flyway' || ctx.runner === 'flyway' || unknownRunner;
  const psqlOn = ctx.format === 'sqitch' || ctx.runner === 'psql' || ctx.runner === 'sqitch' || unknownRunner;
  // A Flyway file may use a configured prefix; other files are read only when they hold `${`.
  const flyway = flywayOn && (ctx.format === 'flyway' || text.includes('${')) ? flywayConfig(ctx) : undefined;
  if (!MAYBE.test(text) && !(flyway && text.includes(flyway.prefix))) return undefined;

  const placeholders: Placeholder[] = [];
  const controls: ControlBlock[] = [];
  const psqlVars = new Map<string, string>();
  const out: string[] = [];
  let outLen = 0;
  let i = 0;
  let state: LexState = 'code';
  let dollarTag = '';
  let blockDepth = 0;
  let bracket = 0;
  /** The current statement has significant code before this point. */
  let content = false;
  /** Open Go/Jinja blocks: whether the current branch is dropped (an else branch, a define body). */
  const blocks: { dropped: boolean; openAt: number; renderedAt: number; source: string; kind: string }[] = [];
  const dropping = (): boolean => blocks.some((b) => b.dropped);

  const emit = (s: string): void => {
    out.push(s);
    outLen += s.length;
  };
  const lastOut = (): string | undefined => {
    for (let k = out.length - 1; k >= 0; k--) if (out[k].length) return out[k][out[k].length - 1];
    return undefined;
  };
  /** Next significant character after `from`, skipping whitespace and SQL comments. */
  const nextSignificant = (from: number): string | undefined => {
    let j = from;
    while (j < text.length) {
      if (/\s/.test(text[j])) j++;
      else if (text.startsWith('--', j)) {
        const nl = text.indexOf('\n', j);
        j = nl < 0 ? text.length : nl;
      } else if (text.startsWith('/*', j)) {
        const e = text.indexOf('*/', j + 2);
        j = e < 0 ? text.length : e + 2;
      } else return text[j];
    }
    return undefined;
  };
  const add = (syntax: TemplateSyntax, start: number, end: number, rendered: string, kind: PlaceholderKind, resolvedFrom?: string): void => {
    placeholders.push({ syntax, source: text.slice(start, end), original: { start, end }, rendered: { start: outLen, end: outLen + rendered.length }, kind, resolvedFrom });
    emit(rendered);
    i = end;
  };
  /** Token for an unresolved placeholder in code: by what surrounds it. */
  const unresolved = (start: number, end: number, word: string): { text: string; kind: PlaceholderKind } => {
    const source = text.slice(start, end);
    // Inside quotes the placeholder is part of a name or a string: a plain word keeps it one token.
    if (state !== 'code') return { text: word, kind: state === 'dquote' ? 'identifier' : 'literal' };
    if (isIdentChar(lastOut()) || isIdentChar(text[end])) return { text: word, kind: 'identifier' };
    const next = nextSignificant(end);
    if (!content && (next === undefined || next === ';')) return { text: '', kind: 'fragment' };
    const quoted = quoteIdent(source);
    return Buffer.byteLength(quoted) - 2 <= MAX_IDENT_BYTES ? { text: quoted, kind: 'identifier' } : { text: word, kind: 'identifier' };
  };

  while (i < text.length) {
    const c = text[i];
    // Go text/template and Jinja-style actions: rendered before the SQL exists, so in any state.
    if (c === '{' && (text[i + 1] === '{' || text[i + 1] === '%')) {
      const jinja = text[i + 1] === '%';
      const end = jinja ? (text.indexOf('%}', i + 2) < 0 ? -1 : text.indexOf('%}', i + 2) + 2) : goActionEnd(text, i);
      if (end > 0) {
        const source = text.slice(i, end);
        const inner = source.slice(2, -2).replace(/^-?\s*/, '').replace(/\s*-?$/, '');
        const keyword = (jinja ? JINJA_CONTROL : GO_CONTROL).exec(inner)?.[1];
        if (inner.startsWith('/*') || (!jinja && text[i + 1] === '{' && text[i + 2] === '#')) {
          add('go-template', i, end, '', 'control');
          continue;
        }
        if (keyword || jinja) {
          const k = keyword ?? '';
          if (/^(if|range|with|define|block|for|macro|call|filter|raw)$/.test(k) || (k === 'set' && !/=/.test(inner))) {
            // define/macro bodies are named templates, not output.
            blocks.push({ dropped: k === 'define' || k === 'macro', openAt: i, renderedAt: outLen, source, kind: k });
          } else if (/^(else|elif)$/.test(k)) {
            // Analyze the first branch only: as if every condition held.
            if (blocks.length) blocks[blocks.length - 1].dropped = true;
          } else if (k === 'end' || k.startsWith('end')) {
            const b = blocks.pop();
            if (b) controls.push({ original: { start: b.openAt, end }, rendered: { start: b.renderedAt, end: outLen }, source: b.source });
          } else if (k === 'template' || k === 'include' || k === 'extends' || k === 'import' || k === 'from') {
            controls.push({ original: { start: i, end }, rendered: { start: outLen, end: outLen }, source });
          }
          add('go-template', i, end, '', 'control');
          continue;
        }
        if (dropping()) {
          add('go-template', i, end, '', 'control');
          continue;
        }
        const word = wordFor(inner);
        const r = unresolved(i, end, word);
        add('go-template', i, end, r.text, r.kind);
        if (r.kind !== 'fragment' && state === 'code') content = true;
        continue;
      }
    }
    if (dropping()) {
      // Text of a dropped branch: skip to the next action.
      let j = text.indexOf('{', i + 1);
      while (j >= 0 && text[j + 1] !== '{' && text[j + 1] !== '%') j = text.indexOf('{', j + 1);
      const end = j < 0 ? text.length : j;
      placeholders.push({ syntax: 'go-template', source: text.slice(i, end), original: { start: i, end }, rendered: { start: outLen, end: outLen }, kind: 'control' });
      i = end;
      continue;
    }
    // Flyway placeholders: everywhere but comments.
    if (flyway?.replace && state !== 'line' && state !== 'block' && text.startsWith(flyway.prefix, i)) {
      const cfg = flyway;
      const close = text.indexOf(cfg.suffix, i + cfg.prefix.length);
      const name = close > 0 ? text.slice(i + cfg.prefix.length, close) : '';
      if (close > 0 && /^[A-Za-z0-9_.:-]+$/.test(name)) {
        const end = close + cfg.suffix.length;
        const v = flywayValue(name, cfg, ctx);
        if (v) add('flyway', i, end, v.value, 'value', v.from);
        else {
          const r = unresolved(i, end, wordFor(name.replace(/^flyway:/i, '')));
          add('flyway', i, end, r.text, r.kind);
        }
        if (state === 'code') content = true;
        continue;
      }
    }
    switch (state) {
      case 'code': {
        if (c === '-' && text[i + 1] === '-') {
          state = 'line';
          emit('--');
          i += 2;
          continue;
        }
        if (c === '/' && text[i + 1] === '*') {
          state = 'block';
          blockDepth = 1;
          emit('/*');
          i += 2;
          continue;
        }
        if (c === "'") {
          const prev = text[i - 1];
          state = (prev === 'E' || prev === 'e') && !isIdentChar(text[i - 2]) ? 'estring' : 'squote';
          content = true;
        } else if (c === '"') {
          state = 'dquote';
          content = true;
        } else if (c === '$' && !isIdentChar(text[i - 1])) {
          const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 80));
          if (m) {
            state = 'dollar';
            dollarTag = m[0];
            emit(m[0]);
            i += m[0].length;
            content = true;
            continue;
          }
        } else if (c === ';') {
          content = false;
          bracket = 0;
        } else if (c === '[') bracket++;
        else if (c === ']') bracket = Math.max(0, bracket - 1);
        else if (c === '\\' && psqlOn && !content) {
          // A psql meta-command line: `\set name value` defines a variable for the rest of the file.
          const nl = text.indexOf('\n', i);
          const line = text.slice(i, nl < 0 ? text.length : nl);
          const m = /^\\set\s+([A-Za-z0-9_]+)(?:\s+(.*))?$/.exec(line.trimEnd());
          if (m) psqlVars.set(m[1], psqlSetValue(m[2] ?? ''));
          const u = /^\\unset\s+([A-Za-z0-9_]+)/.exec(line);
          if (u) psqlVars.delete(u[1]);
          emit(line);
          i += line.length;
          continue;
        } else if (c === ':' && psqlOn && text[i + 1] !== ':' && text[i - 1] !== ':') {
          const m = /^:(?:'([A-Za-z0-9_]+)'|"([A-Za-z0-9_]+)"|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i, i + 100));
          // A bare `:name` inside [..] is an array slice unless the file \set it.
          if (m && !(m[3] !== undefined && bracket > 0 && !psqlVars.has(m[3]))) {
            const end = i + m[0].length;
            const name = m[1] ?? m[2] ?? m[3];
            const value = psqlVars.get(name);
            if (m[1] !== undefined) add('psql', i, end, quoteLiteral(value ?? `:${name}`), value !== undefined ? 'value' : 'literal', value !== undefined ? '\\set' : undefined);
            else if (m[2] !== undefined) add('psql', i, end, quoteIdent(value ?? `:${name}`), value !== undefined ? 'value' : 'identifier', value !== undefined ? '\\set' : undefined);
            else if (value !== undefined) add('psql', i, end, value, 'value', '\\set');
            else {
              const r = unresolved(i, end, wordFor(name));
              add('psql', i, end, r.text, r.kind);
            }
            content = true;
            continue;
          }
        }
        if (!/\s/.test(c) && c !== ';') content = true;
        break;
      }
      case 'squote':
        if (c === "'") state = text[i + 1] === "'" ? 'squote' : 'code';
        if (c === "'" && text[i + 1] === "'") {
          emit("''");
          i += 2;
          continue;
        }
        break;
      case 'estring':
        if (c === '\\') {
          emit(text.slice(i, i + 2));
          i += 2;
          continue;
        }
        if (c === "'" && text[i + 1] === "'") {
          emit("''");
          i += 2;
          continue;
        }
        if (c === "'") state = 'code';
        break;
      case 'dquote':
        if (c === '"') state = 'code';
        break;
      case 'dollar':
        if (c === '$' && text.startsWith(dollarTag, i)) {
          emit(dollarTag);
          i += dollarTag.length;
          state = 'code';
          continue;
        }
        break;
      case 'line':
        if (c === '\n') state = 'code';
        break;
      case 'block':
        if (c === '*' && text[i + 1] === '/') {
          emit('*/');
          i += 2;
          if (--blockDepth === 0) state = 'code';
          continue;
        }
        if (c === '/' && text[i + 1] === '*') {
          emit('/*');
          i += 2;
          blockDepth++;
          continue;
        }
        break;
    }
    emit(c);
    i++;
  }
  // Unclosed blocks still shaped what follows them.
  for (const b of blocks) controls.push({ original: { start: b.openAt, end: text.length }, rendered: { start: b.renderedAt, end: outLen }, source: b.source });
  const significant = placeholders.filter((p) => p.kind !== 'control' || p.source.startsWith('{'));
  if (significant.length === 0) return undefined;

  const notes: string[] = [];
  const counts = new Map<TemplateSyntax, { n: number; resolved: number }>();
  for (const p of placeholders) {
    if (p.kind === 'control' && !p.source.startsWith('{')) continue;
    const c = counts.get(p.syntax) ?? { n: 0, resolved: 0 };
    c.n++;
    if (p.kind === 'value') c.resolved++;
    counts.set(p.syntax, c);
  }
  const label: Record<TemplateSyntax, string> = { flyway: 'Flyway placeholder', psql: 'psql variable', 'go-template': 'Go template action' };
  for (const [syntax, c] of counts) {
    notes.push(`${c.n} ${label[syntax]}${c.n === 1 ? '' : 's'} substituted for analysis${c.resolved ? ` (${c.resolved} with ${syntax === 'psql' ? 'values from \\set' : 'values the runner defines'})` : ''}`);
  }
  const sorted = placeholders;
  return {
    text: out.join(''),
    placeholders: sorted,
    controls,
    notes,
    toOriginal(index, bias = 'start') {
      // Last placeholder starting at or before index (placeholders are in text order).
      let lo = 0;
      let hi = sorted.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid].rendered.start <= index) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return index;
      const p = sorted[found];
      if (index < p.rendered.end) return bias === 'end' ? p.original.end : p.original.start;
      return p.original.end + (index - p.rendered.end);
    },
  };
}

/** How a placeholder was analyzed, for a finding's message. */
export function describePlaceholder(p: Placeholder): string {
  const what = p.syntax === 'flyway' ? 'Flyway placeholder' : p.syntax === 'psql' ? 'psql variable' : 'Go template action';
  if (p.kind === 'value') return `${what} ${p.source} (value from ${p.resolvedFrom})`;
  return `${what} ${p.source} (value unknown until deploy; analyzed as ${p.kind === 'literal' ? 'a string literal' : p.kind === 'fragment' ? 'an empty statement' : 'an identifier'})`;
}
