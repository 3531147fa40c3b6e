import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;
export type PreviewOutput = Outputs["proposal"]["preview"];
export type PreviewData = NonNullable<PreviewOutput["preview"]>;
export type ProposalDetail = Outputs["proposal"]["get"];
export type StoredPreviewSummary = { snapshotId: number; marks: Record<string, number>; summary: PreviewData["summary"]; computedAtMs?: number; against?: Record<string, number> };
