#!/usr/bin/env node
// hat-chatter: Chatter echo server and load client.
import { runMain, UsageError } from './args.js';
import { echoMain } from './chatter-echo.js';
import { loadMain } from './chatter-load.js';

const HELP = `usage: hat-chatter <command> [options]

Chatter (hat-drivers' protocol) tools.

commands:
  echo [HOST:PORT]    run an echo server (default 127.0.0.1:0, any free port)
  load HOST:PORT      measure requests per second against an echo server

'hat-chatter <command> --help' for its options.
`;

async function main(argv: readonly string[]): Promise<number | void> {
  const [verb, ...rest] = argv;
  if (verb === undefined) throw new UsageError('expected a command: echo or load');
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (verb === 'echo') return echoMain(rest);
  if (verb === 'load') return loadMain(rest);
  throw new UsageError(`unknown command ${verb}`);
}

runMain('hat-chatter', () => main(process.argv.slice(2)));
