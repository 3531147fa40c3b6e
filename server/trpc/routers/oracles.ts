import { z } from "zod";
import { publicProcedure, router } from "../init";
import { oracleStatus, priceHistory } from "../../services/oracle/oracle-status";

export const oraclesRouter = router({
  status: publicProcedure.query(({ ctx }) => oracleStatus(ctx.runtime)),
  history: publicProcedure
    .input(z.object({ market: z.string().min(1), minutes: z.number().int().min(1).max(7 * 24 * 60).default(30) }))
    .query(({ ctx, input }) => priceHistory(ctx.runtime, { market: input.market, sinceMs: Date.now() - input.minutes * 60_000 })),
});
