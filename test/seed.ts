/**
 * The database the lock-model proofs run against: tables with rows (t, u, tt, e), a partitioned
 * table with an attachable partition, a materialized view, a view, an enum, a domain, a sequence
 * and a trigger function. Used by the facts proof test and scripts/observe-report.ts.
 */
export const SEED_SQL = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int;
CREATE TABLE u (id int PRIMARY KEY, name text);
INSERT INTO u SELECT g, 'u' || g FROM generate_series(1, 1000) g;
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c varchar(10), n numeric(10,2));
INSERT INTO t SELECT g, g, repeat('b', g % 50), 'c' || (g % 100), g / 3.0 FROM generate_series(1, 1000) g;
CREATE INDEX t_a_idx ON t (a);
CREATE TABLE tt (id int PRIMARY KEY, ts timestamp);
INSERT INTO tt SELECT g, timestamp '2024-01-01' + g * interval '1 hour' FROM generate_series(1, 1000) g;
CREATE TABLE e (id int PRIMARY KEY, m mood, d posint);
INSERT INTO e SELECT g, 'ok', g FROM generate_series(1, 1000) g;
CREATE TABLE p (id int, created date NOT NULL, v int) PARTITION BY RANGE (created);
CREATE TABLE p_2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO p SELECT g, date '2024-01-01' + (g % 365), g FROM generate_series(1, 1000) g;
CREATE TABLE p_2025 (id int, created date NOT NULL, v int);
INSERT INTO p_2025 SELECT g, date '2025-01-01' + (g % 365), g FROM generate_series(1, 1000) g;
CREATE TABLE p_2026 (id int, created date NOT NULL, v int,
  CONSTRAINT p_2026_range CHECK (created >= '2026-01-01' AND created < '2027-01-01'));
INSERT INTO p_2026 SELECT g, date '2026-01-01' + (g % 365), g FROM generate_series(1, 1000) g;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
CREATE UNIQUE INDEX mv_id_idx ON mv (id);
CREATE VIEW v AS SELECT id FROM t;
CREATE SEQUENCE s;
CREATE FUNCTION trg_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
`;
