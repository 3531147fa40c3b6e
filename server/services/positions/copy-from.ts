// `COPY … FROM STDIN` on a node-postgres client without the pg-copy-streams dependency: pg accepts
// any "submittable" (an object with `submit(connection)`) as a query and hands it the protocol
// events; this one answers CopyInResponse by sending the rows as CopyData messages, then CopyDone
// (PostgreSQL frontend/backend protocol, "COPY Operations"). Used for bulk snapshot imports into
// PostgreSQL; PGlite's socket server gets batched INSERTs instead.
import type pg from "pg";

type Connection = {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
};

/** Escapes a text value for COPY's text format (backslash, tab, newline, carriage return). */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : value;
}

class CopyFromStdin {
  callback?: (error: Error | null) => void;
  private error: Error | null = null;
  private settled = false;
  rowCount = 0;

  constructor(
    readonly text: string,
    private readonly chunks: () => Iterable<string>,
  ) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    try {
      for (const chunk of this.chunks()) connection.sendCopyFromChunk(Buffer.from(chunk, "utf8"));
      connection.endCopyFrom();
    } catch (error) {
      (connection as unknown as { sendCopyFail(message: string): void }).sendCopyFail(error instanceof Error ? error.message : String(error));
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /COPY (\d+)/.exec(message.text ?? "");
    if (match) this.rowCount = Number(match[1]);
  }

  handleError(error: Error): void {
    this.error = error;
    // A connection-level failure gets no ReadyForQuery afterwards: settle now.
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.callback?.(this.error);
  }
}

/**
 * Runs `COPY <table> (<columns>) FROM STDIN` on `client`, sending the chunks (each a run of
 * complete lines in COPY text format). Resolves with the number of rows copied.
 */
export function copyFromStdin(client: pg.PoolClient, statement: string, chunks: () => Iterable<string>): Promise<number> {
  const query = new CopyFromStdin(statement, chunks);
  return new Promise((resolve, reject) => {
    query.callback = (error) => (error ? reject(error) : resolve(query.rowCount));
    void client.query(query as unknown as pg.QueryConfig);
  });
}
