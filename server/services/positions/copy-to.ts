// `COPY (<query>) TO STDOUT` on a node-postgres client, the read-side twin of copy-from.ts: a
// "submittable" collecting the CopyData messages (PostgreSQL frontend/backend protocol, "COPY
// Operations"), then the rows parsed from COPY's text format. Reading a 1M-position snapshot this
// way skips node-postgres's per-row objects and type parsers; works on PostgreSQL and on PGlite's
// socket server alike (COPY TO needs nothing from the client but reading).
import type pg from "pg";

type Connection = { query(text: string): void; sendCopyFail(message: string): void };

class CopyToStdout {
  callback?: (error: Error | null) => void;
  private error: Error | null = null;
  private settled = false;
  /** Output so far. CopyData chunks are views into node-postgres's receive buffer, which it reuses: copied at once. */
  output = Buffer.allocUnsafe(1 << 20);
  bytes = 0;

  constructor(readonly text: string) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyOutResponse(): void {}

  handleCopyData(message: { chunk: Buffer }): void {
    const chunk = message.chunk;
    if (this.bytes + chunk.length > this.output.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.output.length * 2, this.bytes + chunk.length));
      this.output.copy(grown, 0, 0, this.bytes);
      this.output = grown;
    }
    this.output.set(chunk, this.bytes);
    this.bytes += chunk.length;
  }

  handleCopyInResponse(connection: Connection): void {
    connection.sendCopyFail("expected COPY … TO STDOUT, got COPY FROM STDIN");
  }

  handleCommandComplete(): void {}

  handleError(error: Error): void {
    this.error = error;
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.callback?.(this.error);
  }
}

/** Runs `COPY (…) TO STDOUT` (text format) and returns its output as one string. */
export function copyToStdout(client: pg.PoolClient, statement: string): Promise<string> {
  const query = new CopyToStdout(statement);
  return new Promise((resolve, reject) => {
    query.callback = (error) => (error ? reject(error) : resolve(query.output.toString("utf8", 0, query.bytes)));
    void client.query(query as unknown as pg.QueryConfig);
  });
}

const textEscapes: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/**
 * A text-format field as its value. COPY TO writes backslash, tab, newline, carriage return,
 * backspace, form feed and vertical tab as backslash sequences (PostgreSQL docs, COPY "Text
 * Format"); any other backslashed character stands for itself.
 */
export function copyTextValue(field: string): string {
  return field.indexOf("\\") < 0 ? field : field.replace(/\\([\s\S])/g, (_, escaped: string) => textEscapes[escaped] ?? escaped);
}

/** `\N`: NULL in COPY's text format. */
export const COPY_NULL = "\\N";
