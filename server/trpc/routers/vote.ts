// Votes: the typed data a wallet signs, casting (signature verified against the frozen power),
// the list with power, reasons and verification, and a demo-only cast signed with the demo
// persona's key (the same verification path runs).
import { z } from "zod";
import { VOTE_CHOICES, voteTypedData } from "../../../lib/governance";
import { DEMO_PERSONAS, demoAccount } from "../../auth/demo-personas";
import { AppError } from "../../errors";
import { holderProcedure, publicProcedure, router } from "../init";
import { castVote, listVotes, voteToSign } from "../../services/governance/cast-vote";
import { governanceFor } from "../../services/governance/runtime-context";

const proposalId = z.string().min(1).max(64);
const choice = z.enum(VOTE_CHOICES);
const reason = z.string().max(5_000).optional();
const signature = z.string().regex(/^0x[0-9a-fA-F]+$/, "a 0x-prefixed hex signature");

export const voteRouter = router({
  /** EIP-712 typed data to sign with `signTypedData` (power as bigint via superjson). */
  typedData: holderProcedure
    .input(z.object({ proposalId, choice, reason }))
    .query(({ ctx, input }) => voteToSign(ctx.db, governanceFor(ctx.runtime), { ...input, voter: ctx.user.address })),
  cast: holderProcedure
    .input(z.object({ proposalId, choice, reason, signature }))
    .mutation(({ ctx, input }) => castVote(ctx.db, governanceFor(ctx.runtime), { ...input, signature: input.signature as `0x${string}`, voter: ctx.user.address })),
  /** DEMO ONLY: the server signs with the signed-in demo persona's deterministic key. */
  castDemo: holderProcedure.input(z.object({ proposalId, choice, reason })).mutation(async ({ ctx, input }) => {
    const governance = governanceFor(ctx.runtime);
    if (!ctx.runtime.env.demo) throw new AppError("PRECONDITION_FAILED", "Server-side signing exists only in demo mode: sign with your wallet");
    const persona = DEMO_PERSONAS.find((p) => demoAccount(p.id).address.toLowerCase() === ctx.user.address.toLowerCase());
    if (!persona) throw new AppError("PRECONDITION_FAILED", "Only demo personas vote without a wallet");
    const toSign = await voteToSign(ctx.db, governance, { ...input, voter: ctx.user.address });
    const signed = await demoAccount(persona.id).signTypedData(
      voteTypedData({ proposalId: input.proposalId, choice: input.choice, power: toSign.power, powerSnapshot: toSign.powerSnapshot, reason: input.reason, chainId: governance.chainId }),
    );
    return castVote(ctx.db, governance, { ...input, signature: signed, voter: ctx.user.address });
  }),
  list: publicProcedure
    .input(z.object({ proposalId, verify: z.boolean().optional() }))
    .query(({ ctx, input }) => listVotes(ctx.db, governanceFor(ctx.runtime), input)),
});
