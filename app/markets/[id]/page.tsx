import { MarketRiskView } from "@/components/risk/market-risk";

export default async function MarketRiskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MarketRiskView market={decodeURIComponent(id)} />;
}
