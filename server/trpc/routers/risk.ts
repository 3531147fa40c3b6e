// Risk engine API: margin summary, impact preview of a parameter draft, stress, the market page's
// data, and positions snapshots (list; import and activate for admins).
// `preview` is holderProcedure: every call computes over the whole book (uncached, it is the
// proposal editor's live preview), so it is kept to signed-in users; the other reads are cached per
// book generation and public like the parameters themselves.
import { z } from "zod";
import { adminProcedure, holderProcedure, publicProcedure, router } from "../init";
import { getRiskService } from "../../services/risk/risk-subsystem";
import { getMarketRisk } from "../../services/risk/market-risk";
import { importSnapshot } from "../../services/positions/import-snapshot";
import { activateSnapshot, listSnapshots } from "../../services/positions/snapshots";
import { snapshotFormats } from "../../services/positions/snapshot-formats";

const marketId = z.string().min(1).max(64);
const shockFraction = z.number().gt(-1, "a shock above -1 (−100 %)").lte(10, "a shock of at most 10 (+1000 %)");

export const riskRouter = router({
  status: publicProcedure.query(({ ctx }) => getRiskService(ctx.runtime).status()),
  margin: publicProcedure.query(({ ctx }) => getRiskService(ctx.runtime).marginSummary()),
  preview: holderProcedure
    .input(
      z.object({
        changes: z.record(marketId, z.record(z.string().max(64), z.unknown())).refine((changes) => Object.keys(changes).length <= 100, "at most 100 markets"),
        accountLimit: z.number().int().min(0).max(500).optional(),
        topAffected: z.number().int().min(0).max(200).optional(),
      }),
    )
    .query(({ ctx, input }) => getRiskService(ctx.runtime).preview(input.changes, { accountLimit: input.accountLimit, topAffected: input.topAffected })),
  stress: publicProcedure
    .input(z.object({ shock: z.union([shockFraction, z.record(marketId, shockFraction)]) }))
    .query(({ ctx, input }) => getRiskService(ctx.runtime).stress(input.shock)),
  marketRisk: publicProcedure
    .input(z.object({ market: marketId, nearest: z.number().int().min(1).max(200).optional() }))
    .query(({ ctx, input }) => getMarketRisk(ctx.db, getRiskService(ctx.runtime), input)),
  snapshots: publicProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).optional() }).optional())
    .query(({ ctx, input }) => listSnapshots(ctx.db, { limit: input?.limit })),
  importSnapshot: adminProcedure
    .input(
      z.object({
        format: z.enum(snapshotFormats),
        content: z.string().min(1, "a non-empty snapshot").max(200_000_000, "at most 200 MB of text (use `riskwarden import` for larger files)"),
        label: z.string().max(200).optional(),
        activate: z.boolean().default(false),
      }),
    )
    .mutation(({ ctx, input }) =>
      importSnapshot(ctx.runtime.database, { format: input.format, content: input.content, label: input.label ?? null, activate: input.activate, bus: ctx.runtime.bus, actor: ctx.user.address, source: "content" }),
    ),
  activateSnapshot: adminProcedure
    .input(z.object({ snapshotId: z.number().int().positive() }))
    .mutation(({ ctx, input }) => activateSnapshot(ctx.runtime.database, { snapshotId: input.snapshotId, bus: ctx.runtime.bus })),
});
