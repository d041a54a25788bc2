import { PatchError } from './errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.js';
import { getOwn, setOwn } from './own-property.js';

/** hat-json path: a key, an index, or a (nested) list of them; `[]` is the root. */
export type JsonPath = string | number | readonly JsonPath[];

export type ChangeListener = (data: JsonValue) => void;

/** Read side of a JSON store (what a client exposes as its state mirror). */
export interface ReadonlyJsonStore {
  readonly data: JsonValue;
  get(path?: JsonPath): JsonValue;
  /** Registers a change listener; returns a function that unregisters it. */
  onChange(listener: ChangeListener): () => void;
}

function flattenPath(path: JsonPath, out: (string | number)[] = []): (string | number)[] {
  if (Array.isArray(path)) {
    for (const p of path as readonly JsonPath[]) flattenPath(p, out);
  } else {
    out.push(path as string | number);
  }
  return out;
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0) throw new PatchError(`invalid array index ${index}`);
}

export function getIn(data: JsonValue, path: JsonPath): JsonValue {
  let cur: JsonValue | undefined = data;
  for (const key of flattenPath(path)) {
    if (typeof key === 'number') cur = Array.isArray(cur) ? cur[key] : undefined;
    else cur = isJsonObject(cur) ? getOwn(cur, key) : undefined;
    if (cur === undefined) return null;
  }
  return cur;
}

function setAt(
  data: JsonValue,
  keys: readonly (string | number)[],
  i: number,
  value: JsonValue | undefined,
): JsonValue | undefined {
  if (i === keys.length) return value;
  const key = keys[i] as string | number;
  if (typeof key === 'number') {
    checkIndex(key);
    const arr = Array.isArray(data) ? data.slice() : [];
    if (value === undefined && key >= arr.length) return data;
    while (arr.length < key) arr.push(null);
    const next = setAt(arr[key] ?? null, keys, i + 1, value);
    if (next === undefined) arr.splice(key, 1);
    else arr[key] = next;
    return arr;
  }
  const obj: JsonObject = isJsonObject(data) ? { ...data } : {};
  if (value === undefined && i === keys.length - 1) {
    if (!Object.hasOwn(obj, key)) return data;
    delete obj[key];
    return obj;
  }
  const next = setAt(getOwn(obj, key) ?? null, keys, i + 1, value);
  if (next !== undefined) setOwn(obj, key, next);
  return obj;
}

/**
 * An immutable-value JSON store like hat-json's `Storage`: `set`/`remove`
 * build new containers along the path (untouched branches are shared, nothing
 * is mutated) and always notify listeners synchronously with the new root.
 * Missing containers are created (objects for string keys, arrays padded with
 * null for indices).
 */
export class JsonStore implements ReadonlyJsonStore {
  private value: JsonValue;
  private readonly listeners = new Set<ChangeListener>();

  constructor(data: JsonValue = null) {
    this.value = data;
  }

  get data(): JsonValue {
    return this.value;
  }

  get(path: JsonPath = []): JsonValue {
    return getIn(this.value, path);
  }

  set(path: JsonPath, value: JsonValue): void {
    this.replace(setAt(this.value, flattenPath(path), 0, value) ?? null);
  }

  remove(path: JsonPath): void {
    this.replace(setAt(this.value, flattenPath(path), 0, undefined) ?? null);
  }

  onChange(listener: ChangeListener): () => void {
    const entry: ChangeListener = (d) => listener(d);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  private replace(data: JsonValue): void {
    this.value = data;
    for (const listener of [...this.listeners]) listener(data);
  }
}
