// Checks for numeric options of the transports, made when a connection or server is opened:
// NaN, a negative size or a fractional count would otherwise switch a limit off or wedge the
// connection long after the call that passed it.

/** Node's largest timer delay; longer ones fire after 1 ms instead. */
export const MAX_DELAY = 2 ** 31 - 1;

/** Throws RangeError unless `value` is a number in [`min`, `max`] (an integer when asked). */
export function checkOption(
  name: string,
  value: unknown,
  min: number,
  integer = false,
  max = Infinity,
): void {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} ${range}`);
  }
}

/** A delay in milliseconds for setTimeout: in [0, MAX_DELAY]. */
export function checkDelay(name: string, value: unknown): void {
  checkOption(name, value, 0, false, MAX_DELAY);
}
