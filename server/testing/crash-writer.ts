// Child process for the kill -9 test: opens the embedded database and commits small transactions
// forever, printing each committed marker after COMMIT returns. The parent kills it mid-write.
import { openDatabase } from "../db";

const dataDir = process.argv[2];
const database = await openDatabase({ kind: "pglite", dataDir });
await database.sql.exec(`CREATE TABLE IF NOT EXISTS crash_probe (id integer PRIMARY KEY, payload text NOT NULL)`);
const [{ next }] = await database.sql.query<{ next: number }>(`SELECT coalesce(max(id), 0) + 1 AS next FROM crash_probe`);
process.stdout.write("ready\n");
for (let id = next; ; id++) {
  await database.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`INSERT INTO crash_probe (id, payload) VALUES (${id}, ${"x".repeat(2000)})`;
    await tx.auditLog.create({ data: { actor: "crash-writer", action: "probe", target: String(id) } });
  });
  process.stdout.write(`committed ${id}\n`);
}
