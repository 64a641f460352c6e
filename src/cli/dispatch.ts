// Finds the command argv names and runs it: `segviz <command> [<subcommand>] [options]`.
// Help for the program, a group or a command goes to stdout with exit code 0; a wrong command
// name is a UsageError that suggests the closest one.
import {
  type CommandEntry,
  closest,
  formatCommandTable,
  isGroup,
  parseCommand,
  UsageError,
} from "./command-spec.js";

const HELP_WORDS = new Set(["--help", "-h", "help"]);

export async function dispatch(commands: Record<string, CommandEntry>, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(formatCommandTable(commands));
    return 2;
  }
  if (HELP_WORDS.has(name)) {
    console.log(formatCommandTable(commands));
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    const guess = closest(name, Object.keys(commands));
    throw new UsageError(
      `unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ""} (segviz --help lists the commands)`,
    );
  }
  if (!isGroup(entry)) {
    const values = parseCommand(entry.spec, rest);
    return values === undefined ? 0 : entry.run(values);
  }
  const [subName, ...subArgs] = rest;
  const groupHelp = () =>
    [
      `usage: segviz ${name} <subcommand> [options]     (segviz ${name} <subcommand> --help for its options)`,
      "",
      entry.summary,
      "",
      "subcommands:",
      ...Object.entries(entry.subcommands).map(([n, c]) => `  ${n.padEnd(16)} ${c.spec.summary}`),
    ].join("\n");
  if (subName === undefined || HELP_WORDS.has(subName)) {
    (subName === undefined ? console.error : console.log)(groupHelp());
    return subName === undefined ? 2 : 0;
  }
  const sub = entry.subcommands[subName];
  if (sub === undefined) {
    const guess = closest(subName, Object.keys(entry.subcommands));
    throw new UsageError(
      `segviz ${name}: unknown subcommand '${subName}'${guess ? `; did you mean '${guess}'?` : ""} (segviz ${name} --help lists them)`,
    );
  }
  const values = parseCommand(sub.spec, subArgs);
  return values === undefined ? 0 : sub.run(values);
}
