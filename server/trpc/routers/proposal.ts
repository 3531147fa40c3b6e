// Proposals: thin procedures over server/services/governance (validate input, call one service).
import { z } from "zod";
import { PROPOSAL_STATES, classifyChangeSet, readMarketParam, validateProposalChanges, type ParamChange } from "../../../lib/governance";
import { AppError } from "../../errors";
import { adminProcedure, holderProcedure, publicProcedure, router } from "../init";
import { cancelProposal } from "../../services/governance/cancel-proposal";
import { processGovernanceClock } from "../../services/governance/clock";
import { createProposal, updateProposal } from "../../services/governance/create-proposal";
import { executeProposal, queueProposal } from "../../services/governance/execute-proposal";
import { getProposal, listProposals } from "../../services/governance/get-proposal";
import { loadActiveParameterSet } from "../../services/governance/parameter-sets";
import { actorOf, loadProposal } from "../../services/governance/proposal-store";
import { governanceFor } from "../../services/governance/runtime-context";
import { submitProposal } from "../../services/governance/submit-proposal";
import { runSchedulerOnce } from "../../workers/scheduler";

const proposalId = z.string().min(1).max(64);
/** One changed parameter: `path` inside the market (`maintenanceMarginFraction`, `volatilityMargin.z`); omit `to` to remove an optional field. */
export const changeInput = z.object({ market: z.string().min(1).max(64), path: z.string().min(1).max(100), to: z.unknown().optional(), from: z.unknown().optional() });
const changesInput = z.array(changeInput).max(200);

export const proposalRouter = router({
  list: publicProcedure
    .input(
      z
        .object({
          states: z.array(z.enum(PROPOSAL_STATES)).optional(),
          tier: z.enum(["minor", "major"]).optional(),
          proposer: z.string().max(64).optional(),
          market: z.string().max(64).optional(),
          search: z.string().max(200).optional(),
          limit: z.number().int().min(1).max(200).optional(),
          cursor: z.number().int().optional(),
        })
        .default({}),
    )
    .query(({ ctx, input }) => listProposals(ctx.db, input)),

  get: publicProcedure
    .input(z.object({ proposalId }))
    .query(({ ctx, input }) => getProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, viewer: ctx.user ? actorOf(ctx.user) : null })),

  /**
   * Impact of changes (the editor calls it on every edit) or of a stored proposal "now". Never
   * throws on invalid changes: returns their issues beside whatever can be previewed.
   */
  preview: publicProcedure
    .input(z.union([z.object({ proposalId }), z.object({ changes: changesInput })]))
    .query(async ({ ctx, input }) => {
      const governance = governanceFor(ctx.runtime);
      const settings = await governance.settings(ctx.db);
      const { set, versions } = await loadActiveParameterSet(ctx.db);
      const given: ParamChange[] = "proposalId" in input ? (await loadProposal(ctx.db, input.proposalId)).proposal.changes : (input.changes as ParamChange[]);
      // Against the set active now: `from` is recomputed, so a stored proposal shows its effect today.
      const changes = given.map((change) => ({ market: change.market, path: change.path, to: change.to, from: readMarketParam(set, change.market, change.path) }));
      const issues = changes.length === 0 ? [] : validateProposalChanges(changes, set);
      const classification = classifyChangeSet(changes, settings);
      const preview = issues.length === 0 && changes.length > 0 ? await governance.preview(ctx.db, changes) : null;
      return { issues, tier: classification.tier, classification: classification.changes, versions, preview: preview && { ...preview.stored, detail: previewDetail(preview.result) } };
    }),

  create: holderProcedure
    .input(z.object({ title: z.string().max(200), rationaleMarkdown: z.string().max(50_000).default(""), changes: changesInput, preferMajor: z.boolean().optional() }))
    .mutation(({ ctx, input }) => createProposal(ctx.db, governanceFor(ctx.runtime), { proposer: ctx.user.address, ...input })),

  update: holderProcedure
    .input(z.object({ proposalId, title: z.string().max(200).optional(), rationaleMarkdown: z.string().max(50_000).optional(), changes: changesInput.optional(), preferMajor: z.boolean().optional() }))
    .mutation(({ ctx, input }) => updateProposal(ctx.db, governanceFor(ctx.runtime), { ...input, actor: actorOf(ctx.user) })),

  submit: holderProcedure.input(z.object({ proposalId })).mutation(({ ctx, input }) => submitProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, actor: actorOf(ctx.user) })),

  cancel: holderProcedure
    .input(z.object({ proposalId, reason: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => cancelProposal(ctx.db, governanceFor(ctx.runtime), { ...input, actor: actorOf(ctx.user) })),

  /** Succeeded → Queued (permissionless, as in Aave/OpenZeppelin; the scheduler also does it). */
  queue: holderProcedure.input(z.object({ proposalId })).mutation(({ ctx, input }) => queueProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, actor: actorOf(ctx.user) })),

  /** Queued → Executed after the timelock (permissionless; the scheduler also does it). */
  execute: holderProcedure
    .input(z.object({ proposalId }))
    .mutation(({ ctx, input }) => executeProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, actor: actorOf(ctx.user) })),

  /** Settings in force and the governance clock (the UI counts down against it). */
  settings: publicProcedure.query(async ({ ctx }) => {
    const governance = governanceFor(ctx.runtime);
    return { settings: await governance.settings(ctx.db), nowMs: governance.nowMs(), clockOffsetMs: processGovernanceClock().offset, demo: governance.demo, chainId: governance.chainId };
  }),

  /** Live proposal events (state changes, votes) for list and detail pages. */
  events: publicProcedure.input(z.object({ proposalId: proposalId.optional() }).default({})).subscription(async function* ({ ctx, input, signal }) {
    for await (const event of ctx.runtime.bus.stream("proposal.event", signal)) {
      if (!input.proposalId || event.proposalId === input.proposalId) yield event;
    }
  }),

  /** DEMO ONLY: moves the governance clock forward and runs the scheduler. Refused outside demo mode. */
  demoAdvanceClock: adminProcedure.input(z.object({ byMs: z.number().int().min(1).max(365 * 86_400_000) })).mutation(async ({ ctx, input }) => {
    const governance = governanceFor(ctx.runtime);
    if (!ctx.runtime.env.demo) throw new AppError("PRECONDITION_FAILED", "The governance clock moves only in demo mode");
    processGovernanceClock().advance(input.byMs);
    const pass = await runSchedulerOnce(ctx.db, governance);
    return { nowMs: governance.nowMs(), clockOffsetMs: processGovernanceClock().offset, ...pass };
  }),
});

/** What the pages chart: everything but the per-account list (top affected stays). */
function previewDetail(result: NonNullable<Awaited<ReturnType<ReturnType<typeof governanceFor>["preview"]>>>["result"]) {
  const { accounts: _accounts, ...rest } = result;
  return rest;
}
