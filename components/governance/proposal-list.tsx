"use client";
// Proposal list with state chips and filters (state, tier, market, title search); live through proposal.events.
import Link from "next/link";
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { PROPOSAL_STATES, type ProposalState } from "@/lib/governance/state-machine";
import { useTRPC } from "@/components/trpc";
import { shortAddress } from "@/components/format";
import { StateChip, TierChip } from "./chips";
import { STATE_LABELS, formatTime } from "./format";

export function ProposalList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [states, setStates] = useState<ProposalState[]>([]);
  const [tier, setTier] = useState<"" | "minor" | "major">("");
  const [market, setMarket] = useState("");
  const [search, setSearch] = useState("");
  const input = { ...(states.length ? { states } : {}), ...(tier ? { tier } : {}), ...(market ? { market } : {}), ...(search ? { search } : {}) };
  const list = useQuery(trpc.proposal.list.queryOptions(input));
  const markets = useQuery(trpc.markets.list.queryOptions());
  useSubscription(trpc.proposal.events.subscriptionOptions({}, { onData: () => void queryClient.invalidateQueries({ queryKey: trpc.proposal.list.queryKey() }) }));

  const toggle = (state: ProposalState) => setStates((current) => (current.includes(state) ? current.filter((s) => s !== state) : [...current, state]));

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2 text-xs" data-testid="proposal-filters">
        {PROPOSAL_STATES.map((state) => (
          <button
            key={state}
            onClick={() => toggle(state)}
            className={`rounded-full border px-2 py-0.5 ${states.includes(state) ? "border-emerald-500 bg-emerald-900/40 text-emerald-200" : "border-slate-700 text-slate-400 hover:text-white"}`}
            data-testid={`filter-state-${state}`}
          >
            {STATE_LABELS[state]}
          </button>
        ))}
        <select value={tier} onChange={(e) => setTier(e.target.value as typeof tier)} className="rounded border border-slate-700 bg-slate-900 px-2 py-1">
          <option value="">any tier</option>
          <option value="minor">minor</option>
          <option value="major">major</option>
        </select>
        <select value={market} onChange={(e) => setMarket(e.target.value)} className="rounded border border-slate-700 bg-slate-900 px-2 py-1">
          <option value="">any market</option>
          {(markets.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.id}
            </option>
          ))}
        </select>
        <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="search titles" className="rounded border border-slate-700 bg-slate-900 px-2 py-1" />
      </div>
      {list.isLoading ? (
        <p className="text-slate-400">Loading proposals…</p>
      ) : list.error ? (
        <p className="text-red-400">Cannot load proposals: {list.error.message}</p>
      ) : (list.data?.items.length ?? 0) === 0 ? (
        <p className="text-slate-400">No proposals match.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-800">
          <table className="w-full text-sm" data-testid="proposal-table">
            <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
              <tr>
                <th className="px-3 py-2">#</th>
                <th className="px-3 py-2">Title</th>
                <th className="px-3 py-2">State</th>
                <th className="px-3 py-2">Tier</th>
                <th className="px-3 py-2">Markets</th>
                <th className="px-3 py-2">Proposer</th>
                <th className="px-3 py-2 text-right">Votes</th>
                <th className="px-3 py-2">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data!.items.map((item) => (
                <tr key={item.id} className="border-t border-slate-800" data-testid={`proposal-row-${item.number}`}>
                  <td className="num px-3 py-2 text-slate-400">{item.number}</td>
                  <td className="px-3 py-2">
                    <Link href={`/proposals/${item.id}`} className="text-emerald-300 hover:underline">
                      {item.title}
                    </Link>
                  </td>
                  <td className="px-3 py-2">
                    <StateChip state={item.state} />
                  </td>
                  <td className="px-3 py-2">
                    <TierChip tier={item.tier} />
                  </td>
                  <td className="px-3 py-2 text-xs">{item.markets.join(", ")} <span className="text-slate-500">({item.changeCount} changes)</span></td>
                  <td className="px-3 py-2 font-mono text-xs">{shortAddress(item.proposer)}</td>
                  <td className="num px-3 py-2 text-right">{item.votes}</td>
                  <td className="px-3 py-2 text-xs text-slate-400">{formatTime(item.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
