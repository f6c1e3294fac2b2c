/**
 * The barrel variant: every `import { A } from '@cdktf/provider-aws/lib/foo-bar'`
 * becomes an import of the `fooBar` namespace from the barrel
 * `@cdktf/provider-aws`, with each name aliased out of it. Line numbers are
 * kept (a multi-line import is padded with newlines).
 */
import { readFileSync } from 'node:fs';
import { providerImportsIn } from './scan';

export const BARREL = '@cdktf/provider-aws';

/** `foo-bar-baz` → `fooBarBaz`, `route53-zone` → `route53Zone`: the barrel's namespace name for a lib module. */
export function namespaceFor(module: string): string {
  return module.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Local name of the namespace in a rewritten file. */
export function aliasFor(namespace: string): string {
  return `aws_${namespace}`;
}

/** Rewrites one source text; returns it unchanged when it has no provider imports. */
export function rewriteToBarrel(file: string, text: string): { text: string; namespaces: string[] } {
  const imports = providerImportsIn(file, text);
  if (imports.length === 0) return { text, namespaces: [] };
  const namespaces = new Set<string>();
  let out = '';
  let cursor = 0;
  for (const imp of imports) {
    const namespace = namespaceFor(imp.module);
    const alias = aliasFor(namespace);
    if (text.includes(alias)) throw new Error(`${file}: the alias ${alias} is already used in the file; cannot rewrite safely`);
    const original = text.slice(imp.start, imp.end);
    const allTypes = imp.names.every((n) => n.typeOnly);
    const parts: string[] = [];
    if (!namespaces.has(namespace)) {
      parts.push(`import ${allTypes ? 'type ' : ''}{ ${namespace} as ${alias} } from '${BARREL}';`);
      namespaces.add(namespace);
    }
    for (const name of imp.names) {
      parts.push(name.typeOnly ? `type ${name.local} = ${alias}.${name.imported};` : `import ${name.local} = ${alias}.${name.imported};`);
    }
    const newlines = (original.match(/\n/g) ?? []).length;
    out += text.slice(cursor, imp.start) + parts.join(' ') + '\n'.repeat(newlines);
    cursor = imp.end;
  }
  out += text.slice(cursor);
  return { text: out, namespaces: [...namespaces] };
}

/**
 * The barrel's namespace → lib module map, read statically from its index.js
 * (`exports.fooBar = require("./foo-bar")`).
 */
export function barrelNamespaces(indexJs: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of indexJs.matchAll(/^exports\.([A-Za-z0-9_$]+) = require\("\.\/([^"]+)"\);$/gm)) map.set(m[1]!, m[2]!);
  return map;
}

export function readBarrelNamespaces(root: string): Map<string, string> {
  return barrelNamespaces(readFileSync(require.resolve(`${BARREL}/lib/index.js`, { paths: [root] }), 'utf8'));
}

/** Problems with a namespace list against the barrel's index: missing, or pointing at another module. */
export function checkNamespaces(modules: Iterable<string>, barrel: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const module of modules) {
    const namespace = namespaceFor(module);
    const target = barrel.get(namespace);
    if (target === undefined) problems.push(`the barrel has no namespace ${namespace} (for lib/${module})`);
    else if (target !== module) problems.push(`the barrel's ${namespace} is lib/${target}, not lib/${module}`);
  }
  return problems;
}
