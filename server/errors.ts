// One error type for the application, mapped to tRPC/HTTP codes in one place (server/trpc/init.ts).
export type AppErrorCode =
  | "BAD_REQUEST" // invalid input: carries the field and reason
  | "UNAUTHORIZED" // not signed in
  | "FORBIDDEN" // signed in, role missing
  | "NOT_FOUND"
  | "CONFLICT" // state changed underneath (race lost, wrong state)
  | "PRECONDITION_FAILED" // e.g. timelock not elapsed
  | "TOO_MANY_REQUESTS"
  | "INTERNAL";

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  /** For invalid input: which field and why, as forms show it. */
  readonly issues?: { path: string; reason: string }[];

  constructor(code: AppErrorCode, userMessage: string, options: { issues?: { path: string; reason: string }[]; cause?: unknown; internal?: string } = {}) {
    super(options.internal ?? userMessage, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
    this.issues = options.issues;
  }
}

/** Invalid input with the offending field(s): "changes.ETH-USD.maintenanceMarginFraction: must be below …". */
export function invalidInput(issues: { path: string; reason: string }[]): AppError {
  const first = issues[0];
  const message = first ? `${first.path}: ${first.reason}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}` : "invalid input";
  return new AppError("BAD_REQUEST", message, { issues });
}
