import { ProposalEditor } from "@/components/governance/proposal-editor";

export default function NewProposalPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">New proposal</h1>
      <ProposalEditor />
    </div>
  );
}
