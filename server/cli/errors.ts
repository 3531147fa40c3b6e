/** Bad input to the CLI: printed as one line on stderr, exit code 2, never a stack trace. */
export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliInputError";
  }
}
