// Calls every procedure of the app router with every role and asserts exactly who is refused:
// anonymous → UNAUTHORIZED on any non-public tier; a signed-in user without the tier's role → FORBIDDEN;
// everyone else gets past authorisation (the call may still fail later, on input or on the stub database).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { TRPCError } from "@trpc/server";
import { appRouter } from "./root";
import { createCallerFactory, type Context, type ProcedureMeta } from "./init";
import type { Role } from "../auth/roles";

type Caller = { label: string; roles: Role[] | null };
const callers: Caller[] = [
  { label: "anonymous", roles: null },
  { label: "holder", roles: ["holder"] },
  { label: "committee", roles: ["holder", "committee"] },
  { label: "oncall", roles: ["holder", "oncall"] },
  { label: "admin", roles: ["holder", "admin"] },
];

/** Anything a procedure touches after authorisation fails loudly and recognisably. */
const unavailable: unknown = new Proxy(() => {}, {
  get: (_target, property) => (property === "then" ? undefined : unavailable),
  apply: () => {
    throw new Error("stub: no database in the authorisation test");
  },
});

function contextFor(caller: Caller): Context {
  return {
    db: unavailable as Context["db"],
    runtime: unavailable as Context["runtime"],
    user: caller.roles ? { address: "0x00000000000000000000000000000000000000a1", roles: caller.roles } : null,
  };
}

function expectedRefusal(tier: ProcedureMeta["tier"], caller: Caller): "UNAUTHORIZED" | "FORBIDDEN" | null {
  if (tier === "public") return null;
  if (!caller.roles) return "UNAUTHORIZED";
  if (tier === "holder") return null;
  return caller.roles.includes(tier) ? null : "FORBIDDEN";
}

async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    const result = await call();
    if (result && typeof result === "object" && Symbol.asyncIterator in result) {
      const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await Promise.race([iterator.next(), new Promise((resolve) => setTimeout(resolve, 50))]);
      await iterator.return?.();
    }
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "ERROR";
  }
}

const createCaller = createCallerFactory(appRouter);
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta; type: string } }>);

describe("procedure tiers", () => {
  beforeAll(() => {
    // Calls that pass authorisation hit the stub database and are logged as internal errors.
    vi.spyOn(console, "error").mockImplementation(() => {});
  });

  it("covers the whole router", () => {
    expect(procedures.length).toBeGreaterThan(2);
  });

  for (const [path, procedure] of procedures) {
    const tier = procedure._def.meta?.tier ?? "public";
    it(`${path} (${tier})`, async () => {
      for (const caller of callers) {
        const api = createCaller(contextFor(caller)) as unknown as Record<string, unknown>;
        const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as (input?: unknown) => Promise<unknown>;
        const result = await outcome(() => fn({}));
        const refusal = expectedRefusal(tier, caller);
        if (refusal) expect(result, `${caller.label} calling ${path}`).toBe(refusal);
        else expect(["UNAUTHORIZED", "FORBIDDEN"], `${caller.label} calling ${path}`).not.toContain(result);
      }
    });
  }
});
