-- Governance: compare-and-swap version, the full state-machine record, frozen voting power per
-- proposal, and run-time governance settings (steward pause switch).
ALTER TABLE "Proposal" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "Proposal" ADD COLUMN "machine" JSONB;
ALTER TABLE "Proposal" ADD COLUMN "totalVotingPower" DECIMAL(78,0);
ALTER TABLE "Proposal" ADD COLUMN "powerSnapshotHash" TEXT;
ALTER TABLE "Proposal" ADD COLUMN "powerSources" JSONB;
ALTER TABLE "Proposal" ADD COLUMN "deadlineAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ProposalVoterPower" (
    "proposalId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "power" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "ProposalVoterPower_pkey" PRIMARY KEY ("proposalId","address")
);

-- CreateTable
CREATE TABLE "GovernanceSetting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "GovernanceSetting_pkey" PRIMARY KEY ("key")
);

-- AddForeignKey
ALTER TABLE "ProposalVoterPower" ADD CONSTRAINT "ProposalVoterPower_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Scheduler scans: proposals whose next timed step is due.
CREATE INDEX "Proposal_state_deadlineAt_idx" ON "Proposal"("state", "deadlineAt");
