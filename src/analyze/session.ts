/**
 * Session state through a migration: the transaction each statement runs in (explicit BEGIN/COMMIT,
 * the runner's wrapping transaction, or the implicit one of a multi-statement query), the locks held
 * in it, and the settings rules depend on (lock_timeout, statement_timeout, TimeZone) as SET,
 * SET LOCAL, RESET and set_config change them, starting from the configured server defaults.
 */
import type { Node } from 'libpg-query';
import { as, nodeKind, str, strings, walk } from '../parse/ast.ts';
import { strongerLock, type LockMode } from '../pg/locks.ts';
import type { AppliedOp } from './effects.ts';
import { parseDurationMs } from '../pg/durations.ts';

export type TxKind = 'none' | 'runner' | 'explicit' | 'implicit';

export interface HeldLock {
  mode: LockMode;
  /** Index of the statement that first took it (this mode or weaker). */
  since: number;
  /** The relation existed before the file. */
  existing: boolean;
}

export interface TimeoutSettings {
  /** Milliseconds; 0 = wait forever. */
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface SessionSettings extends TimeoutSettings {
  /** The session TimeZone as written (`UTC`, `Europe/Paris`, `0`); undefined = not known (the server's default). */
  timeZone?: string;
}

export { isZeroOffsetTimeZone } from '../pg/time-zones.ts';

export interface TxSnapshot {
  inTransaction: boolean;
  kind: TxKind;
  /** Transaction number within the file; in autocommit each statement gets its own. */
  id: number;
  held: ReadonlyMap<string, HeldLock>;
  /** Index of the first statement of this transaction. */
  startedAt: number;
}

export type TransactionEvent =
  | { type: 'begin-nested' }
  | { type: 'commit-without-begin' }
  | { type: 'runner-transaction-ended' };

/** Transaction-control events a statement causes, judged from the state before it. */
export function transactionEvents(node: Node, tx: TxSnapshot): TransactionEvent[] {
  const s = as(node, 'TransactionStmt');
  if (!s) return [];
  switch (s.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return tx.inTransaction ? [{ type: 'begin-nested' }] : [];
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
    case 'TRANS_STMT_PREPARE':
      if (!tx.inTransaction) return [{ type: 'commit-without-begin' }];
      return tx.kind === 'runner' ? [{ type: 'runner-transaction-ended' }] : [];
    default:
      return [];
  }
}

const TIMEOUTS = new Set(['lock_timeout', 'statement_timeout']);
/** Settings the session tracks (names as the parser gives them: lower case; SET TIME ZONE is timezone). */
const TRACKED = new Set([...TIMEOUTS, 'timezone']);

// Re-exported for callers that parse SET values next to the session (test/session.test.ts).
export { parseDurationMs };

function constValue(node: Node | undefined): string | number | undefined {
  // SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE: the literal inside the cast.
  const cast = as(node, 'TypeCast');
  if (cast) return constValue(cast.arg);
  const c = as(node, 'A_Const');
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.sval) return c.sval.sval ?? '';
  if (c.fval) return Number(c.fval.fval);
  return undefined;
}

export class Session {
  private tx: TxSnapshot;
  private nextTx = 0;
  private session: SessionSettings;
  private local: Partial<SessionSettings> = {};
  private savedAtBegin: SessionSettings | undefined;
  private held = new Map<string, HeldLock>();

  constructor(
    private readonly defaults: SessionSettings,
    /** The section starts inside a transaction the runner (or the one-query protocol) opened. */
    private readonly wrap: Exclude<TxKind, 'explicit' | 'none'> | 'none',
  ) {
    this.session = { ...defaults };
    this.tx = { inTransaction: false, kind: 'none', id: -1, held: this.held, startedAt: 0 };
    if (wrap !== 'none') this.open(wrap, 0);
  }

  private open(kind: TxKind, at: number): void {
    this.held = new Map();
    this.tx = { inTransaction: kind !== 'none', kind, id: this.nextTx++, held: this.held, startedAt: at };
    this.savedAtBegin = { ...this.session };
  }

  private close(rollback: boolean): void {
    if (rollback && this.savedAtBegin) this.session = this.savedAtBegin;
    this.local = {};
    this.held = new Map();
    this.tx = { inTransaction: false, kind: 'none', id: this.tx.id, held: this.held, startedAt: this.tx.startedAt };
  }

  /** Called before analyzing statement `index`: in autocommit each statement is its own transaction. */
  beforeStatement(index: number): TxSnapshot {
    if (!this.tx.inTransaction) {
      this.held = new Map();
      this.tx = { inTransaction: false, kind: 'none', id: this.nextTx++, held: this.held, startedAt: index };
    }
    return this.tx;
  }

  get snapshot(): TxSnapshot {
    return this.tx;
  }

  /** Settings in force for the next statement. */
  get settings(): SessionSettings {
    return { ...this.session, ...this.local };
  }

  get timeouts(): TimeoutSettings {
    const { lockTimeoutMs, statementTimeoutMs } = this.settings;
    return { lockTimeoutMs, statementTimeoutMs };
  }

  /** Records the locks a statement took; in autocommit they are released right after. */
  recordLocks(ops: AppliedOp[], index: number): void {
    if (!this.tx.inTransaction) return;
    for (const o of ops) {
      const prev = this.held.get(o.relation);
      this.held.set(o.relation, {
        mode: strongerLock(prev?.mode, o.mode),
        since: prev?.since ?? index,
        existing: o.existing,
      });
    }
  }

  /** Applies transaction control and settings changes. */
  afterStatement(node: Node, index: number): void {
    const kind = nodeKind(node);
    if (kind === 'TransactionStmt') {
      const s = as(node, 'TransactionStmt');
      switch (s?.kind) {
        case 'TRANS_STMT_BEGIN':
        case 'TRANS_STMT_START':
          if (!this.tx.inTransaction) this.open('explicit', index);
          break;
        case 'TRANS_STMT_COMMIT':
        case 'TRANS_STMT_ROLLBACK':
        case 'TRANS_STMT_PREPARE': {
          const chain = s.chain === true;
          this.close(s.kind === 'TRANS_STMT_ROLLBACK');
          if (chain) this.open('explicit', index + 1);
          // In a one-query file, statements after COMMIT form a new implicit block.
          else if (this.wrap === 'implicit') this.open('implicit', index + 1);
          break;
        }
        default:
          break;
      }
      return;
    }
    if (kind === 'VariableSetStmt') {
      const s = as(node, 'VariableSetStmt');
      if (!s) return;
      const names = s.kind === 'VAR_RESET_ALL' ? [...TRACKED] : [(s.name ?? '').toLowerCase()];
      for (const name of names) {
        if (!TRACKED.has(name)) continue;
        if (s.kind === 'VAR_SET_VALUE') this.setValue(name, constValue(s.args?.[0]), s.is_local === true);
        else if (s.kind === 'VAR_SET_DEFAULT' || s.kind === 'VAR_RESET' || s.kind === 'VAR_RESET_ALL') this.resetValue(name, s.is_local === true);
      }
      return;
    }
    // SELECT set_config('lock_timeout', '2s', is_local)
    walk(node, (key, n) => {
      if (key !== 'FuncCall') return;
      const f = n as { funcname?: Node[]; args?: Node[] };
      const fname = strings(f.funcname);
      if (fname[fname.length - 1] !== 'set_config' || (f.args?.length ?? 0) < 3) return;
      const name = constValue(f.args?.[0]);
      const value = constValue(f.args?.[1]);
      const isLocal = as(f.args?.[2], 'A_Const')?.boolval?.boolval === true || str(as(f.args?.[2], 'TypeCast')?.arg) === 't';
      if (typeof name === 'string' && TRACKED.has(name.toLowerCase())) this.setValue(name.toLowerCase(), value, isLocal);
    });
  }

  /** A value that is not a literal (a placeholder, an expression) makes the setting unknown; for timeouts the previous value is kept. */
  private setValue(name: string, value: string | number | undefined, isLocal: boolean): void {
    if (name === 'timezone') {
      this.set('timeZone', value === undefined ? undefined : String(value), isLocal);
      return;
    }
    const ms = value === undefined ? undefined : parseDurationMs(value);
    if (ms !== undefined) this.set(name === 'lock_timeout' ? 'lockTimeoutMs' : 'statementTimeoutMs', ms, isLocal);
  }

  /** SET … TO DEFAULT / RESET: back to the configured server value. */
  private resetValue(name: string, isLocal: boolean): void {
    const key: keyof SessionSettings = name === 'timezone' ? 'timeZone' : name === 'lock_timeout' ? 'lockTimeoutMs' : 'statementTimeoutMs';
    this.set(key, this.defaults[key], isLocal);
  }

  private set<K extends keyof SessionSettings>(key: K, value: SessionSettings[K], isLocal: boolean): void {
    // SET LOCAL outside a transaction has no effect (Postgres warns).
    if (isLocal) {
      if (this.tx.inTransaction) this.local[key] = value;
    } else {
      this.session[key] = value;
      delete this.local[key];
    }
  }

  /** At the end of a section: what is still open. */
  end(): { unterminatedExplicit: boolean } {
    return { unterminatedExplicit: this.tx.inTransaction && this.tx.kind === 'explicit' && this.wrap === 'none' };
  }
}
