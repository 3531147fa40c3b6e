import Link from "next/link";
import { ProposalList } from "@/components/governance/proposal-list";

export default function ProposalsPage() {
  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Proposals</h1>
          <p className="text-sm text-slate-400">Risk-parameter changes: committee review, token vote, timelock, execution into a new parameter-set version.</p>
        </div>
        <Link href="/proposals/steward" className="ml-auto text-sm text-slate-300 hover:text-white" data-testid="steward-link">
          Steward
        </Link>
        <Link href="/proposals/voting-power" className="text-sm text-slate-300 hover:text-white">
          Voting power
        </Link>
        <Link href="/proposals/new" className=" rounded bg-emerald-600 px-3 py-1 text-sm text-white hover:bg-emerald-500" data-testid="new-proposal">
          New proposal
        </Link>
      </div>
      <ProposalList />
    </div>
  );
}
