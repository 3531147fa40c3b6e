// tRPC initialisation: context, the error map, and the procedure tiers
// (public, holder, committee, oncall, admin). Each tier narrows `ctx.user` so no `!` is needed downstream.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { AppError, type AppErrorCode } from "../errors";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Role, SessionUser } from "../auth/roles";
import type { Runtime } from "../runtime-types";

export type Context = {
  db: PrismaClient;
  runtime: Runtime;
  user: SessionUser | null;
};

const codeMap: Record<AppErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** Procedure metadata: the tier, so tests and docs can list who may call what. */
export type ProcedureMeta = { tier: "public" | Role };

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  defaultMeta: { tier: "public" },
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    // zod errors flattened for forms (create-t3-app's formatter); AppError issues passed through.
    const zodIssues = cause instanceof z.ZodError ? cause.issues.map((issue) => ({ path: issue.path.join("."), reason: issue.message })) : undefined;
    const appIssues = cause instanceof AppError ? cause.issues : undefined;
    return { ...shape, data: { ...shape.data, issues: appIssues ?? zodIssues ?? null, stack: undefined } };
  },
});

/** Maps AppError to TRPCError; hides unknown errors behind a generic message and logs them. */
const errorMapper = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: codeMap[cause.code], message: cause.userMessage, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof z.ZodError)) {
      console.error(`[trpc] ${path} failed:`, cause ?? result.error);
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error" });
    }
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorMapper);

function requireRole(role: Role | null) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
    if (role && role !== "holder" && !ctx.user.roles.includes(role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${role} role` });
    }
    return next({ ctx: { ...ctx, user: ctx.user } });
  });
}

export const holderProcedure = publicProcedure.meta({ tier: "holder" }).use(requireRole("holder"));
export const committeeProcedure = publicProcedure.meta({ tier: "committee" }).use(requireRole("committee"));
export const oncallProcedure = publicProcedure.meta({ tier: "oncall" }).use(requireRole("oncall"));
export const adminProcedure = publicProcedure.meta({ tier: "admin" }).use(requireRole("admin"));
