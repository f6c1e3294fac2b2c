/**
 * Which provider classes the app loads: walks the app's sources (main.ts,
 * environments/, modules/, stacks/ and every local file they import) and
 * collects each `@cdktf/provider-aws/lib/<module>` import with its names.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/** Where the app's sources start. */
export const APP_ROOTS = ['main.ts', 'environments', 'modules', 'stacks'] as const;

export const PROVIDER_LIB = /^@cdktf\/provider-aws\/lib\/([a-z0-9][a-z0-9-]*)$/;

export interface ImportedName {
  /** The name exported by the provider module, e.g. `S3BucketVersioningA`. */
  readonly imported: string;
  /** The local name, e.g. `S3BucketVersioning`. */
  readonly local: string;
  /** `type X` or inside `import type { … }`: erased at runtime. */
  readonly typeOnly: boolean;
}

export interface ProviderImport {
  /** The provider module, e.g. `s3-bucket-versioning`. */
  readonly module: string;
  readonly names: readonly ImportedName[];
  /** Repository-relative file that imports it. */
  readonly file: string;
  /** Character offsets of the whole import declaration in the file. */
  readonly start: number;
  readonly end: number;
}

export function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Every `@cdktf/provider-aws/lib/*` import declaration in one source text. Other forms of it throw. */
export function providerImportsIn(file: string, text: string): ProviderImport[] {
  const source = parse(file, text);
  const found: ProviderImport[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const match = PROVIDER_LIB.exec(node.moduleSpecifier.text);
      if (match) {
        const clause = node.importClause;
        const bindings = clause?.namedBindings;
        if (!clause || clause.name || !bindings || !ts.isNamedImports(bindings)) {
          throw new Error(`${file}: unsupported import form "${node.getText(source)}" (only named imports are handled)`);
        }
        found.push({
          module: match[1]!,
          file,
          start: node.getStart(source),
          end: node.getEnd(),
          names: bindings.elements.map((el) => ({
            imported: (el.propertyName ?? el.name).text,
            local: el.name.text,
            typeOnly: clause.isTypeOnly || el.isTypeOnly,
          })),
        });
      }
    } else if (isOtherProviderReference(node)) {
      throw new Error(`${file}: unsupported reference to @cdktf/provider-aws "${node.getText(source)}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `export … from`, `require()`, `import()` or `import x = require()` of a provider module: not handled, so refused. */
function isOtherProviderReference(node: ts.Node): boolean {
  const isProvider = (n: ts.Node | undefined) => !!n && ts.isStringLiteralLike(n) && n.text.startsWith('@cdktf/provider-aws');
  if (ts.isExportDeclaration(node)) return isProvider(node.moduleSpecifier);
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) return isProvider(node.moduleReference.expression);
  if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
    return isProvider(node.arguments[0]);
  }
  return false;
}

/** Relative module specifiers a file loads (static imports, re-exports, require, import()). Type-only imports are skipped. */
export function localSpecifiers(file: string, text: string): string[] {
  const source = parse(file, text);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.importClause?.isTypeOnly) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      specs.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      specs.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

function resolveLocal(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith('.ts')) return candidate;
  }
  return undefined;
}

function tsFilesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => (entry === 'node_modules' ? [] : tsFilesUnder(join(path, entry))));
}

/** The app's source files: everything under the roots plus every local file they import, transitively. Repository-relative, sorted. */
export function appSourceFiles(root: string, roots: readonly string[] = APP_ROOTS): string[] {
  const seen = new Set<string>();
  const queue = roots.flatMap((r) => tsFilesUnder(join(root, r)));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of localSpecifiers(file, readFileSync(file, 'utf8'))) {
      const target = resolveLocal(file, spec);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen].map((f) => relative(root, f)).sort();
}

export interface ProviderUsage {
  /** Provider module → value (class) names loaded from it, sorted. */
  readonly classes: ReadonlyMap<string, readonly string[]>;
  /** Every import found, for reports. */
  readonly imports: readonly ProviderImport[];
  /** The files scanned. */
  readonly files: readonly string[];
}

/** The provider modules and classes the app's sources import. */
export function scanProviderUsage(root: string, roots: readonly string[] = APP_ROOTS): ProviderUsage {
  const files = appSourceFiles(root, roots);
  const imports = files.flatMap((file) => providerImportsIn(file, readFileSync(join(root, file), 'utf8')));
  const classes = new Map<string, Set<string>>();
  for (const imp of imports) {
    const set = classes.get(imp.module) ?? new Set<string>();
    for (const name of imp.names) if (!name.typeOnly) set.add(name.imported);
    classes.set(imp.module, set);
  }
  const sorted = new Map([...classes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([m, s]) => [m, [...s].sort()] as const));
  return { classes: sorted, imports, files };
}
