/** Session dataflow: transactions and lock_timeout / statement_timeout through SET, SET LOCAL, RESET, set_config. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseRegion } from '../src/parse/parser.ts';
import { Session, parseDurationMs, transactionEvents, type TxKind } from '../src/analyze/session.ts';

beforeAll(() => initParser());

/** Runs the statements through a session and returns lock_timeout/inTransaction before each one. */
function trace(sql: string, wrap: Exclude<TxKind, 'explicit'> = 'none', defaults = { lockTimeoutMs: 0, statementTimeoutMs: 0 }) {
  const session = new Session(defaults, wrap);
  const out: { lock: number; stmt: number; inTx: boolean; tx: number; events: string[] }[] = [];
  parseRegion(sql).statements.forEach((s, i) => {
    const tx = session.beforeStatement(i);
    out.push({ lock: session.timeouts.lockTimeoutMs, stmt: session.timeouts.statementTimeoutMs, inTx: tx.inTransaction, tx: tx.id, events: transactionEvents(s.node, tx).map((e) => e.type) });
    session.afterStatement(s.node, i);
  });
  return out;
}

describe('durations', () => {
  it('parses Postgres units; a bare number is milliseconds', () => {
    expect(parseDurationMs('2s')).toBe(2000);
    expect(parseDurationMs('1min')).toBe(60000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs(250)).toBe(250);
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('soon')).toBeUndefined();
  });
});

describe('settings', () => {
  it('SET applies to the session, RESET returns to the configured default', () => {
    const t = trace("SET lock_timeout = '2s'; SELECT 1; RESET lock_timeout; SELECT 1;", 'none', { lockTimeoutMs: 500, statementTimeoutMs: 0 });
    expect(t.map((x) => x.lock)).toEqual([500, 2000, 2000, 500]);
  });

  it('SET LOCAL ends at COMMIT; SET LOCAL outside a transaction does nothing', () => {
    const t = trace("SET LOCAL lock_timeout = '1s'; BEGIN; SET LOCAL lock_timeout = '3s'; SELECT 1; COMMIT; SELECT 1;");
    expect(t.map((x) => x.lock)).toEqual([0, 0, 0, 3000, 3000, 0]);
  });

  it('set_config(name, value, is_local) and SET … TO DEFAULT', () => {
    const t = trace("SELECT set_config('lock_timeout', '4s', false); SELECT 1; SET lock_timeout TO DEFAULT; SELECT set_config('statement_timeout', '1min', false); SELECT 1;");
    expect(t.map((x) => [x.lock, x.stmt])).toEqual([
      [0, 0],
      [4000, 0],
      [4000, 0],
      [0, 0],
      [0, 60000],
    ]);
  });

  it('ROLLBACK undoes a SET made in the transaction', () => {
    const t = trace("BEGIN; SET lock_timeout = '2s'; ROLLBACK; SELECT 1;");
    expect(t[3].lock).toBe(0);
  });

  it('lock_timeout = 0 disables it again', () => {
    const t = trace("SET lock_timeout = '2s'; SET lock_timeout = 0; SELECT 1;");
    expect(t[2].lock).toBe(0);
  });
});

describe('transactions', () => {
  it('autocommit gives each statement its own transaction; BEGIN…COMMIT groups them', () => {
    const t = trace('SELECT 1; BEGIN; SELECT 2; SELECT 3; COMMIT; SELECT 4;');
    expect(t.map((x) => x.inTx)).toEqual([false, false, true, true, true, false]);
    expect(t[2].tx).toBe(t[3].tx);
    expect(t[0].tx).not.toBe(t[5].tx);
  });

  it('a runner transaction covers the file; BEGIN inside it is nested; COMMIT ends it early', () => {
    const t = trace('SELECT 1; BEGIN; SELECT 2; COMMIT; SELECT 3; COMMIT;', 'runner');
    expect(t.map((x) => x.inTx)).toEqual([true, true, true, true, false, false]);
    expect(t[1].events).toEqual(['begin-nested']);
    expect(t[3].events).toEqual(['runner-transaction-ended']);
    expect(t[5].events).toEqual(['commit-without-begin']);
  });

  it('in a one-query file statements after COMMIT start a new implicit transaction', () => {
    const t = trace('SELECT 1; COMMIT; SELECT 2; SELECT 3;', 'implicit');
    expect(t.map((x) => x.inTx)).toEqual([true, true, true, true]);
    expect(t[2].tx).not.toBe(t[0].tx);
  });
});
