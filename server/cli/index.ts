// Entry of the `riskwarden` command. Each subcommand lives in its own module and exports
// `run(args: string[]): Promise<number>` returning the process exit code.
// Exit codes (contract: shared contracts risk-cli.md): 0 success, 2 bad input, 1 unexpected failure.
import { CliInputError } from "./errors";

type Command = { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> };

const commands: Record<string, Command> = {
  margin: { summary: "margin state of every account", load: () => import("./risk-commands").then((m) => ({ run: m.runMargin })) },
  preview: { summary: "current vs proposed parameters on a book", load: () => import("./risk-commands").then((m) => ({ run: m.runPreview })) },
  stress: { summary: "liquidation cascade under a price shock", load: () => import("./risk-commands").then((m) => ({ run: m.runStress })) },
  import: { summary: "import a positions snapshot into the database", load: () => import("./import-command").then((m) => ({ run: m.runImport })) },
  replay: { summary: "replay recorded feed frames through the detectors", load: () => import("./replay").then((m) => ({ run: m.runReplay })) },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: riskwarden <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`riskwarden: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    const { run } = await command.load();
    return await run(rest);
  } catch (error) {
    if (error instanceof CliInputError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`riskwarden ${name}: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
