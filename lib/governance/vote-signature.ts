// A vote is an EIP-712 signature (https://eips.ethereum.org/EIPS/eip-712), stored with the vote so
// anyone can verify it later from public data alone.
//
// Domain: {name: "Riskwarden", version: "1", chainId}. No verifyingContract: votes are verified
// off-chain by Riskwarden and by anyone auditing it; chainId keeps a signature for one deployment
// (chain) from being replayed on another.
//
// Type (chosen here, documented in the README of the API):
//   Vote(string proposalId,uint8 choice,uint256 power,bytes32 powerSnapshot,bytes32 reasonHash)
// - proposalId: Riskwarden's proposal id (a string: ids are not uint256 on-chain ids);
// - choice: GovernorBravo's support values 0 = Against, 1 = For, 2 = Abstain (OpenZeppelin
//   `COUNTING_MODE` "support=bravo");
// - power: the voter's frozen power for this proposal, so the signature also records what the voter
//   was shown;
// - powerSnapshot: bytes32 identifying the frozen snapshot (voting-power.ts), binding the vote to
//   that snapshot: a vote signed against another snapshot does not verify;
// - reasonHash: keccak256 of the UTF-8 reason ("" when none), as OpenZeppelin's
//   `castVoteWithReasonAndParamsBySig` keeps the reason out of the fixed-size struct by hashing it.
import { hashTypedData, keccak256, recoverTypedDataAddress, stringToBytes, verifyTypedData, type Hex } from "viem";
import { VOTE_CHOICES, type VoteChoice } from "./tally";

export const VOTE_DOMAIN_NAME = "Riskwarden";
export const VOTE_DOMAIN_VERSION = "1";

export const VOTE_TYPES = {
  Vote: [
    { name: "proposalId", type: "string" },
    { name: "choice", type: "uint8" },
    { name: "power", type: "uint256" },
    { name: "powerSnapshot", type: "bytes32" },
    { name: "reasonHash", type: "bytes32" },
  ],
} as const;

export interface VoteMessageInput {
  proposalId: string;
  choice: VoteChoice;
  power: bigint;
  powerSnapshot: Hex;
  /** Optional free-text reason; its hash is signed, the text is stored beside the vote. */
  reason?: string;
  chainId: number;
}

export function voteDomain(chainId: number) {
  return { name: VOTE_DOMAIN_NAME, version: VOTE_DOMAIN_VERSION, chainId } as const;
}

/** keccak256 of the UTF-8 reason; the empty string when there is none. */
export function reasonHash(reason: string | undefined): Hex {
  return keccak256(stringToBytes(reason ?? ""));
}

/** GovernorBravo support value of a choice. */
export function choiceToUint8(choice: VoteChoice): number {
  return VOTE_CHOICES.indexOf(choice);
}

/** The typed data a wallet signs (`signTypedData(voteTypedData(...))`). */
export function voteTypedData(input: VoteMessageInput) {
  return {
    domain: voteDomain(input.chainId),
    types: VOTE_TYPES,
    primaryType: "Vote" as const,
    message: {
      proposalId: input.proposalId,
      choice: choiceToUint8(input.choice),
      power: input.power,
      powerSnapshot: input.powerSnapshot,
      reasonHash: reasonHash(input.reason),
    },
  };
}

/** The EIP-712 digest (what is actually signed): stored with the vote as its receipt id. */
export function voteDigest(input: VoteMessageInput): Hex {
  return hashTypedData(voteTypedData(input));
}

/** True when `signature` over these exact fields was made by `voter` (ECDSA; EOAs). */
export async function verifyVoteSignature(input: VoteMessageInput & { voter: Hex; signature: Hex }): Promise<boolean> {
  try {
    return await verifyTypedData({ ...voteTypedData(input), address: input.voter, signature: input.signature });
  } catch {
    // A malformed signature is simply not a valid one.
    return false;
  }
}

/** The address that signed these fields (to show who a stored vote belongs to). */
export async function recoverVoter(input: VoteMessageInput & { signature: Hex }): Promise<Hex> {
  return recoverTypedDataAddress({ ...voteTypedData(input), signature: input.signature });
}
