import { describe, expect, it } from 'vitest';
import {
  formatHelp,
  intOption,
  numberOption,
  optionTable,
  parseCommand,
  UsageError,
} from '../../runtime/cli/args.js';

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

describe('option tables', () => {
  const table = optionTable({
    port: { type: 'string', default: '23012', arg: 'PORT', help: 'TCP port' },
    empty: { type: 'string', default: '', help: 'empty default' },
    tag: { type: 'string', multiple: true, arg: 'T', help: 'a tag' },
    verbose: { type: 'boolean', short: 'v', help: 'more logs' },
  });

  it('formatHelp lists every option of the table, its default and --help', () => {
    const help = formatHelp(['cmd [options]', 'cmd other'], 'Does things.', table);
    expect(help.split('\n')).toEqual([
      'usage: cmd [options]',
      '       cmd other',
      '',
      'Does things.',
      '',
      'options:',
      '  --port PORT    TCP port (default 23012)',
      "  --empty VALUE  empty default (default '')",
      '  --tag T        a tag (repeatable)',
      '  -v, --verbose  more logs',
      '  -h, --help     show this help',
      '',
    ]);
  });

  it('parseCommand: values with defaults, help requests, usage errors on one line', () => {
    expect(parseCommand(['-v', 'pos', '--tag', 'a', '--tag', 'b'], table)).toEqual({
      values: { port: '23012', empty: '', tag: ['a', 'b'], verbose: true },
      positionals: ['pos'],
    });
    expect(parseCommand(['x', '--help'], table)).toBe(null);
    expect(parseCommand(['-h'], table)).toBe(null);
    // after `--` it is a positional
    expect(parseCommand(['--', '--help'], table)?.positionals).toEqual(['--help']);
    expect(() => parseCommand(['--nope'], table)).toThrow(new UsageError('unknown option --nope'));
    expect(() => parseCommand(['--port'], table)).toThrow(UsageError);
    expect(() => parseCommand(['--verbose=1'], table)).toThrow(UsageError);
  });

  it('intOption and numberOption failures are usage errors', () => {
    expect(() => intOption('port', 'x', 0)).toThrow(UsageError);
  });
});
