// The root router: one router per domain, each in its own file under server/trpc/routers/.
import { router } from "./init";
import { systemRouter } from "./routers/system";

export const appRouter = router({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
