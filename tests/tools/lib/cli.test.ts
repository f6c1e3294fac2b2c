/** Every workbench command answers --help from the one parser, and refuses an unknown option in one line. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCommand, helpText, parseCommand } from '../../../tools/lib/cli';
import { UsageError } from '../../../tools/lib/usage-error';
import { ROOT } from '../../support/paths';

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** npm scripts that run a workbench file: `node --require tsx/cjs tools/...`. */
const COMMANDS = Object.entries(scripts).flatMap(([name, command]) => {
  const file = /^node --require tsx\/cjs (tools\/\S+\.ts)$/.exec(command)?.[1];
  return file ? [[name, file] as const] : [];
});

const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, ['--require', 'tsx/cjs', file, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 60_000 });

describe('workbench commands', () => {
  it('are all found in package.json', () => {
    expect(COMMANDS.map(([name]) => name).sort()).toEqual(
      ['bench', 'bench:load', 'ci:apply', 'ci:mirror-provider', 'ci:plan', 'ci:provider-lock', 'ci:stacks', 'cost', 'plan-summary', 'mutate:planted', 'mutate:report', 'prices:update', 'simulate', 'snapshots', 'start', 'summary'].sort(),
    );
  });

  it.each(COMMANDS)('npm run %s -- --help prints its usage and exits 0', (_, file) => {
    const result = run(file, ['--help']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm (run \S+|start)/);
    expect(result.stdout).toContain('-h, --help');
  });

  it.each(COMMANDS)('npm run %s -- --no-such-option is one line and exit 2', (_, file) => {
    const result = run(file, ['--no-such-option']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("Unknown option '--no-such-option'");
  });
});

describe('the parser', () => {
  const spec = defineCommand({
    usage: 'npm run demo -- [options]',
    summary: 'A demonstration.',
    options: {
      out: { type: 'string', default: join(ROOT, 'cdktf.out'), valueName: '<dir>', description: 'Where.' },
      tag: { type: 'string', multiple: true, default: [], description: 'Tags.' },
      json: { type: 'boolean', default: false, description: 'JSON.' },
    },
  });

  it('types and defaults the values', () => {
    const { values } = parseCommand(spec, ['--tag', 'a', '--tag', 'b', '--json']);
    expect(values).toEqual({ out: join(ROOT, 'cdktf.out'), tag: ['a', 'b'], json: true });
  });

  it('refuses a value for a flag, and an unknown option, as usage errors', () => {
    expect(() => parseCommand(spec, ['--json=yes'])).toThrow(UsageError);
    expect(() => parseCommand(spec, ['--nope'])).toThrow(/Unknown option '--nope'.*\(--help for usage\)/);
  });

  it('shows defaults as a user types them: paths relative, empty lists and false left out', () => {
    const text = helpText(spec);
    expect(text).toContain('--out <dir>');
    expect(text).toMatch(/Where\. \[default: cdktf\.out\]/);
    expect(text).toMatch(/Tags\. \(repeatable\)\n/);
    expect(text).toMatch(/JSON\.\n/);
  });
});
