// One check for numeric options, made when the call that takes them starts: NaN, a negative
// size or a fractional count would otherwise switch a limit off or wedge a connection long
// after that call. Each module throws the error type its documentation names (RangeError for
// the transports, TypeError for SBS decode limits, EventerValueError for Eventer).

/** Node's largest timer delay; longer ones fire after 1 ms instead. */
export const MAX_DELAY = 2 ** 31 - 1;

/** Throws `error` unless `value` is a number in [`min`, `max`] (an integer when asked). */
export function checkOption(
  name: string,
  value: unknown,
  min: number,
  integer = false,
  max = Infinity,
  error: new (message: string) => Error = RangeError,
): void {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'integer' : 'number';
    const what =
      max !== Infinity
        ? `a ${kind} in [${min}, ${max}]`
        : min === 0
          ? `a non-negative ${kind}`
          : `${integer ? 'an' : 'a'} ${kind} >= ${min}`;
    const got = typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value;
    throw new error(`${name} must be ${what}, got ${got}`);
  }
}

/** A delay in milliseconds for setTimeout: in [0, MAX_DELAY]. */
export function checkDelay(name: string, value: unknown): void {
  checkOption(name, value, 0, false, MAX_DELAY);
}

/**
 * The value of option `name`, or of its deprecated alias `alias` when only that is given (old
 * option names keep working for one release). Both given with different values is a
 * TypeError: silently preferring one would hide a caller's mistake.
 */
export function aliasedOption<O extends object, K extends keyof O, A extends keyof O>(
  options: O,
  name: K,
  alias: A,
): O[K] | O[A] | undefined {
  const value = options[name];
  const old = options[alias];
  if (value !== undefined && old !== undefined && !Object.is(value, old)) {
    throw new TypeError(
      `${String(name)} (${String(value)}) and its deprecated alias ${String(alias)} (${String(old)}) differ; give only ${String(name)}`,
    );
  }
  return value ?? old;
}
