import { describe, expect, it } from "vitest";
import {
  erc20VotesSnapshotHash,
  frozenPowerHash,
  importedSnapshotHash,
  normaliseAddress,
  parsePowerSnapshotCsv,
  parsePowerSnapshotJson,
  powerBreakdown,
  type PowerSource,
} from "./voting-power";

// Anvil default accounts #0..#2 (public test addresses) and their EIP-55 forms.
const A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const A1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const A2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("normaliseAddress", () => {
  it.each([
    { raw: A0.toLowerCase(), expected: { address: A0 } },
    { raw: A0.toUpperCase().replace("0X", "0x"), expected: { address: A0 } },
    { raw: A0, expected: { address: A0 } },
    // last hex digit changed in a mixed-case address: checksum no longer matches
    { raw: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267", expected: { reason: expect.stringMatching(/wrong EIP-55 checksum/) } },
    { raw: "0x123", expected: { reason: expect.stringMatching(/20-byte hex address/) } },
  ])("$raw", ({ raw, expected }) => expect(normaliseAddress(raw)).toEqual(expected));
});

describe("parsePowerSnapshotCsv", () => {
  it("parses with a header, comments and CRLF; checksums addresses; sums power", () => {
    const csv = `address,power\r\n# holders at block 19000000\r\n${A0.toLowerCase()},1000000000000000000000\r\n\r\n"${A1}", 250\r\n`;
    const result = parsePowerSnapshotCsv(csv, { blockNumber: 19_000_000n });
    expect(result).toEqual({
      ok: true,
      snapshot: {
        entries: [
          { address: A0, power: 1_000_000_000_000_000_000_000n },
          { address: A1, power: 250n },
        ],
        totalPower: 1_000_000_000_000_000_000_250n,
        blockNumber: 19_000_000n,
      },
    });
  });

  it("accepts headerless rows and reordered columns", () => {
    expect(parsePowerSnapshotCsv(`${A0},5\n${A1},7`)).toMatchObject({ ok: true, snapshot: { totalPower: 12n } });
    expect(parsePowerSnapshotCsv(`power,label,address\n5,x,${A0}`)).toMatchObject({ ok: true, snapshot: { entries: [{ address: A0, power: 5n }] } });
  });

  it("refuses bad rows and duplicates with line numbers", () => {
    const csv = [`address,power`, `${A0},10`, `${A1},-3`, `0xnotanaddress,1`, `${A0.toUpperCase().replace("0X", "0x")},4`, `${A2},1.5`, `${A2}`].join("\n");
    const result = parsePowerSnapshotCsv(csv);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { line: 3, reason: 'expected a non-negative integer power in the token\'s smallest unit, got "-3"' },
      { line: 4, reason: 'expected a 20-byte hex address (0x + 40 hex digits), got "0xnotanaddress"' },
      { line: 5, reason: `duplicate address ${A0} (first on line 2)` },
      { line: 6, reason: 'expected a non-negative integer power in the token\'s smallest unit, got "1.5"' },
      { line: 7, reason: "expected 2 comma-separated cells, got 1" },
    ]);
  });

  it("refuses an empty file", () => {
    expect(parsePowerSnapshotCsv("address,power\n")).toEqual({ ok: false, issues: [{ reason: "the snapshot has no rows" }] });
  });
});

describe("parsePowerSnapshotJson", () => {
  it("reads the powers map with block and time", () => {
    const json = JSON.stringify({ blockNumber: 19000000, timestamp: "2026-11-01T00:00:00Z", powers: { [A0]: "10", [A1.toLowerCase()]: 20 } }, null, 2);
    expect(parsePowerSnapshotJson(json)).toEqual({
      ok: true,
      snapshot: {
        entries: [
          { address: A0, power: 10n },
          { address: A1, power: 20n },
        ],
        totalPower: 30n,
        blockNumber: 19_000_000n,
        timestampMs: Date.UTC(2026, 10, 1),
      },
    });
  });

  it("reads an entries array", () => {
    const json = JSON.stringify([{ address: A2, power: "3" }]);
    expect(parsePowerSnapshotJson(json)).toMatchObject({ ok: true, snapshot: { entries: [{ address: A2, power: 3n }] } });
  });

  it("finds a repeated key JSON.parse would merge, and bad values, by line", () => {
    const json = `{\n  "powers": {\n    "${A0}": "1",\n    "${A1}": 9007199254740993,\n    "${A0}": "2"\n  }\n}`;
    const result = parsePowerSnapshotJson(json);
    if (result.ok) throw new Error("expected issues");
    expect(result.issues).toEqual([
      { line: 4, reason: expect.stringMatching(/above 2\^53/) },
      { line: 5, reason: `duplicate address ${A0} (first on line 3)` },
    ]);
  });

  it("reports invalid JSON", () => {
    expect(parsePowerSnapshotJson("{")).toMatchObject({ ok: false, issues: [{ reason: expect.stringMatching(/^not valid JSON/) }] });
  });
});

describe("snapshot hashes and breakdown", () => {
  const csv = parsePowerSnapshotCsv(`${A0},600\n${A1},400`, { blockNumber: 100n });
  if (!csv.ok) throw new Error("fixture");
  const snapshot = csv.snapshot;

  it("the imported hash ignores row order and changes with any power", () => {
    const reordered = { ...snapshot, entries: [...snapshot.entries].reverse() };
    expect(importedSnapshotHash(reordered)).toBe(importedSnapshotHash(snapshot));
    const changed = { ...snapshot, entries: [{ ...snapshot.entries[0], power: 601n }, snapshot.entries[1]] };
    expect(importedSnapshotHash(changed)).not.toBe(importedSnapshotHash(snapshot));
    expect(erc20VotesSnapshotHash(1, A2, 100n)).not.toBe(erc20VotesSnapshotHash(1, A2, 101n));
  });

  it("breaks a voter's power down by source", () => {
    const sources: PowerSource[] = [
      { id: "file", kind: "import", label: "Staked (import)", hash: importedSnapshotHash(snapshot), blockNumber: 100n },
      { id: "token", kind: "erc20votes", label: "RWD delegated votes", hash: erc20VotesSnapshotHash(1, A2, 100n), blockNumber: 100n },
    ];
    const token = new Map([[A0 as `0x${string}`, 200n]]);
    // total = 600 + 400 (file) + 200 (token) = 1200; A0 has 800 → 6666 bps of total (rounded down), 7500/2500 of own.
    const breakdown = powerBreakdown(A0.toLowerCase(), sources, { file: snapshot.entries, token }, 1200n);
    expect(breakdown).toMatchObject({ address: A0, totalPower: 800n, shareOfTotalBps: 6666 });
    expect(breakdown.parts.map((p) => [p.source.id, p.power, p.shareOfVoterBps])).toEqual([
      ["file", 600n, 7500],
      ["token", 200n, 2500],
    ]);
    expect(frozenPowerHash("p1", sources)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(frozenPowerHash("p1", sources)).not.toBe(frozenPowerHash("p2", sources));
  });
});
