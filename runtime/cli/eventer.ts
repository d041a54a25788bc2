#!/usr/bin/env node
// hat-eventer: the example Eventer server and a command-line client (hat-event-manager's verbs).
import { runMain, UsageError } from './args.js';
import { CLIENT_VERBS, main as clientMain } from './eventer-client.js';
import { exportMain, importMain } from './eventer-migrate.js';
import { serverMain } from './eventer-server.js';

const HELP = `usage: hat-eventer <command> [options]

Eventer (hat-event's protocol) from the command line.

commands:
  server                              run an Eventer server (LMDB database, or --memory)
  import --from-hat PATH              copy a hat-event database's events into ours
  export --to-hat DIR                 write our events as a database hat-event opens
  register [options] EVENT_TYPE...    register events (payload: JSON from stdin or --payload-path)
  query latest|timeseries|server      query events
  subscribe [EVENT_TYPE...]           print events as they are registered (alias: watch)

Events are printed as JSON lines. Clients connect to 127.0.0.1:23012 unless given
--host/--port (or --address HOST:PORT). 'hat-eventer <command> --help' for its options.
`;

async function main(argv: readonly string[]): Promise<number | void> {
  const [verb, ...rest] = argv;
  if (verb === undefined)
    throw new UsageError(
      'expected a command: server, register, query, subscribe, import or export',
    );
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (verb === 'server') return serverMain(rest);
  if (verb === 'import') return importMain(rest);
  if (verb === 'export') return exportMain(rest);
  if ((CLIENT_VERBS as readonly string[]).includes(verb)) return clientMain(argv);
  throw new UsageError(`unknown command ${verb}`);
}

runMain('hat-eventer', () => main(process.argv.slice(2)));
