/**
 * The one argument parser of every workbench command: node's `parseArgs`
 * (strict: an unknown option is an error), plus `--help` built from the same
 * option table, and one way to end: help on stdout and exit 0, a usage
 * mistake as one line and exit 2, any other failure as one line and exit 1.
 */
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/** An option as node's parseArgs takes it, with its help. */
export interface OptionHelp {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string | boolean | string[] | boolean[];
  /** What the option does, for --help. */
  readonly description: string;
  /** The value's name in --help, e.g. `<dir>`. */
  readonly valueName?: string;
}

export interface CommandSpec<O extends Record<string, OptionHelp>> {
  /** How it is called, e.g. `npm run cost -- [stack...]`. */
  readonly usage: string;
  /** One paragraph: what it does. */
  readonly summary: string;
  readonly options: O;
  /** @default false */
  readonly allowPositionals?: boolean;
}

/** Typed identity: lets TypeScript keep each option's literal type, so parsed values are typed. */
export function defineCommand<O extends Record<string, OptionHelp>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** Thrown by `parseCommand` for --help; `runCommand` prints it and exits 0. */
export class HelpRequested extends Error {}

/** Parses `argv` against `spec`; --help (or -h) throws HelpRequested with the text. */
export function parseCommand<O extends Record<string, OptionHelp>>(spec: CommandSpec<O>, argv: readonly string[]) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(helpText(spec));
  try {
    return parseArgs({ args: [...argv], options: spec.options, allowPositionals: spec.allowPositionals ?? false, strict: true });
  } catch (error) {
    // node's messages are one line already; say where the rest is.
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (--help for usage)`);
  }
}

/** A default as a user would type it: paths relative to where the command runs. */
function shown(value: string | boolean | string[] | boolean[]): string {
  return typeof value === 'string' && isAbsolute(value) ? relative(process.cwd(), value) || '.' : String(value);
}

export function helpText<O extends Record<string, OptionHelp>>(spec: CommandSpec<O>): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.valueName ?? '<value>'}` : ''}`;
    const repeat = option.multiple ? ' (repeatable)' : '';
    const fallback = option.default !== undefined && option.default !== false && !(Array.isArray(option.default) && option.default.length === 0) ? ` [default: ${shown(option.default)}]` : '';
    return [flag, `${option.description}${repeat}${fallback}`] as const;
  });
  rows.push(['-h, --help', 'Print this help and exit.']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [`usage: ${spec.usage}`, '', spec.summary, '', 'options:', ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`), ''].join('\n');
}

/**
 * Runs a command's main: help on stdout (exit 0), a UsageError as
 * `<name>: message` (exit 2), anything else as `<name>: message` (exit 1).
 */
export function runCommand(name: string, main: () => unknown): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof HelpRequested) {
        process.stdout.write(error.message);
        process.exit(0);
      }
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    });
}

/**
 * `parseCommand` for a command's top level: prints help and exits 0, or a
 * usage mistake as `<name>: message` and exits 2.
 */
export function commandLine<O extends Record<string, OptionHelp>>(name: string, spec: CommandSpec<O>, argv: readonly string[]) {
  try {
    return parseCommand(spec, argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.message);
      process.exit(0);
    }
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
