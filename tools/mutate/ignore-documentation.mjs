// @ts-check
/**
 * A Stryker ignorer: text that documents rather than decides. The schema's
 * `.meta({ description })` strings become docs/environments.md, which a
 * staleness test already compares with its generator; mutating each of them
 * would add hundreds of mutants that only that text comparison can kill and
 * that no reviewer would call a bug.
 */
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/**
 * True inside the arguments of a `.meta(…)` call: the description, not the
 * schema it describes (`z.strictObject({…}).meta({…})` holds the whole
 * object in the call's callee, which must stay mutated).
 * @param {any} path a Babel NodePath
 */
function insideMetaArguments(path) {
  for (let child = path, current = path.parentPath; current; child = current, current = current.parentPath) {
    const node = current.node;
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.property.type === 'Identifier' && node.callee.property.name === 'meta') {
      if (node.arguments.includes(child.node)) return true;
    }
  }
  return false;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'documentation', {
    /** @param {any} path */
    shouldIgnore(path) {
      return insideMetaArguments(path) ? 'schema documentation (generated into docs/environments.md, checked for staleness)' : undefined;
    },
  }),
];
