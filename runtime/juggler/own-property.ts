// Own-property access for JSON objects built from untrusted input (patches, paths).
import type { JsonObject, JsonValue } from '../json-value.js';

/**
 * Writes `obj[key] = value` as an own data property. Plain assignment with
 * key `__proto__` would replace the object's prototype instead (prototype
 * pollution through patches or paths), so that key goes through defineProperty.
 */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/** Reads an own property only, so `constructor`/`__proto__` of `{}` are "missing". */
export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
