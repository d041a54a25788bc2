// The CLI from sources (the bin script runs the built dist), for tests that need a process.
import { main } from '../../../compiler/cli.js';

process.exitCode = await main(process.argv.slice(2));
