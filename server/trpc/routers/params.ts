// Parameter sets (active and every version of a market) and the audit log page's feed.
import { z } from "zod";
import { holderProcedure, publicProcedure, router } from "../init";
import { listAuditLog } from "../../services/governance/get-proposal";
import { listParameterSetVersions, loadActiveParameterSet } from "../../services/governance/parameter-sets";

export const paramsRouter = router({
  active: publicProcedure.query(({ ctx }) => loadActiveParameterSet(ctx.db)),
  versions: publicProcedure.input(z.object({ market: z.string().min(1).max(64) })).query(({ ctx, input }) => listParameterSetVersions(ctx.db, input.market)),
  /** Steward updates, executions, cancels, vetoes, imports, role grants: newest first. */
  auditLog: holderProcedure
    .input(z.object({ action: z.string().max(100).optional(), actor: z.string().max(64).optional(), limit: z.number().int().min(1).max(500).optional(), cursor: z.bigint().optional() }).default({}))
    .query(({ ctx, input }) => listAuditLog(ctx.db, input)),
});
