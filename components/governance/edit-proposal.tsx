"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ProposalEditor } from "./proposal-editor";

export function EditProposal({ proposalId }: { proposalId: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.proposal.get.queryOptions({ proposalId }));
  if (!detail.data) return <p className="text-slate-400">{detail.error ? detail.error.message : "Loading…"}</p>;
  const p = detail.data.proposal;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">
        Edit #{detail.data.number} <span className="text-sm text-slate-400">(saving resets committee approvals)</span>
      </h1>
      <ProposalEditor initial={{ proposalId, title: p.title, rationaleMarkdown: p.rationaleMarkdown, changes: p.changes }} />
    </div>
  );
}
