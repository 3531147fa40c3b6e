// The snapshots page's upload (app/api/snapshots/import/route.ts): a positions snapshot file as the
// raw request body, read as a stream up to the API's limit (no JSON envelope around 100 MB of
// text), options in the query string: ?format=auto|book|csv|dydx|hyperliquid&label=…&activate=1.
// The import itself is the `risk.importSnapshot` procedure, called in-process with the request's
// context: the same tier (read from the procedure, checked before the body is read), validation,
// audit row and `snapshot.activated`. Errors answer as tRPC's HTTP errors do: status from the
// code, `issues` with the file's line or JSON path and the reason.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import { AppError } from "../errors";
import { createCallerFactory, type Context, type ProcedureMeta } from "./init";
import { appRouter } from "./root";
import { detectSnapshotFormat, snapshotFormats } from "../services/positions/snapshot-formats";

/** What risk.importSnapshot accepts (characters; UTF-8 bytes are at least as many). */
export const MAX_UPLOAD_BYTES = 200_000_000;

const importTier = (appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>)["risk.importSnapshot"]._def.meta?.tier ?? "public";
const createCaller = createCallerFactory(appRouter);

type Issue = { path: string; reason: string };

function refuse(status: number, code: string, error: string, issues: Issue[] | null = null): Response {
  return Response.json({ error, code, issues }, { status });
}

/** The body as UTF-8 text, or null when it is longer than `limit` bytes (stops reading there). */
async function readBody(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, bytes).toString("utf8");
}

export async function handleSnapshotUpload(request: Request, context: Context): Promise<Response> {
  if (!context.user) return refuse(401, "UNAUTHORIZED", "Sign in first");
  if (importTier !== "public" && importTier !== "holder" && !context.user.roles.includes(importTier)) return refuse(403, "FORBIDDEN", `This needs the ${importTier} role`);
  const query = new URL(request.url).searchParams;
  const requested = query.get("format") ?? "auto";
  if (requested !== "auto" && !(snapshotFormats as readonly string[]).includes(requested)) {
    return refuse(400, "BAD_REQUEST", `format: expected auto or one of ${snapshotFormats.join(", ")}, got ${JSON.stringify(requested)}`, [{ path: "format", reason: `expected auto or one of ${snapshotFormats.join(", ")}, got ${JSON.stringify(requested)}` }]);
  }
  const content = await readBody(request, MAX_UPLOAD_BYTES);
  if (content === null) return refuse(413, "PAYLOAD_TOO_LARGE", `file: expected at most ${MAX_UPLOAD_BYTES / 1e6} MB (use \`riskwarden import\` for larger files)`, [{ path: "file", reason: `expected at most ${MAX_UPLOAD_BYTES / 1e6} MB (use \`riskwarden import\` for larger files)` }]);
  if (content.trim() === "") return refuse(400, "BAD_REQUEST", "file: expected a snapshot file, got an empty one", [{ path: "file", reason: "expected a snapshot file, got an empty one" }]);
  const format = requested === "auto" ? detectSnapshotFormat(content) : (requested as (typeof snapshotFormats)[number]);
  if (!format) {
    const reason = "expected BOOK.json, dYdX v4 indexer responses (perpetualMarkets) or Hyperliquid clearinghouseState, got JSON with none of their keys: choose the format";
    return refuse(400, "BAD_REQUEST", `format: ${reason}`, [{ path: "format", reason }]);
  }
  const label = query.get("label")?.trim() || undefined;
  const activate = query.get("activate") === "1" || query.get("activate") === "true";
  try {
    const result = await createCaller(context).risk.importSnapshot({ format, content, label, activate });
    return Response.json({ ...result, detectedFormat: requested === "auto" ? format : undefined });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const cause = error.cause;
    // As the tRPC error formatter (server/trpc/init.ts) flattens them: AppError issues, else zod's.
    const issues: Issue[] | null =
      cause instanceof AppError ? (cause.issues ?? null) : cause instanceof z.ZodError ? cause.issues.map((issue) => ({ path: issue.path.join("."), reason: issue.message })) : null;
    return refuse(getHTTPStatusCodeFromError(error), error.code, error.message, issues);
  }
}
