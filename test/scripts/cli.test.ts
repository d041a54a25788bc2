import { describe, expect, it } from 'vitest';
import { intOption, numberOption } from '../../runtime/cli/args.js';

describe('script options', () => {
  it('numberOption accepts numbers in range and rejects the rest with the option name', () => {
    expect(numberOption('seconds', '2.5', 0)).toBe(2.5);
    expect(numberOption('seconds', undefined, 0)).toBeUndefined();
    for (const bad of ['abc', '', ' ', '-1', 'NaN', '1e400'])
      expect(() => numberOption('seconds', bad, 0, 1e9)).toThrow(`invalid --seconds ${bad}`);
  });

  it('intOption also rejects fractions and respects max', () => {
    expect(intOption('port', '8080', 0, 65535)).toBe(8080);
    expect(() => intOption('size', '1.5', 0)).toThrow('invalid --size 1.5');
    expect(() => intOption('port', '65536', 0, 65535)).toThrow('invalid --port 65536');
    expect(() => intOption('size', '9007199254740993', 0)).toThrow();
  });
});
