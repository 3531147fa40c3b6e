// Voting power: snapshot import (admin), list, and a voter's breakdown (frozen per proposal once its vote opened).
import { z } from "zod";
import { AppError } from "../../errors";
import { adminProcedure, publicProcedure, router } from "../init";
import { getVotingPower, importVotingPower, listVotingPowerSnapshots } from "../../services/governance/voting-power";
import { governanceFor } from "../../services/governance/runtime-context";

export const votingPowerRouter = router({
  import: adminProcedure
    .input(
      z.object({
        name: z.string().min(1).max(200),
        format: z.enum(["csv", "json"]),
        /** The file's text (CSV `address,power` rows, or JSON as documented in docs/governance-api.md). */
        text: z.string().min(1).max(20_000_000),
        blockNumber: z.bigint().nonnegative().optional(),
        takenAt: z.date().optional(),
      }),
    )
    .mutation(({ ctx, input }) => importVotingPower(ctx.db, { ...input, createdBy: ctx.user.address })),
  snapshots: publicProcedure.query(({ ctx }) => listVotingPowerSnapshots(ctx.db)),
  /** Power of `address` (default: the signed-in user), frozen for `proposalId` when its vote opened. */
  get: publicProcedure.input(z.object({ address: z.string().optional(), proposalId: z.string().max(64).optional() }).default({})).query(({ ctx, input }) => {
    const address = input.address ?? ctx.user?.address;
    if (!address) throw new AppError("BAD_REQUEST", "address: sign in or pass an address", { issues: [{ path: "address", reason: "required when not signed in" }] });
    return getVotingPower(ctx.db, { address, proposalId: input.proposalId, erc20Votes: governanceFor(ctx.runtime).erc20Votes });
  }),
});
