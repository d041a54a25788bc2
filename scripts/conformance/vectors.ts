// Conformance vectors (`test/conformance/vectors/*.json`): loading them losslessly and
// converting between their JSON form and our JS value model, directed by the schema type.
// Shared by the conformance script and the tests.
import { readFile } from 'node:fs/promises';
import { findTypeDef, instantiate, typeToString } from '../../compiler/index.js';
import type { SbsEntry, SbsType, Schema } from 'hat-open-ts/schema';
import { JsonNumber, parseLosslessJson, type JsonValue } from './lossless-json.js';

export { JsonNumber, parseLosslessJson, type JsonValue } from './lossless-json.js';

export type IntegerMode = 'number' | 'bigint';

export interface Vector {
  /** Schema file name the vector was produced from, e.g. `interop.sbs`. */
  readonly schema: string;
  /** `Module.Type` (or a builtin name). */
  readonly type: string;
  readonly value: JsonValue;
  readonly hex: string;
}

export class VectorFormatError extends Error {
  override readonly name = 'VectorFormatError';
}

/**
 * Thrown when converting to 'number' mode meets an Integer outside ±(2^53-1): the value has
 * no number-mode form (its decode must fail with code 'range').
 */
export class UnsafeIntegerError extends Error {
  override readonly name = 'UnsafeIntegerError';
}

export function parseVectors(text: string): Vector[] {
  const json = parseLosslessJson(text);
  if (!Array.isArray(json)) throw new VectorFormatError('a vector file is a JSON array');
  return json.map((v, i) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber)
      throw new VectorFormatError(`vector ${i}: not an object`);
    const { schema, type, value, hex } = v;
    if (
      typeof schema !== 'string' ||
      typeof type !== 'string' ||
      typeof hex !== 'string' ||
      value === undefined
    )
      throw new VectorFormatError(
        `vector ${i}: needs string "schema", "type", "hex" and a "value"`,
      );
    if (!/^(?:[0-9a-f]{2})*$/.test(hex))
      throw new VectorFormatError(`vector ${i}: "hex" is not lower-case hex`);
    return { schema, type, value, hex };
  });
}

export async function readVectors(path: string): Promise<Vector[]> {
  return parseVectors(await readFile(path, 'utf8'));
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const BUILTINS = new Set(['None', 'Boolean', 'Integer', 'Float', 'String', 'Bytes']);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const SPECIAL_FLOATS: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity };

type Obj = { [key: string]: JsonValue };

function isObject(v: JsonValue): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** Converts vector JSON to and from the JS value model of one schema. */
export class VectorConverter {
  private readonly bodies = new Map<string, SbsType>();

  constructor(readonly schema: Schema) {}

  /** The model type of a vector's `type`: `Module.Type` or a builtin's bare name. */
  typeOf(name: string): SbsType {
    if (BUILTINS.has(name)) return { kind: name } as SbsType;
    const dot = name.indexOf('.');
    const module = name.slice(0, dot);
    const type = name.slice(dot + 1);
    if (dot < 0 || !findTypeDef(this.schema, module, type))
      throw new VectorFormatError(`unknown type ${name}`);
    return { kind: 'Ref', module, name: type, args: [] };
  }

  private body(t: Extract<SbsType, { kind: 'Ref' }>): SbsType {
    const key = typeToString(t);
    let body = this.bodies.get(key);
    if (!body) {
      const def = findTypeDef(this.schema, t.module, t.name);
      if (!def) throw new VectorFormatError(`unknown type ${key}`);
      body = instantiate(def, t.args);
      this.bodies.set(key, body);
    }
    return body;
  }

  /** Vector JSON -> JS value. Throws `UnsafeIntegerError` in 'number' mode for integers beyond 2^53. */
  toValue(t: SbsType, v: JsonValue, int: IntegerMode): unknown {
    const bad = (what: string): never => {
      throw new VectorFormatError(`expected ${what} for ${typeToString(t)}, got ${formatValue(v)}`);
    };
    switch (t.kind) {
      case 'None':
        return v === null ? null : bad('null');
      case 'Boolean':
        return typeof v === 'boolean' ? v : bad('a boolean');
      case 'String':
        return typeof v === 'string' ? v : bad('a string');
      case 'Integer': {
        if (!(v instanceof JsonNumber) || !/^-?\d+$/.test(v.text)) return bad('an integer');
        const n = BigInt(v.text);
        if (int === 'bigint') return n;
        if (n > MAX_SAFE || n < -MAX_SAFE)
          throw new UnsafeIntegerError(`${v.text} is beyond ±(2^53-1)`);
        return Number(n);
      }
      case 'Float':
        if (v instanceof JsonNumber) return Number(v.text);
        if (isObject(v) && typeof v.$float === 'string' && v.$float in SPECIAL_FLOATS)
          return SPECIAL_FLOATS[v.$float];
        return bad('a number or {"$float": ...}');
      case 'Bytes':
        if (isObject(v) && typeof v.$bytes === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(v.$bytes))
          return hexToBytes(v.$bytes);
        return bad('{"$bytes": hex}');
      case 'Array': {
        if (!Array.isArray(v)) return bad('an array');
        const element = t.element;
        return v.map((x) => this.toValue(element, x, int));
      }
      case 'Record': {
        if (!isObject(v)) return bad('an object');
        const names = new Set(t.entries.map((e) => e.name));
        for (const k of Object.keys(v)) if (!names.has(k)) bad(`no entry ${JSON.stringify(k)}`);
        const out: Record<string, unknown> = {};
        for (const e of t.entries) {
          const x = v[e.name];
          if (x === undefined) return bad(`entry ${JSON.stringify(e.name)}`);
          Object.defineProperty(out, e.name, {
            value: this.toValue(e.type, x, int),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      case 'Choice':
        return this.choiceToValue(t.entries, v, int, bad);
      case 'Optional': {
        const entries = optionalEntries(t.value);
        const c = this.choiceToValue(entries, v, int, bad);
        if (t.form === 'choice') return c;
        return c.type === 'none' ? null : c.value;
      }
      case 'Ref':
        return this.toValue(this.body(t), v, int);
      case 'Param':
        throw new VectorFormatError(`type parameter ${t.name} outside an instantiation`);
    }
  }

  private choiceToValue(
    entries: readonly SbsEntry[],
    v: JsonValue,
    int: IntegerMode,
    bad: (what: string) => never,
  ): { type: string; value: unknown } {
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string')
      return bad('["entry", value]');
    const name = v[0];
    const entry =
      entries.find((e) => e.name === name) ??
      bad(`one of the entries ${entries.map((e) => e.name).join(', ')}`);
    return { type: name, value: this.toValue(entry.type, v[1] as JsonValue, int) };
  }

  /** JS value -> vector JSON (the inverse of `toValue`), e.g. to show a decoded value in vector form. */
  toJson(t: SbsType, v: unknown): JsonValue {
    const bad = (): never => {
      throw new VectorFormatError(`value ${formatValue(v)} does not fit ${typeToString(t)}`);
    };
    switch (t.kind) {
      case 'None':
        return v === null ? null : bad();
      case 'Boolean':
        return typeof v === 'boolean' ? v : bad();
      case 'String':
        return typeof v === 'string' ? v : bad();
      case 'Integer':
        return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint'
          ? new JsonNumber(BigInt(v).toString())
          : bad();
      case 'Float':
        if (typeof v !== 'number') return bad();
        if (Number.isNaN(v)) return { $float: 'nan' };
        if (!Number.isFinite(v)) return { $float: v > 0 ? 'inf' : '-inf' };
        return new JsonNumber(Object.is(v, -0) ? '-0.0' : String(v));
      case 'Bytes':
        return v instanceof Uint8Array ? { $bytes: bytesToHex(v) } : bad();
      case 'Array':
        return Array.isArray(v) ? v.map((x) => this.toJson(t.element, x)) : bad();
      case 'Record': {
        if (typeof v !== 'object' || v === null) return bad();
        const out = Object.create(null) as Obj;
        for (const e of t.entries)
          out[e.name] = this.toJson(e.type, (v as Record<string, unknown>)[e.name]);
        return out;
      }
      case 'Choice':
        return this.choiceToJson(t.entries, v, bad);
      case 'Optional':
        if (t.form === 'choice') return this.choiceToJson(optionalEntries(t.value), v, bad);
        return v === null ? ['none', null] : ['value', this.toJson(t.value, v)];
      case 'Ref':
        return this.toJson(this.body(t), v);
      case 'Param':
        return bad();
    }
  }

  private choiceToJson(entries: readonly SbsEntry[], v: unknown, bad: () => never): JsonValue {
    if (typeof v !== 'object' || v === null) return bad();
    const { type, value } = v as { type?: unknown; value?: unknown };
    const entry = entries.find((e) => e.name === type) ?? bad();
    return [entry.name, this.toJson(entry.type, value)];
  }
}

function optionalEntries(value: SbsType): SbsEntry[] {
  return [
    { name: 'none', type: { kind: 'None' } },
    { name: 'value', type: value },
  ];
}

/**
 * Deep equality for the value model: -0 differs from 0, NaN equals NaN, a bigint never
 * equals a number, Uint8Arrays compare by content, objects by own enumerable keys.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length)
      return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  const oa = a as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(ob, k) && sameValue(oa[k], ob[k]));
}

/** Compact rendering of a JS value for failure messages: bigints get `n`, bytes show as hex. */
export function formatValue(v: unknown, limit = 300): string {
  const s = JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'number' && (!Number.isFinite(x) || Object.is(x, -0)))
      return Object.is(x, -0) ? '-0' : String(x);
    if (x instanceof Uint8Array) return `<bytes ${bytesToHex(x)}>`;
    if (x === undefined) return '<undefined>';
    if (x instanceof JsonNumber) return x.text;
    return x;
  });
  return s === undefined ? String(v) : s.length > limit ? `${s.slice(0, limit)}...` : s;
}
