// The root router: one router per domain, each in its own file under server/trpc/routers/.
import { router } from "./init";
import { systemRouter } from "./routers/system";
import { alertsRouter } from "./routers/alerts";
import { webhooksRouter } from "./routers/webhooks";
import { marketsRouter } from "./routers/markets";
import { riskRouter } from "./routers/risk";
import { adminRouter } from "./routers/admin";
import { oraclesRouter } from "./routers/oracles";
import { proposalRouter } from "./routers/proposal";
import { reviewRouter } from "./routers/review";
import { voteRouter } from "./routers/vote";
import { votingPowerRouter } from "./routers/votingPower";
import { stewardRouter } from "./routers/steward";
import { paramsRouter } from "./routers/params";
import { riskMonitorsRouter } from "./routers/riskMonitors";

export const appRouter = router({
  system: systemRouter,
  alerts: alertsRouter,
  webhooks: webhooksRouter,
  markets: marketsRouter,
  risk: riskRouter,
  admin: adminRouter,
  oracles: oraclesRouter,
  proposal: proposalRouter,
  review: reviewRouter,
  vote: voteRouter,
  votingPower: votingPowerRouter,
  steward: stewardRouter,
  params: paramsRouter,
  riskMonitors: riskMonitorsRouter,
});

export type AppRouter = typeof appRouter;
