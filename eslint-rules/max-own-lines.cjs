/**
 * local/max-own-lines: a function may have at most `max` lines of its own (default 80).
 *
 * A line of its own is a line with code (not blank, not only a comment) that is not inside the body
 * of a function nested in it: a handler or callback defined inside a procedure counts for itself, not
 * for the procedure around it. ESLint's built-in max-lines-per-function counts nested bodies too,
 * which punishes a short procedure for the callbacks it passes.
 *
 * CommonJS so that the Jest test (test/eslint-rules/max-own-lines.test.ts) can load it as it is.
 */
'use strict';

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'suggestion',
    docs: { description: 'Limit the lines a function has of its own, nested function bodies excluded' },
    schema: [
      {
        type: 'object',
        properties: { max: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      },
    ],
    messages: {
      tooLong: '{{name}} has {{count}} lines of its own (max {{max}}): split it into named steps.',
    },
  },
  create(context) {
    const max = context.options[0]?.max ?? 80;
    const sourceCode = context.sourceCode;
    /** Stack of the functions being visited; each collects the body ranges of the functions nested in it. */
    const stack = [];

    function enter(node) {
      stack.at(-1)?.nested.push(node.body.range);
      stack.push({ node, nested: [] });
    }

    function exit(node) {
      const { nested } = stack.pop();
      const count = countOwnLines(sourceCode.getTokens(node), nested);
      if (count > max) {
        context.report({
          node,
          loc: node.loc.start,
          messageId: 'tooLong',
          data: { name: describeFunction(node), count: String(count), max: String(max) },
        });
      }
    }

    const listeners = {};
    for (const type of FUNCTION_TYPES) {
      listeners[type] = enter;
      listeners[`${type}:exit`] = exit;
    }
    return listeners;
  },
};

/** Lines holding at least one token (comments are not tokens) outside the nested bodies. */
function countOwnLines(tokens, nestedRanges) {
  const lines = new Set();
  for (const token of tokens) {
    if (nestedRanges.some(([start, end]) => token.range[0] >= start && token.range[1] <= end)) continue;
    for (let line = token.loc.start.line; line <= token.loc.end.line; line += 1) lines.add(line);
  }
  return lines.size;
}

function describeFunction(node) {
  const parent = node.parent;
  if (node.id?.name) return `function ${node.id.name}`;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return `function ${parent.id.name}`;
  if ((parent?.type === 'MethodDefinition' || parent?.type === 'Property' || parent?.type === 'PropertyDefinition') && parent.key) {
    return `method ${keyName(parent.key)}`;
  }
  if (parent?.type === 'AssignmentExpression') return `function ${sourceText(parent.left)}`;
  return `anonymous function at line ${node.loc.start.line}`;
}

function keyName(key) {
  if (key.type === 'Identifier' || key.type === 'PrivateIdentifier') return key.name;
  if (key.type === 'Literal') return String(key.value);
  return '[computed]';
}

function sourceText(node) {
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'MemberExpression' && !node.computed) return `${sourceText(node.object)}.${node.property.name}`;
  return '(expression)';
}

module.exports = rule;
