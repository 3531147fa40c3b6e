// Demo personas: deterministic keys so the demo signs real SIWE messages server-side and the same
// verification path runs. Never used outside demo mode.
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { GrantableRole } from "./roles";

export type DemoPersona = { id: string; label: string; roles: GrantableRole[] };

export const DEMO_PERSONAS: DemoPersona[] = [
  { id: "committee-1", label: "Committee member (Alice)", roles: ["committee"] },
  { id: "committee-2", label: "Committee member (Bob)", roles: ["committee"] },
  { id: "committee-3", label: "Committee member (Carol)", roles: ["committee"] },
  { id: "holder-1", label: "Token holder (Dave)", roles: [] },
  { id: "holder-2", label: "Token holder (Erin)", roles: [] },
  { id: "holder-3", label: "Token holder (Frank)", roles: [] },
  { id: "oncall-1", label: "On-call engineer (Grace)", roles: ["oncall"] },
  { id: "admin-1", label: "Admin (Heidi)", roles: ["admin", "oncall", "committee"] },
];

export function demoAccount(personaId: string) {
  return privateKeyToAccount(keccak256(toHex(`riskwarden-demo:${personaId}`)));
}
