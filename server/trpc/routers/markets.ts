import { z } from "zod";
import { publicProcedure, router } from "../init";
import { listMarkets, parameterHistory } from "../../services/markets/list-markets";
import type { MarketPrices } from "../../prices";

export const marketsRouter = router({
  list: publicProcedure.query(({ ctx }) => listMarkets(ctx.db)),
  history: publicProcedure.input(z.object({ marketId: z.string().min(1) })).query(({ ctx, input }) => parameterHistory(ctx.db, input.marketId)),
  prices: publicProcedure.query(({ ctx }) => ctx.runtime.prices.all()),
  /** Live prices: the current board, then every update (SSE). */
  livePrices: publicProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<MarketPrices> {
    for (const prices of ctx.runtime.prices.all()) yield prices;
    yield* ctx.runtime.bus.stream("prices.updated", signal);
  }),
});
