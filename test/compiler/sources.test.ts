import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSources, SbsSchemaError } from '../../compiler/index.js';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sbs-sources-'));
  await mkdir(join(dir, 'b', 'nested'), { recursive: true });
  await mkdir(join(dir, 'a'), { recursive: true });
  await writeFile(join(dir, 'b', 'z.sbs'), 'module Z');
  await writeFile(join(dir, 'b', 'nested', 'y.sbs'), 'module Y');
  await writeFile(join(dir, 'a', 'x.sbs'), '\uFEFFmodule X # ž');
  await writeFile(join(dir, 'a', 'notes.txt'), 'ignored');
  await writeFile(join(dir, 'bad.sbs'), Buffer.from([0x6d, 0xff, 0xfe]));
  for (const skipped of ['node_modules/pkg', '.git', 'a/.cache']) {
    await mkdir(join(dir, skipped), { recursive: true });
    await writeFile(join(dir, skipped, 'other.sbs'), 'module Other');
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readSources', () => {
  it('reads directories recursively in sorted order, labelled by the given path', async () => {
    const sources = await readSources([join(dir, 'b'), join(dir, 'a')]);
    expect(sources).toEqual([
      { file: join(dir, 'b', 'nested', 'y.sbs'), text: 'module Y' },
      { file: join(dir, 'b', 'z.sbs'), text: 'module Z' },
      { file: join(dir, 'a', 'x.sbs'), text: 'module X # ž' },
    ]);
  });

  it('skips node_modules and dot-folders in a directory, but reads them when named', async () => {
    const sources = await readSources([join(dir, 'a')]);
    expect(sources.map((s) => s.file)).toEqual([join(dir, 'a', 'x.sbs')]);
    const named = await readSources([
      join(dir, 'node_modules'),
      join(dir, '.git', 'other.sbs'),
      join(dir, 'a', '.cache'),
    ]);
    expect(named.map((s) => s.file)).toEqual([
      join(dir, 'node_modules', 'pkg', 'other.sbs'),
      join(dir, '.git', 'other.sbs'),
      join(dir, 'a', '.cache', 'other.sbs'),
    ]);
  });

  it('keeps relative paths relative and reads a file given twice once', async () => {
    const rel = 'test/conformance/schemas/hat/chatter.sbs';
    const sources = await readSources([rel, rel]);
    expect(sources.map((s) => s.file)).toEqual([rel]);
    expect(sources[0]?.text).toMatch(/^module HatChatter/);
  });

  it('reports every unreadable path in one SbsSchemaError', async () => {
    const missing = join(dir, 'missing.sbs');
    const notSbs = join(dir, 'a', 'notes.txt');
    const bad = join(dir, 'bad.sbs');
    const err = await readSources([missing, notSbs, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SbsSchemaError);
    expect((err as SbsSchemaError).message).toBe(
      [
        `${missing}: no such file or directory`,
        `${notSbs}: not a .sbs file or a directory`,
        `${bad}: not valid UTF-8`,
      ].join('\n'),
    );
  });
});
