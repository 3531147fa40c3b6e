// Demo markets with dYdX-style parameter sets (dYdX v4 liquidity tiers: large-cap, mid-cap,
// long-tail; https://docs.dydx.exchange/concepts/trading/margin). Reference prices are the demo
// simulator's starting points.
import type { MarketParams } from "../../lib/risk/types";

export type DemoMarket = { id: string; name: string; tier: "major" | "mid" | "long-tail"; startPrice: number; params: MarketParams };

const cascadeFor = (dailyVolatility: number, dailyVolumeUsd: number) => ({
  dailyVolatility,
  dailyVolumeUsd,
  impactCoefficient: 1,
  permanentImpactShare: 0.5,
});

export const DEMO_MARKETS: DemoMarket[] = [
  {
    id: "BTC-USD",
    name: "Bitcoin",
    tier: "major",
    startPrice: 97_000,
    params: {
      initialMarginFraction: 0.05,
      maintenanceMarginFraction: 0.03,
      // Binance-style ladder (maintenance amount keeps it continuous in notional).
      maintenanceTiers: [
        { notionalFloor: 0, maintenanceMarginFraction: 0.025 },
        { notionalFloor: 1_000_000, maintenanceMarginFraction: 0.03 },
        { notionalFloor: 5_000_000, maintenanceMarginFraction: 0.04 },
      ],
      liquidationPenalty: 0.01,
      // z99 · 55 % · √(4 h / 8766 h) = 2.73 %: below the 3 % maintenance.
      volatilityMargin: { annualVolatility: 0.55, z: 2.326348, horizonHours: 4 },
      openInterestScaling: { openInterestNotional: 180_000_000, lowerCap: 500_000_000, upperCap: 1_000_000_000 },
      cascade: cascadeFor(0.03, 2_000_000_000),
    },
  },
  {
    id: "ETH-USD",
    name: "Ether",
    tier: "major",
    startPrice: 3_400,
    params: {
      initialMarginFraction: 0.05,
      maintenanceMarginFraction: 0.03,
      liquidationPenalty: 0.01,
      // z99 · 70 % · √(4/8766) = 3.48 % > 3 %: the floor binds, and the volatility recommendation shows it.
      volatilityMargin: { annualVolatility: 0.7, z: 2.326348, horizonHours: 4 },
      openInterestScaling: { openInterestNotional: 90_000_000, lowerCap: 500_000_000, upperCap: 1_000_000_000 },
      cascade: cascadeFor(0.04, 900_000_000),
    },
  },
  {
    id: "SOL-USD",
    name: "Solana",
    tier: "mid",
    startPrice: 190,
    params: {
      initialMarginFraction: 0.1,
      maintenanceMarginFraction: 0.05,
      liquidationPenalty: 0.02,
      volatilityMargin: { annualVolatility: 0.9, z: 2.326348, horizonHours: 4 },
      openInterestScaling: { openInterestNotional: 30_000_000, lowerCap: 40_000_000, upperCap: 80_000_000 },
      cascade: cascadeFor(0.05, 250_000_000),
    },
  },
  {
    id: "LINK-USD",
    name: "Chainlink",
    tier: "mid",
    startPrice: 22,
    params: {
      initialMarginFraction: 0.1,
      maintenanceMarginFraction: 0.05,
      liquidationPenalty: 0.02,
      volatilityMargin: { annualVolatility: 0.95, z: 2.326348, horizonHours: 4 },
      cascade: cascadeFor(0.055, 40_000_000),
    },
  },
  {
    id: "WIF-USD",
    name: "dogwifhat",
    tier: "long-tail",
    startPrice: 2.1,
    params: {
      initialMarginFraction: 0.2,
      maintenanceMarginFraction: 0.1,
      liquidationPenalty: 0.03,
      volatilityMargin: { annualVolatility: 1.6, z: 2.326348, horizonHours: 4 },
      openInterestScaling: { openInterestNotional: 12_000_000, lowerCap: 10_000_000, upperCap: 20_000_000 },
      cascade: cascadeFor(0.09, 15_000_000),
    },
  },
];
