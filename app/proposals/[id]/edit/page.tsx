import { EditProposal } from "@/components/governance/edit-proposal";

export default async function EditProposalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EditProposal proposalId={id} />;
}
