// Protobuf peers from scripts/bench/peers/hat.proto, generated when the benchmark starts:
// protobufjs static code (`pbjs -t static-module --force-number`) and protobuf-es v2 code
// (`buf generate` with @bufbuild/protoc-gen-es, both from npm; no network).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import protobufjs from 'protobufjs/minimal.js';
import type { DescMessage } from '@bufbuild/protobuf';

export interface PbjsType {
  encode(value: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}

export async function protobufjsTypes(root: string): Promise<Record<string, PbjsType>> {
  const out = `${root}.bench-tmp/hat_pb.js`;
  mkdirSync(`${root}.bench-tmp`, { recursive: true });
  execFileSync(
    'npx',
    ['pbjs', '-t', 'static-module', '-w', 'es6', '--force-number', '--no-verify']
      .concat(['--no-convert', '--no-delimited', '--no-typeurl'])
      .concat(['scripts/bench/peers/hat.proto', '-o', out]),
    { cwd: root, stdio: 'ignore' },
  );
  // --force-number only changes the generated defaults: the reader decodes int64 to a Long
  // object whenever the `long` package is installed (it is, for protobufjs-cli). Without
  // util.Long the reader returns numbers, as the option means.
  protobufjs.util.Long = undefined as unknown as typeof protobufjs.util.Long;
  protobufjs.configure();
  // Its nesting limit is protoc's 100; the benchmark's tree is 500 deep (ours allows 1000).
  protobufjs.util.recursionLimit = 1000;
  (protobufjs.Reader as unknown as { recursionLimit: number }).recursionLimit = 1000;
  return (await import(out)) as Record<string, PbjsType>;
}

export async function protobufEsSchemas(root: string): Promise<Record<string, DescMessage>> {
  const template = {
    version: 'v2',
    plugins: [
      { local: 'protoc-gen-es', out: '.bench-tmp/es', opt: ['target=ts', 'import_extension=js'] },
    ],
  };
  execFileSync(
    'npx',
    ['buf', 'generate', 'scripts/bench/peers', '--template', JSON.stringify(template)],
    { cwd: root, stdio: 'ignore' },
  );
  return (await import(`${root}.bench-tmp/es/hat_pb.js`)) as Record<string, DescMessage>;
}
