"use client";
// Proposal page: header, timing, next action, diff table with tier reasons, impact (what the
// committee saw vs now, with charts), tally, voter's power, votes, reviews and timeline. Live:
// proposal.events invalidates the page's queries.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc";
import { shortAddress } from "@/components/format";
import { StateChip, TierChip } from "./chips";
import { formatDuration, formatPower, formatTime, formatValue, powerShare } from "./format";
import { ImpactCharts, ImpactSummary } from "./impact";
import { DemoClock, ProposalActions } from "./proposal-actions";
import type { ProposalDetail as Detail, StoredPreviewSummary } from "./types";

function Timing({ detail }: { detail: Detail }) {
  const p = detail.proposal;
  const now = detail.nowMs;
  const rel = (ms: number | undefined) => (ms === undefined ? "" : ms > now ? ` (in ${formatDuration(ms - now)})` : ` (${formatDuration(now - ms)} ago)`);
  const rows: [string, number | undefined][] = [
    ["Created", p.createdAtMs],
    ["Submitted", p.submittedAtMs],
    ["Voting opens", p.voteStartMs],
    ["Voting closes", p.deadlineMs],
    ["Executable from", p.executableAtMs],
    ["Expires", p.expiresAtMs],
    ["Executed", p.executedAtMs],
    ["Canceled", p.canceledAtMs],
  ];
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
      {rows
        .filter(([, ms]) => ms !== undefined)
        .map(([label, ms]) => (
          <div key={label} className="contents">
            <dt className="text-slate-400">{label}</dt>
            <dd className="num">
              {formatTime(ms)}
              <span className="text-slate-500">{rel(ms)}</span>
              {label === "Voting closes" && p.deadlineMs !== p.voteEndMs ? <span className="ml-1 text-amber-300">extended (late quorum)</span> : null}
            </dd>
          </div>
        ))}
    </dl>
  );
}

function Tally({ detail }: { detail: Detail }) {
  const tally = detail.tally;
  const total = detail.proposal.totalVotingPower ? BigInt(detail.proposal.totalVotingPower) : 0n;
  if (!tally) return null;
  const bar = (value: bigint, color: string) => <div className={color} style={{ width: total === 0n ? 0 : `${Number((value * 10_000n) / total) / 100}%` }} />;
  return (
    <div className="space-y-1 text-xs" data-testid="tally">
      <div className="flex h-3 overflow-hidden rounded bg-slate-800">
        {bar(tally.forPower, "bg-emerald-500")}
        {bar(tally.againstPower, "bg-rose-500")}
        {bar(tally.abstainPower, "bg-slate-400")}
      </div>
      <div className="num flex flex-wrap gap-3">
        <span className="text-emerald-300" data-testid="tally-for">For {formatPower(tally.forPower)}</span>
        <span className="text-rose-300">Against {formatPower(tally.againstPower)}</span>
        <span className="text-slate-300">Abstain {formatPower(tally.abstainPower)}</span>
        <span className="text-slate-400">of {formatPower(total)} frozen</span>
      </div>
      <div className="num text-slate-400">
        quorum {formatPower(tally.quorumPower)} ({detail.level.quorumBps / 100} %): {tally.quorumReached ? "reached" : "not yet"} · differential {formatPower(tally.differentialPower)} ({detail.level.voteDifferentialBps / 100} %):{" "}
        {tally.differentialReached ? "reached" : "not yet"} · {tally.passed ? <span className="text-emerald-300">passing</span> : <span className="text-rose-300">not passing</span>}
      </div>
    </div>
  );
}

function VoterPower({ proposalId }: { proposalId: string }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const power = useQuery({ ...trpc.votingPower.get.queryOptions({ proposalId }), enabled: Boolean(me.data) });
  if (!me.data || !power.data) return null;
  const b = power.data.breakdown;
  return (
    <div className="text-xs text-slate-300" data-testid="voter-power">
      Your power {power.data.frozen ? "(frozen for this proposal)" : "(latest snapshot; frozen when voting opens)"}: <span className="num font-semibold">{formatPower(b.totalPower)}</span> ·{" "}
      {powerShare(b.totalPower, power.data.totalPower)} of the total
      {b.parts.map((part) => (
        <span key={part.source.id} className="ml-2 text-slate-500">
          {part.source.label}: {formatPower(part.power)}
        </span>
      ))}
    </div>
  );
}

/** The preview stored on the last transition of one of `events` (what that audience judged). */
function judgedPreview(detail: Detail, events: string[]): { preview: StoredPreviewSummary; event: string } | null {
  const judged = [...detail.transitions].reverse().find((t) => t.preview && events.includes(t.event ?? ""));
  return judged ? { preview: judged.preview as unknown as StoredPreviewSummary, event: judged.event ?? "" } : null;
}

export function ProposalDetail({ proposalId }: { proposalId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.proposal.get.queryOptions({ proposalId }));
  const votes = useQuery(trpc.vote.list.queryOptions({ proposalId, verify: true }));
  const now = useQuery(trpc.proposal.preview.queryOptions({ proposalId }));
  useSubscription(
    trpc.proposal.events.subscriptionOptions(
      { proposalId },
      {
        onData: () => {
          void queryClient.invalidateQueries({ queryKey: trpc.proposal.get.queryKey({ proposalId }) });
          void queryClient.invalidateQueries({ queryKey: trpc.vote.list.queryKey() });
        },
      },
    ),
  );
  if (detail.isLoading) return <p className="text-slate-400">Loading proposal…</p>;
  if (detail.error || !detail.data) return <p className="text-red-400">Cannot load the proposal: {detail.error?.message}</p>;
  const d = detail.data;
  const p = d.proposal;
  // The committee judged the last approval (or the submission); voters the preview frozen when voting opened.
  const judged = judgedPreview(d, ["proposal.approved", "proposal.submitted"]);
  const executed = p.state === "Executed";
  return (
    <div className="space-y-5" data-testid="proposal-detail" data-state={p.state}>
      <DemoClock />
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="text-2xl font-semibold">
          <span className="text-slate-500">#{d.number}</span> {p.title}
        </h1>
        <StateChip state={p.state} />
        <TierChip tier={p.tier} />
      </div>
      <div className="text-xs text-slate-400">
        by <span className="font-mono">{shortAddress(p.proposer)}</span> · revision {d.revision} · committee {p.approvals.length}/{d.committee.approvalsRequired} approvals
        {p.cancelReason ? <span className="ml-2 text-rose-300">{p.vetoed ? "vetoed" : "canceled"}: {p.cancelReason}</span> : null}
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <Timing detail={d} />
        <ProposalActions detail={d} />
      </div>

      <section>
        <h2 className="mb-1 text-sm uppercase text-slate-400">Changes</h2>
        <table className="w-full text-sm [&_td]:px-2 [&_td]:py-1 [&_th]:px-2" data-testid="diff-table">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th>Market</th>
              <th>Parameter</th>
              <th className="text-right">Active</th>
              <th className="text-right">Proposed</th>
              <th>Tier</th>
            </tr>
          </thead>
          <tbody>
            {d.classification.changes.map((change, i) => (
              <tr key={i} className="border-t border-slate-800">
                <td>{change.market}</td>
                <td className="font-mono text-xs">{change.path}</td>
                <td className="num text-right text-slate-400">{formatValue(change.from)}</td>
                <td className="num text-right">{formatValue(change.to)}</td>
                <td className="text-xs">
                  <TierChip tier={change.tier} /> <span className="text-slate-500">{change.reason}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.rationaleMarkdown ? <div className="mt-2 whitespace-pre-wrap rounded border border-slate-800 p-2 text-sm text-slate-300">{p.rationaleMarkdown}</div> : null}
      </section>

      <section className="space-y-3">
        <h2 className="text-sm uppercase text-slate-400">Impact on open positions</h2>
        <div className="grid gap-4 md:grid-cols-2">
          {judged ? <ImpactSummary preview={judged.preview} title={`What the committee saw (${judged.event.replace("proposal.", "")})`} /> : <p className="text-xs text-slate-500">No stored preview yet.</p>}
          {executed ? (
            <p className="text-sm text-emerald-300" data-testid="executed-versions">
              Executed: now the active parameters ({d.executedVersions.map((v) => `${v.marketId} v${v.version}${v.active ? "" : ", since superseded"}`).join(", ")}).
            </p>
          ) : now.data?.preview ? (
            <ImpactSummary preview={now.data.preview} title="Now (current snapshot and active parameters)" />
          ) : (
            <p className="text-xs text-slate-500">{now.data?.issues.length ? `Not applicable to the active set now: ${now.data.issues[0].reason}` : "Computing…"}</p>
          )}
        </div>
        {!executed && now.data?.preview ? <ImpactCharts preview={now.data.preview} /> : null}
      </section>

      {d.tally ? (
        <section className="space-y-2">
          <h2 className="text-sm uppercase text-slate-400">Vote</h2>
          <Tally detail={d} />
          <VoterPower proposalId={proposalId} />
          <table className="w-full text-sm [&_td]:px-2 [&_td]:py-1 [&_th]:px-2" data-testid="votes-table">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th>Voter</th>
                <th>Choice</th>
                <th className="text-right">Power</th>
                <th>Reason</th>
                <th>Signature</th>
                <th>Cast</th>
              </tr>
            </thead>
            <tbody>
              {(votes.data ?? []).map((vote) => (
                <tr key={vote.voter} className="border-t border-slate-800" data-testid="vote-row">
                  <td className="font-mono text-xs">{shortAddress(vote.voter)}</td>
                  <td className={vote.choice === "for" ? "text-emerald-300" : vote.choice === "against" ? "text-rose-300" : "text-slate-300"}>{vote.choice}</td>
                  <td className="num text-right">{formatPower(vote.power)}</td>
                  <td className="text-xs text-slate-300">{vote.reason ?? ""}</td>
                  <td className="text-xs" title={vote.signature}>
                    {vote.verified === true ? <span className="text-emerald-300">EIP-712 ✓</span> : vote.verified === false ? <span className="text-rose-300">invalid</span> : "—"}
                  </td>
                  <td className="text-xs text-slate-400">{formatTime(vote.castAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <div className="grid gap-4 md:grid-cols-2">
        <section>
          <h2 className="mb-1 text-sm uppercase text-slate-400">Committee reviews</h2>
          {d.reviews.length === 0 ? <p className="text-xs text-slate-500">None yet.</p> : null}
          <ul className="space-y-1 text-xs" data-testid="reviews">
            {d.reviews.map((review) => (
              <li key={review.id}>
                <span className="font-mono">{shortAddress(review.reviewer)}</span>{" "}
                <span className={review.decision === "approve" ? "text-emerald-300" : review.decision === "veto" ? "text-rose-300" : "text-amber-300"}>{review.decision.replace("_", " ")}</span> on revision {review.revision}
                {review.comment ? <span className="text-slate-400">: {review.comment}</span> : null}
              </li>
            ))}
          </ul>
        </section>
        <section>
          <h2 className="mb-1 text-sm uppercase text-slate-400">Timeline</h2>
          <ol className="space-y-1 text-xs" data-testid="timeline">
            {d.transitions.map((t) => {
              const summary = (t.preview as unknown as StoredPreviewSummary | null)?.summary;
              return (
                <li key={t.id} className="flex flex-wrap gap-x-2">
                  <span className="num text-slate-500">{formatTime(t.at)}</span>
                  <span>{(t.event ?? t.toState).replace("proposal.", "")}</span>
                  {t.fromState !== t.toState ? <span className="text-slate-400">{t.fromState ?? "—"} → {t.toState}</span> : null}
                  <span className="font-mono text-slate-500">{t.actor === "system" ? "scheduler" : shortAddress(t.actor)}</span>
                  {t.reason ? <span className="text-slate-300">“{t.reason}”</span> : null}
                  {summary ? <span className="text-slate-500">judged on: {summary.newlyLiquidatable} newly liquidatable</span> : null}
                </li>
              );
            })}
          </ol>
        </section>
      </div>
    </div>
  );
}
