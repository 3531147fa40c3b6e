import { concat, encodeAbiParameters, keccak256, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { recoverVoter, reasonHash, verifyVoteSignature, voteDigest, voteTypedData, type VoteMessageInput } from "./vote-signature";

// Hardhat/Anvil default account #0: a public test key, never funded outside local chains.
const TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;
const account = privateKeyToAccount(TEST_KEY);
const OTHER = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"); // Anvil #1

const VOTE: VoteMessageInput = {
  proposalId: "prop_01JD7",
  choice: "for",
  power: 1_234_567_890_000_000_000_000n,
  powerSnapshot: `0x${"11".repeat(32)}`,
  reason: "Vol is up 40 % on the week",
  chainId: 1,
};

describe("vote typed data", () => {
  it("uses the documented domain and GovernorBravo choice values", () => {
    expect(account.address).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    const typed = voteTypedData(VOTE);
    expect(typed.domain).toEqual({ name: "Riskwarden", version: "1", chainId: 1 });
    expect(typed.message.choice).toBe(1);
    expect(voteTypedData({ ...VOTE, choice: "against" }).message.choice).toBe(0);
    expect(voteTypedData({ ...VOTE, choice: "abstain" }).message.choice).toBe(2);
  });

  it("digest equals EIP-712 computed by hand", () => {
    // EIP-712: digest = keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)).
    const domainTypeHash = keccak256(stringToBytes("EIP712Domain(string name,string version,uint256 chainId)"));
    const domainSeparator = keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }],
        [domainTypeHash, keccak256(stringToBytes("Riskwarden")), keccak256(stringToBytes("1")), 1n],
      ),
    );
    const voteTypeHash = keccak256(stringToBytes("Vote(string proposalId,uint8 choice,uint256 power,bytes32 powerSnapshot,bytes32 reasonHash)"));
    const structHash = keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "bytes32" }, { type: "uint8" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
        [voteTypeHash, keccak256(stringToBytes(VOTE.proposalId)), 1, VOTE.power, VOTE.powerSnapshot, keccak256(stringToBytes(VOTE.reason!))],
      ),
    );
    expect(voteDigest(VOTE)).toBe(keccak256(concat(["0x1901", domainSeparator, structHash])));
  });

  it("hashes the empty reason when there is none", () => {
    // keccak256("") — the well-known empty hash
    expect(reasonHash(undefined)).toBe("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  });
});

describe("verifyVoteSignature", () => {
  it("accepts the signer and recovers them", async () => {
    const signature = await account.signTypedData(voteTypedData(VOTE));
    expect(await verifyVoteSignature({ ...VOTE, voter: account.address, signature })).toBe(true);
    expect(await recoverVoter({ ...VOTE, signature })).toBe(account.address);
  });

  const tampered: { name: string; change: Partial<VoteMessageInput> & { voter?: Hex } }[] = [
    { name: "choice", change: { choice: "against" } },
    { name: "power", change: { power: VOTE.power + 1n } },
    { name: "power snapshot", change: { powerSnapshot: `0x${"22".repeat(32)}` } },
    { name: "reason", change: { reason: "Vol is up 4 % on the week" } },
    { name: "proposal id", change: { proposalId: "prop_01JD8" } },
    { name: "chain id", change: { chainId: 10 } },
    { name: "claimed voter", change: { voter: OTHER.address } },
  ];
  it.each(tampered)("refuses a tampered $name", async ({ change }) => {
    const signature = await account.signTypedData(voteTypedData(VOTE));
    expect(await verifyVoteSignature({ ...VOTE, voter: account.address, signature, ...change })).toBe(false);
  });

  it("refuses a malformed signature without throwing", async () => {
    expect(await verifyVoteSignature({ ...VOTE, voter: account.address, signature: "0x1234" })).toBe(false);
  });
});
