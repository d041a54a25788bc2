// Every ```ts block of README.md type-checks under the project's strict settings, so the
// examples follow the API as it changes. Each block is its own module, placed (in memory) at
// the repository root: `./generated/index.js` resolves as the README writes it, and
// `hat-open-ts/*` resolves to the sources through tsconfig.json's `paths`.
// One program serves every block, so the shared runtime and lib types are checked once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const README = join(ROOT, 'README.md');

interface Block {
  /** 1-based README line of the first code line (the one after the fence). */
  line: number;
  code: string;
  file: string;
}

function extractBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', tag] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(fence)) end++;
    if (tag === 'ts' || tag === 'typescript') {
      const line = i + 2;
      blocks.push({
        line,
        // Blocks nested in a list item carry the item's indentation.
        code: lines
          .slice(i + 1, end)
          .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
          .join('\n'),
        file: join(ROOT, `README.md.L${line}.ts`),
      });
    }
    i = end;
  }
  return blocks;
}

const blocks = extractBlocks(readFileSync(README, 'utf8'));

function compilerOptions(): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('cannot read tsconfig.json');
  return {
    ...config.options,
    noEmit: true,
    // A block without imports is still a module of its own, not a script sharing globals.
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
}

function format(block: Block, d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `README.md:${block.line}: TS${d.code}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const where =
    d.file.fileName === block.file
      ? `README.md:${block.line + line}:${character + 1}`
      : `${d.file.fileName}:${line + 1}:${character + 1}`;
  return `${where}: TS${d.code}: ${text}`;
}

describe('README.md TypeScript examples', () => {
  let program: ts.Program;

  beforeAll(() => {
    const options = compilerOptions();
    const host = ts.createCompilerHost(options);
    const virtual = new Map(blocks.map((b) => [b.file, b.code]));
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
    host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
    host.getSourceFile = (f, lang, ...rest) => {
      const code = virtual.get(f);
      return code === undefined
        ? getSourceFile.call(host, f, lang, ...rest)
        : ts.createSourceFile(f, code, lang);
    };
    program = ts.createProgram({
      rootNames: blocks.map((b) => b.file),
      options,
      host,
    });
  });

  it('finds the examples', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  it('resolves hat-open-ts/* to the sources, not to dist/', () => {
    const files = program.getSourceFiles().map((f) => f.fileName);
    expect(files).toContain(join(ROOT, 'runtime/sbs/index.ts'));
    expect(files.filter((f) => f.includes('/dist/'))).toEqual([]);
  });

  it.each(blocks.map((b) => [b.line, b] as const))('block at line %i type-checks', (_, block) => {
    const sf = program.getSourceFile(block.file)!;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sf),
      ...program.getSemanticDiagnostics(sf),
    ].map((d) => format(block, d));
    expect(diagnostics).toEqual([]);
  });
});
