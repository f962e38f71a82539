/**
 * V8 allocates a function literal written as the value of an assignment to a property
 * (`obj.onEvent = (e) => ...`) straight in the old generation: its parser takes such functions
 * for methods that live long. What the closure captures then survives every young-generation
 * collection until the next full one, even once nothing refers to it: for a handler that
 * captures a connection, the whole connection. The library makes such handlers with a
 * function, or keeps them in class fields, and this test finds any that a change writes again.
 * The first test checks the premise on the running V8, so that the rule goes when V8 changes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { runNodeProgram } from '../node-program.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('V8 allocates a function literal assigned to a property in the old generation', async () => {
  const stdout = await runNodeProgram(
    ['--allow-natives-syntax'],
    `
const holder = {};
holder.handler = () => 1;
const made = () => () => 2;
holder.other = made();
console.log(%InYoungGeneration(holder.handler), %InYoungGeneration(holder.other));
`,
  );
  assert.equal(stdout.trim(), 'false true');
});

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** The expression under parentheses and type-only wrappers, which V8 never sees. */
function unwrap(e: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isTypeAssertionExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

/** `file:line` of every function literal assigned straight to a property in `text`. */
function literalsAssignedToProperties(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      ASSIGNMENTS.has(node.operatorToken.kind) &&
      (ts.isPropertyAccessExpression(unwrap(node.left)) ||
        ts.isElementAccessExpression(unwrap(node.left)))
    ) {
      const value = unwrap(node.right);
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${file}:${line + 1}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('the finder sees every form V8 treats as an assignment to a property', () => {
  const text = `
a.b = () => 1;
a['b'] = function () {};
a.b ??= (x) => x;
this.#c = (() => 2) as F;
a.b = f();
const g = () => 3;
a.b = g;
class K { h = () => 4; }
`;
  assert.deepEqual(literalsAssignedToProperties('t.ts', text), [
    't.ts:2',
    't.ts:3',
    't.ts:4',
    't.ts:5',
  ]);
});

test('no function literal in src/ is assigned straight to a property', () => {
  const found = sourceFiles(join(root, 'src')).flatMap((path) =>
    literalsAssignedToProperties(relative(root, path), readFileSync(path, 'utf8')),
  );
  assert.deepEqual(found, [], 'make these with a function, or keep them in a class field');
});
