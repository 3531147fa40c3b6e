"use client";
// The action the signed-in role may take next (the server's `nextActions`, answered by the state
// machine itself), with the inputs each needs: comment, reason, vote choice.
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createWalletClient, custom, type EIP1193Provider } from "viem";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import type { ProposalDetail } from "./types";

type Choice = "for" | "against" | "abstain";

export function ProposalActions({ detail }: { detail: ProposalDetail }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.proposal.settings.queryOptions());
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = detail.proposal.id;
  const actions = detail.nextActions;

  const refresh = () => queryClient.invalidateQueries({ predicate: (query) => JSON.stringify(query.queryKey).includes(id) || JSON.stringify(query.queryKey).includes("proposal") });
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await fn();
      setText("");
      await refresh();
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };
  const submit = useMutation(trpc.proposal.submit.mutationOptions());
  const approve = useMutation(trpc.review.approve.mutationOptions());
  const requestChanges = useMutation(trpc.review.requestChanges.mutationOptions());
  const veto = useMutation(trpc.review.veto.mutationOptions());
  const cancel = useMutation(trpc.proposal.cancel.mutationOptions());
  const queue = useMutation(trpc.proposal.queue.mutationOptions());
  const execute = useMutation(trpc.proposal.execute.mutationOptions());
  const castDemo = useMutation(trpc.vote.castDemo.mutationOptions());
  const cast = useMutation(trpc.vote.cast.mutationOptions());

  async function vote(choice: Choice) {
    const reason = text.trim() || undefined;
    if (settings.data?.demo) {
      await castDemo.mutateAsync({ proposalId: id, choice, reason });
      return;
    }
    const ethereum = (window as unknown as { ethereum?: EIP1193Provider }).ethereum;
    if (!ethereum) throw new Error("No browser wallet found (window.ethereum) to sign the vote.");
    const toSign = await client.vote.typedData.query({ proposalId: id, choice, reason });
    const wallet = createWalletClient({ transport: custom(ethereum) });
    const [account] = await wallet.requestAddresses();
    const signature = await wallet.signTypedData({ account, ...toSign.typedData });
    await cast.mutateAsync({ proposalId: id, choice, reason, signature });
  }

  if (actions.length === 0) {
    return <p className="text-xs text-slate-500" data-testid="no-actions">No action for you at this stage{detail.proposal.state === "Active" ? " (sign in as a holder with power in this snapshot to vote)" : ""}.</p>;
  }
  const needsText = actions.some((a) => a === "requestChanges" || a === "veto" || a === "cancel" || a === "vote");
  const button = (label: string, testId: string, fn: () => Promise<unknown>, tone = "bg-slate-700 hover:bg-slate-600") => (
    <button key={testId} disabled={busy} onClick={() => run(fn)} className={`rounded px-3 py-1 text-sm text-white disabled:opacity-50 ${tone}`} data-testid={testId}>
      {label}
    </button>
  );
  return (
    <div className="space-y-2 rounded border border-slate-800 bg-slate-900/60 p-3" data-testid="proposal-actions">
      <div className="text-xs uppercase text-slate-400">Your next action</div>
      {needsText ? (
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} placeholder="comment / reason (required to request changes, veto, or cancel as committee)" className="w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm" data-testid="action-text" />
      ) : null}
      <div className="flex flex-wrap gap-2">
        {actions.includes("edit") ? (
          <Link href={`/proposals/${id}/edit`} className="rounded bg-slate-700 px-3 py-1 text-sm hover:bg-slate-600" data-testid="action-edit">
            Edit
          </Link>
        ) : null}
        {actions.includes("submit") ? button("Submit for review", "action-submit", () => submit.mutateAsync({ proposalId: id }), "bg-emerald-600 hover:bg-emerald-500") : null}
        {actions.includes("approve") ? button("Approve", "action-approve", () => approve.mutateAsync({ proposalId: id }), "bg-emerald-600 hover:bg-emerald-500") : null}
        {actions.includes("requestChanges") ? button("Request changes", "action-request-changes", () => requestChanges.mutateAsync({ proposalId: id, comment: text })) : null}
        {actions.includes("vote") ? (
          <>
            {button("Vote For", "vote-for", () => vote("for"), "bg-emerald-600 hover:bg-emerald-500")}
            {button("Vote Against", "vote-against", () => vote("against"), "bg-rose-700 hover:bg-rose-600")}
            {button("Abstain", "vote-abstain", () => vote("abstain"))}
          </>
        ) : null}
        {actions.includes("queue") ? button("Queue", "action-queue", () => queue.mutateAsync({ proposalId: id })) : null}
        {actions.includes("execute") ? button("Execute", "action-execute", () => execute.mutateAsync({ proposalId: id }), "bg-emerald-600 hover:bg-emerald-500") : null}
        {actions.includes("cancel") ? button("Cancel", "action-cancel", () => cancel.mutateAsync({ proposalId: id, reason: text || undefined }), "bg-slate-800 hover:bg-slate-700") : null}
        {actions.includes("veto") ? button("Veto", "action-veto", () => veto.mutateAsync({ proposalId: id, reason: text }), "bg-rose-900 hover:bg-rose-800") : null}
      </div>
      {error ? <p className="text-xs text-rose-300" data-testid="action-error">{error}</p> : null}
    </div>
  );
}

/** Demo only (admin): move governance time forward so the scheduler opens/closes votes and executes. */
export function DemoClock() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.proposal.settings.queryOptions());
  const me = useQuery(trpc.system.whoami.queryOptions());
  const advance = useMutation(trpc.proposal.demoAdvanceClock.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  if (!settings.data?.demo || !me.data?.roles.includes("admin")) return null;
  const DAY = 86_400_000;
  return (
    <div className="flex flex-wrap items-center gap-2 rounded border border-dashed border-amber-700 p-2 text-xs text-amber-200" data-testid="demo-clock">
      <span>DEMO ONLY — governance clock {new Date(settings.data.nowMs).toISOString().slice(0, 16)} UTC (offset {(settings.data.clockOffsetMs / DAY).toFixed(2)} d):</span>
      {[
        ["+1 h", 3_600_000],
        ["+1 day", DAY],
        ["+3 days", 3 * DAY],
        ["+7 days", 7 * DAY],
      ].map(([label, ms]) => (
        <button key={label} disabled={advance.isPending} onClick={() => advance.mutate({ byMs: ms as number })} className="rounded bg-amber-800 px-2 py-0.5 text-white hover:bg-amber-700" data-testid={`demo-advance-${ms}`}>
          {label}
        </button>
      ))}
      {advance.data ? <span data-testid="demo-advanced">moved: {advance.data.advanced.map((a) => `${a.from}→${a.to}`).join(", ") || "nothing due"}</span> : null}
    </div>
  );
}
