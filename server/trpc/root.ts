// The root router: one router per domain, each in its own file under server/trpc/routers/.
import { router } from "./init";
import { systemRouter } from "./routers/system";
import { marketsRouter } from "./routers/markets";

export const appRouter = router({
  system: systemRouter,
  markets: marketsRouter,
});

export type AppRouter = typeof appRouter;
