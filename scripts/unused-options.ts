/**
 * Lists the optional properties of the options types in src/ (interfaces and inline types named
 * …Options/…Deps/…Settings/…Config, or an `options`/`deps` parameter's type) that no object
 * literal (nor assignment) sets, and those that only tests set: options nobody uses are switched-off
 * seams to delete or wire (issue 11).
 *
 * Run: npx tsx scripts/unused-options.ts
 *
 * An object literal sets a property when its contextual type (the parameter, variable or return type it is
 * written for) has that property; spreads are not followed, so a hit is a candidate to read, not a verdict.
 */
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..');
const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), (file) => ts.sys.readFile(file));
const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const program = ts.createProgram(parsed.fileNames, parsed.options);
const checker = program.getTypeChecker();

const inside = (file: ts.SourceFile, folder: string): boolean => path.relative(root, file.fileName).startsWith(folder + path.sep);
const sources = program.getSourceFiles().filter((file) => !file.isDeclarationFile && (inside(file, 'src') || inside(file, 'test')));

/** Optional property declaration → its label (`file: Owner.property`). */
const options = new Map<ts.Node, string>();

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

for (const file of sources.filter((f) => inside(f, 'src'))) {
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertySignature(node) &&
      node.questionToken &&
      ts.isIdentifier(node.name) &&
      (ts.isInterfaceDeclaration(node.parent) || ts.isTypeLiteralNode(node.parent))
    ) {
      const owner = ownerName(node);
      if (OPTION_OWNER.test(owner)) options.set(node, `${path.relative(root, file.fileName)}: ${owner}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

const setIn = new Map<ts.Node, Set<'src' | 'test'>>();
function markSet(symbol: ts.Symbol | undefined, where: 'src' | 'test'): void {
  for (const declaration of symbol?.declarations ?? []) {
    if (!options.has(declaration)) continue;
    const places = setIn.get(declaration) ?? new Set();
    places.add(where);
    setIn.set(declaration, places);
  }
}

function propertiesNamed(type: ts.Type, name: string): ts.Symbol[] {
  const parts = type.isUnionOrIntersection() ? type.types : [type];
  return parts.flatMap((part) => {
    const property = checker.getPropertyOfType(checker.getApparentType(part), name);
    return property ? [property] : [];
  });
}

for (const file of sources) {
  const where = inside(file, 'src') ? 'src' : 'test';
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const contextual = checker.getContextualType(node);
      for (const property of node.properties) {
        const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
        if (name === undefined) continue;
        if (contextual) for (const symbol of propertiesNamed(contextual, name)) markSet(symbol, where);
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
console.log(`Optional properties set by no object literal in src/ or test/ (${never.length}):`);
for (const label of never.sort()) console.log(`  ${label}`);
console.log(`\nOptional properties set only in test/ (${testsOnly.length}):`);
for (const label of testsOnly.sort()) console.log(`  ${label}`);
