// What every governance service needs besides the database: the settings in force, the governance
// clock (injectable, offset in demo mode), the impact previewer, the chain id votes are signed for,
// and where events go after commit (bus, and the webhook outbox inside the transaction).
import type { GovernanceSettings } from "../../../lib/governance";
import type { ParamChange } from "../../../lib/governance";
import type { Db, Tx } from "../../db";
import type { StoredPreview, PreviewWithDetail } from "./preview";
import type { Erc20VotesReader } from "./voting-power";

export type ProposalBusEvent = { type: string; proposalId: string; at: number; data?: Record<string, unknown> };
export type ParamsActivatedEvent = { market: string; version: number; parameterSetId: number; at: number };

/** A governance event for webhooks: `id` is the idempotency key of this occurrence. */
export type OutboxEvent = { type: string; id: string; data: Record<string, unknown>; summary?: string; labels?: Record<string, string> };

export interface GovernanceContext {
  /** Settings in force (defaults ← config `governance:` ← run-time overrides such as the steward pause). */
  settings(db: Db | Tx): Promise<GovernanceSettings>;
  /** Governance time in epoch ms (wall clock plus the demo offset). */
  nowMs(): number;
  /** Impact of `changes` on the active positions snapshot; null when no snapshot is loaded. */
  preview(db: Db, changes: readonly ParamChange[]): Promise<PreviewWithDetail | null>;
  chainId: number;
  demo: boolean;
  /** ERC20Votes power source, when RPC_URL and governance.votingToken are configured. */
  erc20Votes?: Erc20VotesReader;
  /** Called after commit. */
  publishProposalEvent(event: ProposalBusEvent): void;
  publishParamsActivated(event: ParamsActivatedEvent): void;
  /** Called inside the transaction that makes the change (transactional outbox for webhooks). */
  enqueueOutboxEvent(tx: Tx, event: OutboxEvent): Promise<void>;
}

export type { StoredPreview };
