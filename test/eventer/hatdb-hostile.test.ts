// Damaged, truncated and foreign files: a typed error (or, where the damage missed every page
// in use, the complete database), never a hang, a crash or unbounded work. Work is counted
// in pages read, not timed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HatDatabase,
  HatDatabaseError,
  hatDatabaseFormat,
  inspectLmdbHeader,
  LmdbFile,
  readHatDatabase,
  type HatDatabaseErrorCode,
} from '../../runtime/eventer/lmdb/hat/index.js';
import { lmdbFileSource } from '../../runtime/eventer/lmdb/hat/kv-source.js';
import { eventJson, fixture, FIXTURES } from './hatdb-support.js';

const tmp = mkdtempSync(join(tmpdir(), 'hatdb-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const mixed = fixture('mixed');
const original = readFileSync(mixed.db);
const PAGE = 4096;
const filePages = original.length / PAGE;
const FORMAT_2 = `${FIXTURES}foreign/lmdb-js-format-2.mdb`;
const OTHER_1 = `${FIXTURES}foreign/other-format-1.mdb`;

let n = 0;
function write(bytes: Uint8Array): string {
  const p = join(tmp, `case-${n++}.mdb`);
  writeFileSync(p, bytes);
  return p;
}

type Outcome =
  | { ok: true; events: unknown[]; pagesRead: number }
  | { ok: false; code: HatDatabaseErrorCode; pagesRead: number };

/** Reads everything; any error but a HatDatabaseError fails the test. */
async function readAll(path: string): Promise<Outcome> {
  let file: LmdbFile | null = null;
  try {
    file = await LmdbFile.open(path);
    const db = await HatDatabase.load(lmdbFileSource(file));
    const events: unknown[] = [];
    for await (const s of db.events()) events.push(eventJson(s.event));
    return { ok: true, events, pagesRead: file.pagesRead };
  } catch (e) {
    if (!(e instanceof HatDatabaseError)) throw e;
    return { ok: false, code: e.code, pagesRead: file?.pagesRead ?? 0 };
  } finally {
    await file?.close();
  }
}

async function codeOf(p: Promise<unknown>): Promise<HatDatabaseErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof HatDatabaseError) return e.code;
    throw e;
  }
}

/** A copy of the fixture with `edit` applied. */
function edited(edit: (b: Buffer, v: DataView) => void): string {
  const b = Buffer.from(original);
  edit(b, new DataView(b.buffer, b.byteOffset, b.byteLength));
  return write(b);
}

async function treeRoot(name: string): Promise<number> {
  await using f = await LmdbFile.open(mixed.db);
  const t = await f.tree(name);
  if (t?.root == null) throw new Error(`no ${name}`);
  return t.root;
}

/** Byte offset of node `i` of page `page`. */
function nodeAt(v: DataView, page: number, i: number): number {
  return page * PAGE + v.getUint16(page * PAGE + 16 + 2 * i, true);
}

describe('hatDatabaseFormat', () => {
  it('tells format 1, format 2, foreign, truncated and missing files apart', async () => {
    expect(await hatDatabaseFormat(mixed.db)).toBe('lmdb-format-1');
    expect(await hatDatabaseFormat(OTHER_1)).toBe('lmdb-format-1');
    expect(await hatDatabaseFormat(FORMAT_2)).toBe('lmdb-format-2');
    expect(await hatDatabaseFormat(`${FIXTURES}README.md`)).toBe('not-lmdb');
    expect(await hatDatabaseFormat(write(new Uint8Array(0)))).toBe('truncated');
    expect(await hatDatabaseFormat(write(original.subarray(0, 20)))).toBe('truncated');
    expect(await hatDatabaseFormat(write(original.subarray(0, 3)))).toBe('truncated');
    expect(await hatDatabaseFormat(write(original.subarray(0, PAGE + 100)))).toBe('truncated');
    expect(await hatDatabaseFormat(write(new Uint8Array(8192).fill(7)))).toBe('not-lmdb');
    expect(await hatDatabaseFormat(join(tmp, 'nothing-here'))).toBe('missing');
    const dir = join(tmp, 'folder');
    mkdirSync(dir);
    expect(await hatDatabaseFormat(dir)).toBe('missing');
    writeFileSync(join(dir, 'data.mdb'), readFileSync(FORMAT_2));
    expect(await hatDatabaseFormat(dir)).toBe('lmdb-format-2');
  });

  it('an unknown data version or page size is not LMDB for us', () => {
    const head = new Uint8Array(original.subarray(0, 64));
    const v = new DataView(head.buffer);
    v.setUint32(20, 999, true);
    expect(inspectLmdbHeader(head, original.length).format).toBe('not-lmdb');
    v.setUint32(20, 1, true);
    v.setUint32(40, 1000, true);
    expect(inspectLmdbHeader(head, original.length).format).toBe('not-lmdb');
  });
});

describe('readHatDatabase on files that are not hat-event 0.9 databases', () => {
  it('gives a typed error naming what the file is', async () => {
    expect(await codeOf(readHatDatabase(FORMAT_2))).toBe('unsupported-format');
    expect(await codeOf(readHatDatabase(OTHER_1))).toBe('unsupported-version');
    expect(await codeOf(readHatDatabase(`${FIXTURES}README.md`))).toBe('not-lmdb');
    expect(await codeOf(readHatDatabase(join(tmp, 'nothing-here')))).toBe('not-found');
    expect(await codeOf(readHatDatabase(write(original.subarray(0, 100))))).toBe('truncated');
  });

  it('rejects a settings version other than 0.9', async () => {
    // "0.9" is JSON text in SYSTEM_SETTINGS; an older layout says e.g. "0.7".
    const at = original.indexOf(Buffer.from('"0.9"'));
    expect(at).toBeGreaterThan(0);
    const p = edited((b) => b.write('"0.7"', at));
    expect(await codeOf(readHatDatabase(p))).toBe('unsupported-version');
  });
});

describe('damaged hat-event databases', () => {
  let full: Outcome;

  it('the undamaged fixture reads completely', async () => {
    full = await readAll(mixed.db);
    expect(full.ok).toBe(true);
    if (full.ok) expect(full.events).toEqual(mixed.answers.events);
  });

  it('truncated anywhere: an error, or everything (never part of it)', async () => {
    const codes = new Set<string>();
    for (let size = 0; size < original.length; size += 2048) {
      const r = await readAll(write(original.subarray(0, size + (size % 4096 === 0 ? 0 : 77))));
      if (r.ok) expect(r.events).toEqual(mixed.answers.events);
      else codes.add(r.code);
      expect(r.pagesRead).toBeLessThanOrEqual(filePages * 2);
    }
    expect(codes).toContain('truncated');
  });

  it('a flipped byte anywhere: an error or a complete read, with bounded work', async () => {
    const codes = new Set<string>();
    for (let at = 0; at < original.length; at += 1531) {
      const r = await readAll(edited((b) => (b[at] = (b[at] as number) ^ 0xff)));
      if (!r.ok) codes.add(r.code);
      // Each page once per walk, plus lookups of at most the tree depth per event.
      expect(r.pagesRead).toBeLessThanOrEqual(filePages * 8);
    }
    expect(codes.size).toBeGreaterThan(1);
  });

  it('a page cycle (two branch entries to one page, or a branch to its own ancestor)', async () => {
    const root = await treeRoot('REF');
    const child = (v: DataView, i: number): number => nodeAt(v, root, i);
    const twice = edited((_, v) => {
      const a = child(v, 0);
      const b = child(v, 1);
      for (const off of [0, 2, 4]) v.setUint16(b + off, v.getUint16(a + off, true), true);
    });
    const r1 = await readAll(twice);
    expect(r1).toMatchObject({ ok: false, code: 'corrupt' });
    const self = edited((_, v) => {
      const a = child(v, 1);
      v.setUint16(a, root & 0xffff, true);
      v.setUint16(a + 2, root >>> 16, true);
      v.setUint16(a + 4, 0, true);
    });
    const r2 = await readAll(self);
    expect(r2).toMatchObject({ ok: false, code: 'corrupt' });
    expect(r1.pagesRead + r2.pagesRead).toBeLessThan(filePages * 2);
  });

  it('page numbers past the end, huge counts and sizes', async () => {
    const root = await treeRoot('REF');
    const past = edited((_, v) => v.setUint16(nodeAt(v, root, 1) + 4, 0x100, true));
    expect(await readAll(past)).toMatchObject({ ok: false, code: 'corrupt' });
    const lower = edited((_, v) => v.setUint16(root * PAGE + 12, 0xfffe, true));
    expect(await readAll(lower)).toMatchObject({ ok: false, code: 'corrupt' });

    const latest = await treeRoot('LATEST_DATA');
    const big = (v: DataView): number => {
      for (let i = 0; ; i++) {
        const node = nodeAt(v, latest, i);
        if (v.getUint16(node + 4, true) & 1) return node;
      }
    };
    const hugeValue = edited((_, v) => v.setUint16(big(v) + 2, 0xffff, true));
    expect(await readAll(hugeValue)).toMatchObject({ ok: false, code: 'corrupt' });
    const hugePages = edited((_, v) => {
      const node = big(v);
      const overflow = Number(v.getBigUint64(node + 8 + v.getUint16(node + 6, true), true));
      v.setUint32(overflow * PAGE + 12, 0xffffffff, true);
    });
    expect(await readAll(hugePages)).toMatchObject({ ok: false, code: 'corrupt' });
  });

  it('a damaged newer meta page falls back to the older snapshot', async () => {
    await using f = await LmdbFile.open(mixed.db);
    const newer = Number(f.txnId % 2n);
    const p = edited((_, v) => v.setUint32(newer * PAGE + 16 + 128, 0, true)); // txnid → older
    const r = await readAll(p);
    // The older snapshot is intact in a file hat closed cleanly: one commit fewer.
    expect(r.ok).toBe(true);
    const both = edited((_, v) => {
      v.setUint16(10, 0, true);
      v.setUint16(PAGE + 10, 0, true);
    });
    expect(await readAll(both)).toMatchObject({ ok: false, code: 'corrupt' });
  });
});
