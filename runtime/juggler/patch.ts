/**
 * RFC 6902 JSON Patch: `diff` and `applyPatch`.
 *
 * Hand-written rather than taken from a library (measured/checked 2025):
 * - fast-json-patch `compare` diffs arrays index by index, so one insert at the
 *   front of an N-element array becomes N `replace` ops + one `add`; for a
 *   1 MB state under small edits that defeats the point of diffs. Its
 *   `applyPatch` mutates the input by default.
 * - rfc6902 computes a Levenshtein array diff recursively and overflows the
 *   stack on 20-40k-element arrays (chbrown/rfc6902#72).
 * Our diff trims the common prefix/suffix of arrays (front inserts and tail
 * appends become single `add`s, loops only, no recursion over array length) and
 * only emits `add`/`remove`/`replace` — never `test` (hat's Python client turns
 * its state into None on a `test` op) and never `move`/`copy`. Our apply supports
 * all six ops (Python servers send `move`), never mutates its input and cannot
 * write `__proto__` as a prototype.
 */
import { PatchError } from './errors.js';
import { isJsonObject, jsonEquals, type JsonObject, type JsonValue } from '../json-value.js';
import { getOwn, setOwn } from './own-property.js';

export type JsonPatchOp =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: JsonValue }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: JsonValue };

export type JsonPatch = JsonPatchOp[];

/** Above this many inserted/removed elements an array is replaced whole when that is smaller. */
const ARRAY_REPLACE_THRESHOLD = 16;

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (pointer[0] !== '/') throw new PatchError(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  // RFC 6901 defines only ~0 and ~1; anything else (as Python's jsonpointer does) is refused
  // rather than read as a literal '~', which would address a member the peer did not mean.
  if (/~(?![01])/.test(pointer))
    throw new PatchError(`invalid escape in JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A patch that turns `src` into `dst` (`[]` when they are equal). */
export function diff(src: JsonValue, dst: JsonValue): JsonPatch {
  const ops: JsonPatch = [];
  diffValue(src, dst, '', ops);
  return ops;
}

function diffValue(a: JsonValue, b: JsonValue, path: string, ops: JsonPatch): void {
  if (a === b) return;
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return diffArray(a, b, path, ops);
  } else if (isJsonObject(a) && isJsonObject(b)) {
    return diffObject(a, b, path, ops);
  }
  ops.push({ op: 'replace', path, value: b });
}

function diffObject(a: JsonObject, b: JsonObject, path: string, ops: JsonPatch): void {
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key))
      ops.push({ op: 'remove', path: `${path}/${escapePointerToken(key)}` });
  }
  for (const key of Object.keys(b)) {
    const bv = b[key] as JsonValue;
    if (!Object.hasOwn(a, key)) {
      ops.push({ op: 'add', path: `${path}/${escapePointerToken(key)}`, value: bv });
    } else if (a[key] !== bv) {
      // Unchanged subtrees are usually shared by identity: build no path for them.
      diffValue(a[key] as JsonValue, bv, `${path}/${escapePointerToken(key)}`, ops);
    }
  }
}

function diffArray(a: JsonValue[], b: JsonValue[], path: string, ops: JsonPatch): void {
  const la = a.length;
  const lb = b.length;
  const min = Math.min(la, lb);
  let prefix = 0;
  while (prefix < min && jsonEquals(a[prefix] as JsonValue, b[prefix] as JsonValue)) prefix++;
  let suffix = 0;
  while (
    suffix < min - prefix &&
    jsonEquals(a[la - 1 - suffix] as JsonValue, b[lb - 1 - suffix] as JsonValue)
  ) {
    suffix++;
  }
  const ma = la - prefix - suffix;
  const mb = lb - prefix - suffix;
  const delta = Math.abs(ma - mb);
  if (delta > ARRAY_REPLACE_THRESHOLD && delta * 2 >= lb) {
    ops.push({ op: 'replace', path, value: b });
    return;
  }
  const common = Math.min(ma, mb);
  for (let i = 0; i < common; i++) {
    const idx = prefix + i;
    const av = a[idx] as JsonValue;
    const bv = b[idx] as JsonValue;
    if (av !== bv) diffValue(av, bv, `${path}/${idx}`, ops);
  }
  for (let i = common; i < ma; i++) ops.push({ op: 'remove', path: `${path}/${prefix + common}` });
  for (let i = common; i < mb; i++) {
    ops.push({ op: 'add', path: `${path}/${prefix + i}`, value: b[prefix + i] as JsonValue });
  }
}

type Container = JsonValue[] | JsonObject;

function isContainer(v: JsonValue | undefined): v is Container {
  return typeof v === 'object' && v !== null;
}

function parseIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(`invalid array index ${JSON.stringify(token)}`);
  const idx = Number(token);
  if (idx > length || (!allowEnd && idx === length)) {
    throw new PatchError(`array index ${idx} out of range`);
  }
  return idx;
}

function child(container: Container, token: string): JsonValue {
  const value = Array.isArray(container)
    ? container[parseIndex(token, container.length, false)]
    : getOwn(container, token);
  if (value === undefined) throw new PatchError(`path not found at ${JSON.stringify(token)}`);
  return value;
}

function getAt(doc: JsonValue, tokens: readonly string[]): JsonValue {
  let cur = doc;
  for (const token of tokens) {
    if (!isContainer(cur)) throw new PatchError(`path not found at ${JSON.stringify(token)}`);
    cur = child(cur, token);
  }
  return cur;
}

function readOp(raw: unknown, index: number): JsonPatchOp {
  if (!isJsonObject(raw as JsonValue)) throw new PatchError(`patch op ${index} is not an object`);
  const op = raw as Record<string, unknown>;
  if (typeof op['path'] !== 'string') throw new PatchError(`patch op ${index} has no path`);
  switch (op['op']) {
    case 'add':
    case 'replace':
    case 'test':
      if (!('value' in op)) throw new PatchError(`patch op ${index} has no value`);
      break;
    case 'move':
    case 'copy':
      if (typeof op['from'] !== 'string') throw new PatchError(`patch op ${index} has no from`);
      break;
    case 'remove':
      break;
    default:
      throw new PatchError(`patch op ${index} has unknown op ${JSON.stringify(op['op'])}`);
  }
  return raw as JsonPatchOp;
}

/**
 * Returns the patched document; `doc` and the patch are left untouched.
 * Containers are copied on first write and then mutated in place (tracked in
 * `owned`), so a patch with many ops on one array costs one copy, not one per op.
 */
export function applyPatch(doc: JsonValue, patch: unknown): JsonValue {
  if (!Array.isArray(patch)) throw new PatchError('patch is not an array');
  let root = doc;
  let owned = new WeakSet<object>();

  const own = (v: Container): Container => {
    if (owned.has(v)) return v;
    const copy: Container = Array.isArray(v) ? v.slice() : { ...v };
    owned.add(copy);
    return copy;
  };

  const parentOf = (tokens: readonly string[]): Container => {
    if (!isContainer(root)) throw new PatchError('path not found: document is not a container');
    root = own(root);
    let cur: Container = root;
    for (let i = 0; i < tokens.length - 1; i++) {
      const token = tokens[i] as string;
      const next = child(cur, token);
      if (!isContainer(next)) throw new PatchError(`path not found at ${JSON.stringify(token)}`);
      const mine = own(next);
      if (mine !== next) {
        if (Array.isArray(cur)) cur[Number(token)] = mine;
        else setOwn(cur, token, mine);
      }
      cur = mine;
    }
    return cur;
  };

  const add = (tokens: readonly string[], value: JsonValue): void => {
    if (tokens.length === 0) {
      root = value;
      return;
    }
    const parent = parentOf(tokens);
    const last = tokens[tokens.length - 1] as string;
    if (Array.isArray(parent)) parent.splice(parseIndex(last, parent.length, true), 0, value);
    else setOwn(parent, last, value);
  };

  const remove = (tokens: readonly string[]): void => {
    if (tokens.length === 0) {
      root = null;
      return;
    }
    const parent = parentOf(tokens);
    const last = tokens[tokens.length - 1] as string;
    if (Array.isArray(parent)) {
      parent.splice(parseIndex(last, parent.length, false), 1);
    } else {
      if (!Object.hasOwn(parent, last))
        throw new PatchError(`path not found at ${JSON.stringify(last)}`);
      delete parent[last];
    }
  };

  patch.forEach((raw: unknown, index) => {
    const op = readOp(raw, index);
    const tokens = parsePointer(op.path);
    switch (op.op) {
      case 'add':
        add(tokens, op.value);
        break;
      case 'remove':
        remove(tokens);
        break;
      case 'replace':
        if (tokens.length === 0) root = op.value;
        else {
          const parent = parentOf(tokens);
          const last = tokens[tokens.length - 1] as string;
          if (Array.isArray(parent)) parent[parseIndex(last, parent.length, false)] = op.value;
          else if (Object.hasOwn(parent, last)) setOwn(parent, last, op.value);
          else throw new PatchError(`path not found at ${JSON.stringify(last)}`);
        }
        break;
      case 'move': {
        const from = parsePointer(op.from);
        if (op.path === op.from) {
          getAt(root, from);
          break;
        }
        if (op.path.startsWith(op.from + '/')) {
          throw new PatchError(`cannot move ${op.from} into its own child ${op.path}`);
        }
        const value = getAt(root, from);
        remove(from);
        add(tokens, value);
        break;
      }
      case 'copy': {
        const value = getAt(root, parsePointer(op.from));
        add(tokens, value);
        // The copied value is now reachable twice; forget ownership so any
        // later write through either path copies first.
        owned = new WeakSet<object>();
        break;
      }
      case 'test':
        if (!jsonEquals(getAt(root, tokens), op.value)) {
          throw new PatchError(`test failed at ${JSON.stringify(op.path)}`);
        }
        break;
    }
  });
  return root;
}
