-- One ProposalTransition row per governance event (approvals and edits change no state but are
-- part of the timeline): the event type and its data.
ALTER TABLE "ProposalTransition" ADD COLUMN "event" TEXT;
ALTER TABLE "ProposalTransition" ADD COLUMN "details" JSONB;
