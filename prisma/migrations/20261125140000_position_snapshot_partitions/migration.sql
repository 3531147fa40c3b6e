-- Positions snapshots are written once, whole, and read whole: "Account" and "Position" become
-- LIST-partitioned by "snapshotId", one partition per snapshot. An import (server/services/
-- positions/import-snapshot.ts) COPYs a snapshot into a plain new table without indexes or
-- foreign keys, then attaches it: the indexes are built in bulk and the foreign key is checked
-- with one join, instead of per row (1M positions: BENCHMARKS.md "Snapshot import").
-- Rows inserted through the parent for a snapshot without a partition of its own (the demo seed,
-- test fixtures) land in the DEFAULT partitions; attaching scans those, so they stay small.

-- Free the names, keep the id sequence (it is owned by the old column).
ALTER SEQUENCE "Position_id_seq" OWNED BY NONE;
ALTER TABLE "Account" RENAME TO "Account_unpartitioned";
ALTER TABLE "Account_unpartitioned" RENAME CONSTRAINT "Account_pkey" TO "Account_unpartitioned_pkey";
ALTER TABLE "Account_unpartitioned" RENAME CONSTRAINT "Account_snapshotId_fkey" TO "Account_unpartitioned_snapshotId_fkey";
ALTER TABLE "Position" RENAME TO "Position_unpartitioned";
ALTER TABLE "Position_unpartitioned" RENAME CONSTRAINT "Position_pkey" TO "Position_unpartitioned_pkey";
ALTER TABLE "Position_unpartitioned" RENAME CONSTRAINT "Position_snapshotId_fkey" TO "Position_unpartitioned_snapshotId_fkey";
ALTER INDEX "Position_snapshotId_accountId_idx" RENAME TO "Position_unpartitioned_snapshotId_accountId_idx";

CREATE TABLE "Account" (
    "snapshotId" INTEGER NOT NULL,
    "accountId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "collateral" DECIMAL(38,18) NOT NULL DEFAULT 0,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("snapshotId","accountId")
) PARTITION BY LIST ("snapshotId");

-- The primary key of a partitioned table includes the partition key.
CREATE TABLE "Position" (
    "id" BIGINT NOT NULL DEFAULT nextval('"Position_id_seq"'),
    "snapshotId" INTEGER NOT NULL,
    "accountId" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "size" DECIMAL(38,18) NOT NULL,
    "entryPrice" DECIMAL(38,18) NOT NULL,
    "margin" DECIMAL(38,18),

    CONSTRAINT "Position_pkey" PRIMARY KEY ("snapshotId","id")
) PARTITION BY LIST ("snapshotId");
ALTER SEQUENCE "Position_id_seq" OWNED BY "Position"."id";

CREATE INDEX "Position_snapshotId_accountId_idx" ON "Position"("snapshotId", "accountId");

ALTER TABLE "Account" ADD CONSTRAINT "Account_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "PositionSnapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Position" ADD CONSTRAINT "Position_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "PositionSnapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "Account_default" PARTITION OF "Account" DEFAULT;
CREATE TABLE "Position_default" PARTITION OF "Position" DEFAULT;

-- Existing snapshots: a partition each (named as imports name them), then the rows.
DO $$
DECLARE
  snapshot integer;
BEGIN
  FOR snapshot IN SELECT id FROM "PositionSnapshot" ORDER BY id LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "Account" FOR VALUES IN (%s)', 'Account_s' || snapshot, snapshot);
    EXECUTE format('CREATE TABLE %I PARTITION OF "Position" FOR VALUES IN (%s)', 'Position_s' || snapshot, snapshot);
  END LOOP;
END
$$;
INSERT INTO "Account" ("snapshotId", "accountId", "mode", "collateral")
  SELECT "snapshotId", "accountId", "mode", "collateral" FROM "Account_unpartitioned";
INSERT INTO "Position" ("id", "snapshotId", "accountId", "market", "size", "entryPrice", "margin")
  SELECT "id", "snapshotId", "accountId", "market", "size", "entryPrice", "margin" FROM "Position_unpartitioned";

DROP TABLE "Account_unpartitioned";
DROP TABLE "Position_unpartitioned";
