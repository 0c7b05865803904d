/**
 * Migration file formats: detected from the file name and contents, they say which parts of a file
 * are "up" and "down", whether a file opts out of the runner's transaction, and how files order.
 * Facts per tool: docs/runners.md.
 */
import path from 'node:path';
import type { Direction } from '../findings/model.ts';
import type { RunnerId } from './runners.ts';

export const FORMATS = [
  'plain',
  'golang-migrate',
  'flyway',
  'prisma',
  'drizzle',
  'dbmate',
  'goose',
  'diesel',
  'popx',
  'sqitch',
] as const;
export type MigrationFormat = (typeof FORMATS)[number];

/** The runner a format implies when nothing else says. */
export const FORMAT_RUNNER: Record<MigrationFormat, RunnerId | null> = {
  plain: null,
  'golang-migrate': 'golang-migrate',
  flyway: 'flyway',
  prisma: 'prisma',
  drizzle: 'drizzle',
  dbmate: 'dbmate',
  goose: 'goose',
  diesel: 'diesel',
  popx: 'popx',
  sqitch: 'sqitch',
};

export interface Section {
  start: number;
  end: number;
  direction: Direction;
  /** false: this file/section opts out of the runner's transaction; undefined: runner default. */
  transaction?: boolean;
  /** Where the opt-out was read, e.g. "-- +goose NO TRANSACTION". */
  transactionSource?: string;
}

export interface FileLayout {
  format: MigrationFormat;
  sections: Section[];
  /** Repeatable (Flyway R__): runs after versioned ones, every time it changes. */
  repeatable?: boolean;
  notes: string[];
}

/** Reads a file next to the migration (diesel metadata.toml, Flyway .conf); undefined if absent. */
export type SiblingReader = (file: string) => string | undefined;

const FLYWAY_RE = /^([VUR])([0-9][0-9._]*)?__.+\.sql$/i;
const POPX_RE = /^(\d{14})_[^.]+(\.[a-z0-9]+)*\.(up|down)\.sql$/i;
const GOLANG_RE = /^(\d+)_.*\.(up|down)\.sql$/i;

export function detectFormat(filePath: string, text: string): MigrationFormat {
  const base = path.basename(filePath);
  const dir = path.basename(path.dirname(filePath));
  if (/^--\s*\+goose\s+(up|down)\b/im.test(text)) return 'goose';
  if (/^--\s*migrate:(up|down)\b/im.test(text)) return 'dbmate';
  if (base === 'migration.sql' && /^\d{14}_/.test(dir)) return 'prisma';
  if ((base === 'up.sql' || base === 'down.sql') && /^\d/.test(dir)) return 'diesel';
  if (FLYWAY_RE.test(base)) return 'flyway';
  if (/\.(postgres|autocommit)\./i.test(base) && /\.(up|down)\.sql$/i.test(base)) return 'popx';
  if (POPX_RE.test(base)) return 'popx';
  if (GOLANG_RE.test(base)) return 'golang-migrate';
  if (/-->\s*statement-breakpoint/.test(text)) return 'drizzle';
  if (/^\d{4}_[a-z0-9_]+\.sql$/i.test(base) && filePath.includes('drizzle')) return 'drizzle';
  const parts = filePath.split(/[\\/]/);
  if (parts.includes('deploy') || parts.includes('revert')) {
    if (dir === 'deploy' || dir === 'revert' || parts.includes('deploy') || parts.includes('revert')) return 'sqitch';
  }
  return 'plain';
}

const wholeFile = (text: string, direction: Direction, extra: Partial<Section> = {}): Section[] => [
  { start: 0, end: text.length, direction, ...extra },
];

/** Splits a file into up/down sections and reads per-file transaction opt-outs. */
export function layout(format: MigrationFormat, filePath: string, text: string, readSibling: SiblingReader): FileLayout {
  const base = path.basename(filePath);
  const notes: string[] = [];
  switch (format) {
    case 'goose':
      return { format, sections: markerSections(text, /^--\s*\+goose\s+(up|down)\b.*$/gim, gooseTx(text)), notes };
    case 'dbmate':
      return { format, sections: markerSections(text, /^--\s*migrate:(up|down)\b(.*)$/gim), notes };
    case 'golang-migrate':
      return { format, sections: wholeFile(text, /\.down\.sql$/i.test(base) ? 'down' : 'up'), notes };
    case 'popx': {
      const autocommit = /\.autocommit\./i.test(base);
      return {
        format,
        sections: wholeFile(text, /\.down\.sql$/i.test(base) ? 'down' : 'up', autocommit ? { transaction: false, transactionSource: '`.autocommit.` in the file name' } : {}),
        notes,
      };
    }
    case 'diesel': {
      const meta = readSibling('metadata.toml');
      const noTx = meta !== undefined && /^\s*run_in_transaction\s*=\s*false\b/m.test(meta);
      return {
        format,
        sections: wholeFile(text, base === 'down.sql' ? 'down' : 'up', noTx ? { transaction: false, transactionSource: 'metadata.toml: run_in_transaction = false' } : {}),
        notes,
      };
    }
    case 'flyway': {
      const m = FLYWAY_RE.exec(base);
      const conf = readSibling(`${base}.conf`);
      const noTx = conf !== undefined && /^\s*executeInTransaction\s*=\s*false\b/m.test(conf);
      const extra: Partial<Section> = noTx ? { transaction: false, transactionSource: `${base}.conf: executeInTransaction=false` } : {};
      return { format, sections: wholeFile(text, m?.[1].toUpperCase() === 'U' ? 'down' : 'up', extra), repeatable: m?.[1].toUpperCase() === 'R', notes };
    }
    case 'sqitch': {
      const parts = filePath.split(/[\\/]/);
      return { format, sections: wholeFile(text, parts.includes('revert') ? 'down' : 'up'), notes };
    }
    default:
      return { format, sections: wholeFile(text, 'up'), notes };
  }
}

function gooseTx(text: string): Partial<Section> {
  return /^--\s*\+goose\s+NO\s+TRANSACTION\b/im.test(text) ? { transaction: false, transactionSource: '-- +goose NO TRANSACTION' } : {};
}

/** Sections introduced by marker comments (goose, dbmate); text before the first marker is ignored. */
function markerSections(text: string, marker: RegExp, fileExtra: Partial<Section> = {}): Section[] {
  const sections: Section[] = [];
  let m: RegExpExecArray | null;
  let current: Section | undefined;
  while ((m = marker.exec(text))) {
    if (current) current.end = m.index;
    const direction = m[1].toLowerCase() === 'down' ? 'down' : 'up';
    const options = m[2] ?? '';
    const extra: Partial<Section> = /\btransaction:\s*false\b/i.test(options)
      ? { transaction: false, transactionSource: `-- migrate:${direction} transaction:false` }
      : fileExtra;
    current = { start: m.index + m[0].length, end: text.length, direction, ...extra };
    sections.push(current);
  }
  return sections;
}

/** Natural compare: digit runs compare as numbers (Flyway 1.10 > 1.9; golang-migrate 10 > 9). */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

/**
 * Sort key of a migration inside its directory: the tool's version, then up before down.
 * Prisma/diesel order by directory name; Flyway by version with repeatables last.
 */
export function orderKey(format: MigrationFormat, filePath: string): { group: string; key: string; rank: number } {
  const base = path.basename(filePath);
  const dir = path.dirname(filePath);
  switch (format) {
    case 'prisma':
    case 'diesel':
      return { group: path.dirname(dir), key: path.basename(dir), rank: base === 'down.sql' ? 1 : 0 };
    case 'flyway': {
      const m = FLYWAY_RE.exec(base);
      const kind = m?.[1].toUpperCase();
      const version = (m?.[2] ?? '').replace(/_/g, '.');
      // Repeatables sort after every versioned migration, by description.
      return { group: dir, key: kind === 'R' ? `\uffff${base}` : version, rank: kind === 'U' ? 1 : 0 };
    }
    case 'sqitch': {
      const parts = filePath.split(/[\\/]/);
      const i = Math.max(parts.lastIndexOf('deploy'), parts.lastIndexOf('revert'));
      return { group: parts.slice(0, i).join('/'), key: parts.slice(i + 1).join('/'), rank: parts[i] === 'revert' ? 1 : 0 };
    }
    default:
      return { group: dir, key: base.replace(/\.(up|down)\.sql$/i, ''), rank: /\.down\.sql$/i.test(base) ? 1 : 0 };
  }
}
