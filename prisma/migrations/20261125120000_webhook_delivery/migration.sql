-- Alert history values, endpoint headers/secret hint/pause, file-managed silences, delivery log index,
-- notifier state per aggregation group.
ALTER TABLE "AlertEvent" ADD COLUMN "value" DOUBLE PRECISION;
ALTER TABLE "AlertEvent" ADD COLUMN "severity" TEXT;

ALTER TABLE "WebhookEndpoint" ADD COLUMN "headers" JSONB;
ALTER TABLE "WebhookEndpoint" ADD COLUMN "secretHint" TEXT;
ALTER TABLE "WebhookEndpoint" ADD COLUMN "pausedUntil" TIMESTAMP(3);

ALTER TABLE "Silence" ADD COLUMN "managedByFile" BOOLEAN NOT NULL DEFAULT false;

CREATE INDEX "OutboxDelivery_endpointId_createdAt_idx" ON "OutboxDelivery"("endpointId", "createdAt");

CREATE TABLE "NotifierGroup" (
    "key" TEXT NOT NULL,
    "snapshot" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotifierGroup_pkey" PRIMARY KEY ("key")
);

-- The dispatcher claims due rows; a partial index keeps that scan to the undelivered rows.
CREATE INDEX "OutboxDelivery_due_idx" ON "OutboxDelivery"("nextAttemptAt") WHERE "status" IN ('pending', 'delivering');
