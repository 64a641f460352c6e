// Every `segviz` command describes itself once: its options (type, placeholder, default, help),
// a description and examples. From that one description come the parser (node:util parseArgs,
// strict), `--help`, the errors for unknown or missing options, and the command table.
import { parseArgs } from "node:util";

interface OptionSpec {
  type: "string" | "boolean";
  /** The value's placeholder in help (DIR, N, FILE, ...); string options only. */
  value?: string;
  short?: string;
  multiple?: boolean;
  /** Applied when the option is absent, and shown in help. */
  default?: string | boolean;
  /** Shown in help when the default is not a fixed value (e.g. "the site config's site"). */
  defaultText?: string;
  required?: boolean;
  help: string;
}

interface CommandSpec {
  /** As typed after `segviz`: "demo", "bench train-step". */
  name: string;
  /** One line for the command table. */
  summary: string;
  description: string;
  options: Record<string, OptionSpec>;
  examples: string[];
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  spec: CommandSpec;
  run(values: OptionValues): Promise<number>;
}

/** A command with subcommands (`segviz bench train-step`). */
export interface CommandGroup {
  name: string;
  summary: string;
  subcommands: Record<string, Command>;
}

export type CommandEntry = Command | CommandGroup;

export function isGroup(entry: CommandEntry): entry is CommandGroup {
  return "subcommands" in entry;
}

/** A mistake in how a command was called: exit code 2, with a hint instead of a stack trace. */
export class UsageError extends Error {}

const HELP: OptionSpec = { type: "boolean", short: "h", help: "print this help and exit" };

function optionLabel(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ""}--${name}`;
  return o.type === "string" ? `${flag} ${o.value ?? "VALUE"}` : flag;
}

export function formatHelp(spec: CommandSpec): string {
  const options = { ...spec.options, help: HELP };
  const labels = Object.entries(options).map(([n, o]) => optionLabel(n, o));
  const width = Math.min(34, Math.max(...labels.map((l) => l.length)));
  const rows = Object.entries(options).map(([, o], i) => {
    const notes = [o.required ? "required" : undefined, o.multiple ? "repeatable" : undefined];
    const shownDefault =
      o.defaultText ?? (o.default === undefined || o.default === false ? undefined : String(o.default));
    if (shownDefault !== undefined) notes.push(`default: ${shownDefault}`);
    const extra = notes.filter((x) => x !== undefined).join("; ");
    const label = labels[i];
    const text = `${o.help}${extra ? ` (${extra})` : ""}`;
    return label.length > width
      ? `  ${label}\n  ${" ".repeat(width)}  ${text}`
      : `  ${label.padEnd(width)}  ${text}`;
  });
  const usageParts = Object.entries(spec.options).map(([n, o]) =>
    o.required ? optionLabel(n, o) : `[${optionLabel(n, o)}]`,
  );
  return [
    `usage: segviz ${spec.name} ${usageParts.join(" ")}`.trimEnd(),
    "",
    spec.summary,
    "",
    spec.description,
    "",
    "options:",
    ...rows,
    "",
    "examples:",
    ...spec.examples.map((e) => `  ${e}`),
  ].join("\n");
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Parses argv for the command. Returns undefined after printing help for --help; throws a
 * UsageError naming the command for an unknown option (with the closest valid one), a missing
 * value, a stray argument or a missing required option.
 */
export function parseCommand(spec: CommandSpec, argv: string[]): OptionValues | undefined {
  const options = { ...spec.options, help: HELP };
  const config = Object.fromEntries(
    Object.entries(options).map(([n, o]) => [
      n,
      {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  );
  let values: OptionValues;
  try {
    values = parseArgs({ args: argv, options: config as never, strict: true, allowPositionals: false })
      .values as OptionValues;
  } catch (e) {
    throw usageError(spec, e as Error & { code?: string });
  }
  if (values.help) {
    console.log(formatHelp(spec));
    return undefined;
  }
  for (const [n, o] of Object.entries(spec.options))
    if (o.required && values[n] === undefined)
      throw new UsageError(
        `segviz ${spec.name}: --${n} is required (segviz ${spec.name} --help lists the options)`,
      );
  return values;
}

function usageError(spec: CommandSpec, e: Error & { code?: string }): UsageError {
  const hint = `segviz ${spec.name} --help lists the options`;
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const given = /'([^']+)'/.exec(e.message)?.[1] ?? "";
    const bare = given.replace(/^-+/, "").split("=")[0];
    const suggestion = closest(bare, Object.keys(spec.options).concat("help"));
    return new UsageError(
      `segviz ${spec.name}: unknown option '${given}'${suggestion ? `; did you mean '--${suggestion}'?` : ""} (${hint})`,
    );
  }
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const given = /'([^']+)'/.exec(e.message)?.[1] ?? "";
    return new UsageError(`segviz ${spec.name}: unexpected argument '${given}' (${hint})`);
  }
  // A string option without its value, or a value given to a flag.
  return new UsageError(`segviz ${spec.name}: ${e.message.split("\n")[0]} (${hint})`);
}

export function formatCommandTable(commands: Record<string, CommandEntry>): string {
  const rows: string[] = [];
  for (const [name, entry] of Object.entries(commands)) {
    if (isGroup(entry))
      for (const [sub, c] of Object.entries(entry.subcommands))
        rows.push(`  ${`${name} ${sub}`.padEnd(24)} ${c.spec.summary}`);
    else rows.push(`  ${name.padEnd(24)} ${entry.spec.summary}`);
  }
  return `usage: segviz <command> [options]     (segviz <command> --help for its options)\n\ncommands:\n${rows.join("\n")}`;
}
