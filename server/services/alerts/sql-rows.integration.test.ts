// inTransaction on both databases, through the pool (one round trip per run) and through Prisma.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { inTransaction, inlineParameters } from "./sql-rows";

const NASTY = ["it's", "$rw$", "x$rw", "back\\slash", '{"json": "q\\"uote"}', "ünï ☃"];

describe.each(testDatabaseKinds())("inTransaction (%s)", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.pool.query(`CREATE TABLE t (id int PRIMARY KEY, v text, at timestamp(3), j jsonb)`);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describe.each([
    ["pool", () => ({ pool: database.pool, prisma: database.prisma })],
    ["prisma", () => ({ prisma: database.prisma })],
  ])("through %s", (via, target) => {
    const base = via === "pool" ? 100 : 200;

    it("returns each statement's rows, parsed as Prisma does, and commits with the last run", async () => {
      const at = new Date(Date.UTC(2026, 10, 25, 12, 0, 0, 7));
      const results = await inTransaction(target(), async (tx) => {
        const first = await tx.run([
          { text: `INSERT INTO t (id, v, at, j) VALUES ($1, $2, $3::timestamptz AT TIME ZONE 'UTC', $4::jsonb) RETURNING id, at, j`, values: [base, NASTY[0], at, JSON.stringify({ a: NASTY })] },
          { text: `SELECT count(*)::int AS n FROM t WHERE id >= $1`, values: [base] },
        ]);
        const second = await tx.run([{ text: `SELECT 1 AS one` }], { commit: true });
        return [...first, ...second];
      });
      expect(results).toEqual([[{ id: base, at, j: { a: NASTY } }], [{ n: 1 }], [{ one: 1 }]]);
      expect((await database.pool.query(`SELECT v FROM t WHERE id = $1`, [base])).rows).toEqual([{ v: NASTY[0] }]);
    });

    it("stores every awkward text exactly as given", async () => {
      await inTransaction(target(), (tx) =>
        tx.run(
          NASTY.map((v, i) => ({ text: `INSERT INTO t (id, v) VALUES ($1, $2)`, values: [base + 10 + i, v] })),
          { commit: true },
        ),
      );
      const rows = (await database.pool.query(`SELECT v FROM t WHERE id >= $1 AND id < $2 ORDER BY id`, [base + 10, base + 20])).rows;
      expect(rows.map((r) => r.v)).toEqual(NASTY);
    });

    it("rolls back everything when a statement of the committing run fails", async () => {
      await expect(
        inTransaction(target(), async (tx) => {
          await tx.run([{ text: `INSERT INTO t (id, v) VALUES ($1, 'kept?')`, values: [base + 30] }]);
          await tx.run([{ text: `INSERT INTO t (id, v) VALUES ($1, 'duplicate')`, values: [base] }], { commit: true });
        }),
      ).rejects.toThrow(/duplicate key/);
      expect((await database.pool.query(`SELECT count(*)::int AS n FROM t WHERE id = $1`, [base + 30])).rows[0].n).toBe(0);
      // The connection is usable afterwards (no transaction left open on it).
      expect(await inTransaction(target(), (tx) => tx.run([{ text: `SELECT 2 AS two` }], { commit: true }))).toEqual([[{ two: 2 }]]);
    });

    it("a lone committing statement (sent prepared on the pool) returns the same and fails cleanly", async () => {
      const insert = { text: `INSERT INTO t (id, v, j) VALUES ($1, $2, $3::jsonb) RETURNING id, v, j`, values: [base + 50, NASTY[1], JSON.stringify(NASTY)] };
      expect(await inTransaction(target(), (tx) => tx.run([insert], { commit: true }))).toEqual([[{ id: base + 50, v: NASTY[1], j: NASTY }]]);
      // The same text again (already prepared on that connection), then a failing one.
      const again = { ...insert, values: [base + 51, NASTY[2], "[]"] };
      expect(await inTransaction(target(), (tx) => tx.run([again], { commit: true }))).toEqual([[{ id: base + 51, v: NASTY[2], j: [] }]]);
      await expect(inTransaction(target(), (tx) => tx.run([{ ...insert, values: [base + 51, "dup", "{}"] }], { commit: true }))).rejects.toThrow(/duplicate key/);
      expect((await database.pool.query(`SELECT v FROM t WHERE id = $1`, [base + 51])).rows).toEqual([{ v: NASTY[2] }]);
      expect(await inTransaction(target(), (tx) => tx.run([{ text: `SELECT 3 AS three` }], { commit: true }))).toEqual([[{ three: 3 }]]);
    });

    it("commits when the work ends without a committing run, and refuses statements after a commit", async () => {
      await inTransaction(target(), (tx) => tx.run([{ text: `INSERT INTO t (id, v) VALUES ($1, 'late commit')`, values: [base + 40] }]));
      expect((await database.pool.query(`SELECT v FROM t WHERE id = $1`, [base + 40])).rows).toEqual([{ v: "late commit" }]);
      await expect(
        inTransaction(target(), async (tx) => {
          await tx.run([], { commit: true });
          await tx.run([{ text: `SELECT 1` }]);
        }),
      ).rejects.toThrow("statement after commit");
    });
  });

  it("an inlined statement means the same as its parameterised form", async () => {
    const values = [NASTY.join("|"), 0.1 + 0.2, null];
    const text = `SELECT $1::text AS t, $2::float8 AS f, $3::text AS n`;
    const inlined = (await database.pool.query(inlineParameters({ text, values }))).rows;
    const bound = (await database.pool.query(text, values)).rows;
    expect(inlined).toEqual(bound);
  });
});
