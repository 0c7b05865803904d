import { defineRule, fileState, OPERATIONS, quoteIdent, type Span } from '../src/kit/index.ts';

/** Names already reported in this file. */
const REPORTED = fileState(() => new Set<string>());
/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes. */
const MAX_BYTES = 63;

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** What PostgreSQL keeps: the longest prefix of at most 63 bytes that ends on a character boundary. */
function truncateIdentifier(name: string): string {
  let out = '';
  let n = 0;
  for (const ch of name) {
    const b = bytes(ch);
    if (n + b > MAX_BYTES) break;
    out += ch;
    n += b;
  }
  return out;
}

interface IdentToken {
  /** The identifier as PostgreSQL reads it (unquoted: ASCII letters folded to lower case). */
  name: string;
  span: Span;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Identifier tokens of the statement text, skipping comments, string constants and dollar-quoted
 * bodies. The parser has already truncated names in the AST, so the text is the only place the
 * full name survives.
 */
/** Runs that could be an identifier of more than 63 bytes (a UTF-8 character takes at most 3 per UTF-16 unit). */
const LONG_RUN = /[A-Za-z0-9_$\u0080-\uffff]{22,}|"[^"]{22,}"/g;

function mayHaveLongIdentifier(text: string): boolean {
  LONG_RUN.lastIndex = 0;
  for (let m = LONG_RUN.exec(text); m; m = LONG_RUN.exec(text)) if (Buffer.byteLength(m[0]) > MAX_BYTES) return true;
  return false;
}

function identifierTokens(text: string, base: number): IdentToken[] {
  const out: IdentToken[] = [];
  if (!mayHaveLongIdentifier(text)) return out;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1]) && (i < 2 || !IDENT_CHAR.test(text[i - 2]));
      i++;
      while (i < n) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(text.slice(i, i + 64)) && (i === 0 || !IDENT_CHAR.test(text[i - 1]))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64))?.[0] ?? '$$';
      const close = text.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
    } else if (c === '"') {
      let j = i + 1;
      let name = '';
      while (j < n) {
        if (text[j] === '"' && text[j + 1] === '"') {
          name += '"';
          j += 2;
        } else if (text[j] === '"') break;
        else name += text[j++];
      }
      out.push({ name, span: { start: base + i, end: base + Math.min(n, j + 1) } });
      i = j + 1;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(text[j])) j++;
      out.push({ name: text.slice(i, j).replace(/[A-Z]+/g, (m) => m.toLowerCase()), span: { start: base + i, end: base + j } });
      i = j;
    } else i++;
  }
  return out;
}

/** The statement with every occurrence of the identifier `name` spelled `by`. */
function replaceIdent(text: string, name: string, by: string): string {
  let out = '';
  let last = 0;
  for (const t of identifierTokens(text, 0)) {
    if (t.name !== name) continue;
    out += text.slice(last, t.span.start) + by;
    last = t.span.end;
  }
  return out + text.slice(last);
}

export default defineRule({
  id: 'identifier-too-long',
  severity: 'warning',
  category: 'hygiene',
  presets: ['recommended', 'strict'],
  description: 'Identifier longer than 63 bytes, which PostgreSQL silently truncates',
  docs: {
    why:
      'PostgreSQL keeps at most 63 bytes of an identifier (NAMEDATALEN − 1) and truncates longer ones with only a NOTICE. The limit is in bytes, so a name with accented or other non-ASCII letters hits it sooner. Two long names that share their first 63 bytes then collide ("relation … already exists"), and anything that compares the full name with the catalog — ORM schema diffs, migration tools, lookups in pg_indexes or information_schema — no longer finds the object.',
    bad: 'CREATE INDEX orders_customer_id_created_at_status_shipping_country_partial_idx ON orders (customer_id, created_at, status, shipping_country) WHERE status <> \'done\';',
    good: "CREATE INDEX orders_cust_created_status_country_idx ON orders (customer_id, created_at, status, shipping_country) WHERE status <> 'done';",
  },
  check(ctx) {
    for (const { name, span } of identifierTokens(ctx.stmt.text, ctx.stmt.span.start)) {
      if (bytes(name) <= MAX_BYTES) continue;
      const reported = ctx.state(REPORTED);
      if (reported.has(name)) continue;
      reported.add(name);
      const short = truncateIdentifier(name);
      const noTx = ctx.ops.some((o) => OPERATIONS[o.op].noTransaction);
      ctx.report({
        span,
        message: `Identifier ${quoteIdent(name)} is ${bytes(name)} bytes long: PostgreSQL keeps only the first ${MAX_BYTES} bytes and silently uses ${quoteIdent(short)} instead (a NOTICE, no error). Another name sharing those ${MAX_BYTES} bytes collides with it, and tools that look the object up by its full name (ORM schema diffs, catalog queries) will not find it.`,
        help: `Use a name of at most ${MAX_BYTES} bytes (UTF-8 bytes, not characters): the name PostgreSQL would keep is ${quoteIdent(short)}, or pick a shorter abbreviation.`,
        lock: null,
        safeAlternative: {
          summary: `Spell the name as PostgreSQL stores it (${bytes(short)} bytes), so the migration and the catalog agree.`,
          steps: [{ title: 'The statement with the identifier shortened', sql: `${replaceIdent(ctx.stmt.text.trim(), name, quoteIdent(short))};`, transaction: noTx ? 'outside' : 'any' }],
        },
      });
    }
  },
});
