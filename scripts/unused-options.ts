/**
 * Finds the optional properties of the options types in src/ (interfaces and inline types named
 * …Options/…Deps/…Settings/…Config, or an `options`/`deps` parameter's type) that no object literal (nor
 * assignment) sets, and those that only tests set: options nobody uses are switched-off seams to delete or
 * wire (docs/architecture.md, "Code habits the tools check").
 *
 *   npx tsx scripts/unused-options.ts           lists both
 *   npx tsx scripts/unused-options.ts --check   fails on an option no caller sets unless
 *                                               scripts/unused-options-allowed.json lists it with a reason,
 *                                               and on a listed one that is no longer reported (part of npm run lint)
 *
 * An object literal sets a property when its contextual type (the parameter, variable or return type it is
 * written for) has that property; spreads and pass-through are not followed, so a hit is a candidate to read,
 * not a verdict — hence the list of allowed ones. Commander's parsed options (the parameter of an `.action`
 * callback) are filled from argv, not by a literal, and are not options in this sense.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface UnusedOptions {
  /** `file: Owner.property` set by no object literal in src/ or test/. */
  readonly never: string[];
  /** Set only in test/. */
  readonly testsOnly: string[];
}

export interface AllowedOption {
  readonly option: string;
  readonly reason: string;
}

/** Options, not data: the owner's name says it configures something (`…Options`, `…Deps`, an `options` parameter). */
const OPTION_OWNER = /(Options|Deps|Settings|Overrides|Config)\b|\.(options|deps|settings|overrides|config)\b/i;

/** The name a reader would look for: the interface or type alias, else the function and parameter of an inline type. */
function ownerName(node: ts.Node): string {
  const names: string[] = [];
  for (let current: ts.Node | undefined = node; current && !ts.isSourceFile(current); current = current.parent) {
    const named = current as ts.Node & { name?: ts.Node };
    if (
      (ts.isInterfaceDeclaration(current) ||
        ts.isTypeAliasDeclaration(current) ||
        ts.isFunctionDeclaration(current) ||
        ts.isParameter(current) ||
        ts.isVariableDeclaration(current) ||
        ts.isMethodDeclaration(current) ||
        ts.isPropertySignature(current) ||
        ts.isClassDeclaration(current)) &&
      named.name &&
      ts.isIdentifier(named.name)
    ) {
      names.unshift(named.name.text);
    }
  }
  return names.join('.') || '(type literal)';
}

function propertiesNamed(checker: ts.TypeChecker, type: ts.Type, name: string): ts.Symbol[] {
  const parts = type.isUnionOrIntersection() ? type.types : [type];
  return parts.flatMap((part) => {
    const property = checker.getPropertyOfType(checker.getApparentType(part), name);
    return property ? [property] : [];
  });
}

/** Type literals and interfaces that are the first parameter of a commander `.action(...)` callback. */
function commanderParsedOptions(checker: ts.TypeChecker, files: readonly ts.SourceFile[]): Set<ts.Node> {
  const parsed = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'action') {
      const callback = node.arguments[0];
      const type = callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) ? callback.parameters[0]?.type : undefined;
      if (type && ts.isTypeLiteralNode(type)) parsed.add(type);
      if (type && ts.isTypeReferenceNode(type)) {
        for (const declaration of checker.getSymbolAtLocation(type.typeName)?.declarations ?? []) parsed.add(declaration);
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) visit(file);
  return parsed;
}

/** Reads the TypeScript project at `root` (its tsconfig.json) and reports its unused options. */
export function findUnusedOptions(root: string): UnusedOptions {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const inside = (file: ts.SourceFile, folder: string): boolean => path.relative(root, file.fileName).startsWith(folder + path.sep);
  const sources = program.getSourceFiles().filter((file) => !file.isDeclarationFile && (inside(file, 'src') || inside(file, 'test')));
  const srcFiles = sources.filter((file) => inside(file, 'src'));
  const fromArgv = commanderParsedOptions(checker, srcFiles);

  /** Optional property declaration → its label (`file: Owner.property`). */
  const options = new Map<ts.Node, string>();
  for (const file of srcFiles) {
    const visit = (node: ts.Node): void => {
      if (
        ts.isPropertySignature(node) &&
        node.questionToken &&
        ts.isIdentifier(node.name) &&
        (ts.isInterfaceDeclaration(node.parent) || ts.isTypeLiteralNode(node.parent)) &&
        !fromArgv.has(node.parent)
      ) {
        const owner = ownerName(node);
        if (OPTION_OWNER.test(owner)) options.set(node, `${path.relative(root, file.fileName)}: ${owner}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const setIn = new Map<ts.Node, Set<'src' | 'test'>>();
  const markSet = (symbol: ts.Symbol | undefined, where: 'src' | 'test'): void => {
    for (const declaration of symbol?.declarations ?? []) {
      if (!options.has(declaration)) continue;
      const places = setIn.get(declaration) ?? new Set();
      places.add(where);
      setIn.set(declaration, places);
    }
  };
  for (const file of sources) {
    const where = inside(file, 'src') ? 'src' : 'test';
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const contextual = checker.getContextualType(node);
        for (const property of node.properties) {
          const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
          if (name === undefined) continue;
          if (contextual) for (const symbol of propertiesNamed(checker, contextual, name)) markSet(symbol, where);
          markSet(checker.getSymbolAtLocation(property.name!), where);
        }
      }
      // `options.x = value`
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
        markSet(checker.getSymbolAtLocation(node.left.name), where);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const never: string[] = [];
  const testsOnly: string[] = [];
  for (const [declaration, label] of options) {
    const places = setIn.get(declaration);
    if (!places) never.push(label);
    else if (!places.has('src')) testsOnly.push(label);
  }
  return { never: never.sort(), testsOnly: testsOnly.sort() };
}

/** What `--check` fails on: reported options not allowed, and allowed ones no longer reported (stale). */
export function checkUnusedOptions(never: readonly string[], allowed: readonly AllowedOption[]): { unlisted: string[]; stale: string[] } {
  const listed = new Set(allowed.map((entry) => entry.option));
  const reported = new Set(never);
  return { unlisted: [...reported].filter((option) => !listed.has(option)), stale: [...listed].filter((option) => !reported.has(option)) };
}

export const ALLOWED_FILE = path.join(__dirname, 'unused-options-allowed.json');

function main(argv: readonly string[]): number {
  const root = path.resolve(__dirname, '..');
  const { never, testsOnly } = findUnusedOptions(root);
  if (!argv.includes('--check')) {
    console.log(`Optional properties set by no object literal in src/ or test/ (${never.length}):`);
    for (const label of never) console.log(`  ${label}`);
    console.log(`\nOptional properties set only in test/ (${testsOnly.length}):`);
    for (const label of testsOnly) console.log(`  ${label}`);
    return 0;
  }
  const allowed = JSON.parse(fs.readFileSync(ALLOWED_FILE, 'utf8')) as AllowedOption[];
  const { unlisted, stale } = checkUnusedOptions(never, allowed);
  for (const option of unlisted) {
    console.error(`unused option: ${option} — no caller sets it: delete it (inline its default as a named constant), or wire it and test it`);
  }
  for (const option of stale) console.error(`stale entry in ${path.relative(root, ALLOWED_FILE)}: ${option} — it is set now, or gone: remove the entry`);
  if (unlisted.length + stale.length > 0) return 1;
  console.log(`unused options: none outside ${path.relative(root, ALLOWED_FILE)} (${allowed.length} allowed, each with its reason)`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
