import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { HatDatabaseError } from './errors.js';
import { inspectLmdbHeader, LMDB_HEADER_BYTES } from './header.js';

// liblmdb 0.9 (data format 1) on a little-endian 64-bit host, as hat-event writes it.
// Layouts from lmdb.h / mdb.c 0.9: page header `mp_pgno` u64, `mp_pad` u16, `mp_flags` u16,
// `mp_lower`/`mp_upper` u16 (`mp_pages` u32 on overflow pages), then the node offsets.
const PAGE_HEADER = 16;
// Node: `mn_lo`, `mn_hi` (data size, or the low 32 bits of a child page number), `mn_flags`
// (the high 16 bits of a child page number on branch pages), `mn_ksize`, then key and data.
const NODE_HEADER = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const MDB_DUPSORT = 0x04;
/** `MDB_db`: md_pad u32, md_flags u16, md_depth u16, 3 page counts, md_entries, md_root. */
const DB_RECORD = 48;
/** liblmdb's CURSOR_STACK: no tree is deeper. */
const MAX_DEPTH = 32;
const P_INVALID = 0xffffffffffffffffn;

/** One B-tree's record (`MDB_db`): the main DB's from the meta page, a named DB's from the main DB. */
export interface LmdbTree {
  readonly flags: number;
  readonly depth: number;
  readonly branchPages: number;
  readonly leafPages: number;
  readonly overflowPages: number;
  readonly entries: number;
  /** `null` for an empty tree. */
  readonly root: number | null;
}

export interface LmdbFileOptions {
  /** Pages kept in memory (default 512). */
  readonly cachePages?: number;
  /** Largest value accepted (default 64 MiB): a damaged size never becomes a huge allocation. */
  readonly maxValueBytes?: number;
}

interface Page {
  readonly no: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly flags: number;
  readonly count: number;
}

/**
 * A read-only reader of an LMDB 0.9 (data format 1) file, without liblmdb: the newer valid
 * meta page, then B-tree pages read on demand through a small cache. Every page number,
 * offset and size is checked against the file before use, and every walk visits a page at
 * most once, so a damaged, truncated or foreign file gives a `HatDatabaseError`, never a hang
 * or a large allocation.
 *
 * Pages are read synchronously, one page (or one value's overflow pages) at a time, as a
 * memory-mapped liblmdb would fault them in: a thread-pool round trip per 4 KiB page cost
 * more than the read. The API stays asynchronous for callers.
 *
 * It takes no reader lock: a writer working on the file meanwhile may reuse pages under it
 * (read a database no server is writing).
 */
export class LmdbFile implements AsyncDisposable {
  /** Pages read from the file so far (a work count for tests and diagnostics). */
  pagesRead = 0;
  private readonly cache = new Map<number, Page>();
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly pageSize: number,
    /** Pages in use by the snapshot: the meta's last page + 1. */
    private readonly pagesInUse: number,
    /** Pages the file holds. */
    private readonly filePages: number,
    /** Transaction id of the meta page in use. */
    readonly txnId: bigint,
    readonly main: LmdbTree,
    private readonly cachePages: number,
    private readonly maxValueBytes: number,
  ) {}

  /** Opens `path` (a file, as hat-event's `subdir=False`). `HatDatabaseError` for anything but an LMDB 0.9 file. */
  static async open(path: string, options: LmdbFileOptions = {}): Promise<LmdbFile> {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new HatDatabaseError('not-found', `${path}: no such file`, { cause: e });
      throw e;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new HatDatabaseError('not-lmdb', `${path}: not a file`);
      const head = new Uint8Array(Math.min(stat.size, LMDB_HEADER_BYTES));
      const bytesRead = readSync(fd, head, 0, head.length, 0);
      const header = inspectLmdbHeader(head.subarray(0, bytesRead), stat.size);
      if (header.format === 'lmdb-format-2')
        throw new HatDatabaseError(
          'unsupported-format',
          `${path}: LMDB data format 2 (the lmdb npm package's); hat-event databases are format 1`,
        );
      if (header.format === 'truncated')
        throw new HatDatabaseError('truncated', `${path}: truncated LMDB file`);
      if (header.format !== 'lmdb-format-1')
        throw new HatDatabaseError('not-lmdb', `${path}: not an LMDB file`);
      const pageSize = header.pageSize;
      const filePages = Math.floor(stat.size / pageSize);
      const metas: Meta[] = [];
      for (const no of [0, 1]) {
        const bytes = new Uint8Array(pageSize);
        readFully(fd, bytes, no * pageSize, path);
        const meta = parseMeta(bytes, no, pageSize);
        if (meta !== null) metas.push(meta);
      }
      // liblmdb uses the meta with the higher txnid; a damaged one is skipped, as its
      // `mdb_env_pick_meta` would after a torn write.
      const meta = metas.sort((a, b) => (a.txnId < b.txnId ? 1 : a.txnId > b.txnId ? -1 : 0))[0];
      if (meta === undefined)
        throw new HatDatabaseError('corrupt', `${path}: no valid LMDB meta page`);
      // Pages past the file's end may be free ones liblmdb never wrote: only a tree page
      // there is an error, caught when it is read.
      return new LmdbFile(
        fd,
        pageSize,
        meta.lastPage + 1,
        filePages,
        meta.txnId,
        meta.main,
        options.cachePages ?? 512,
        options.maxValueBytes ?? 64 * 1024 * 1024,
      );
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** The named database `name` of the main DB, `null` when there is none. */
  async tree(name: string): Promise<LmdbTree | null> {
    const key = new TextEncoder().encode(name);
    const found = this.lookup(this.main, key);
    if (found === null) return null;
    const [flags, data] = found;
    if ((flags & F_SUBDATA) === 0 || data.length !== DB_RECORD)
      throw new HatDatabaseError('corrupt', `main DB entry ${name} is not a named database`);
    return parseTree(new DataView(data.buffer, data.byteOffset, data.byteLength), 0, name);
  }

  /** The value under `key`, `null` when absent. */
  async get(tree: LmdbTree, key: Uint8Array): Promise<Uint8Array | null> {
    const found = this.lookup(tree, key);
    return found === null ? null : found[1];
  }

  /** Every entry in key order. Each call walks the tree afresh; each page at most once. */
  async *entries(tree: LmdbTree): AsyncGenerator<[Uint8Array, Uint8Array]> {
    if (tree.root === null) return;
    const visited = new Set<number>();
    const stack: { page: Page; next: number }[] = [];
    const enter = (no: number): void => {
      if (visited.has(no))
        throw new HatDatabaseError('corrupt', `page ${no} is reached twice (a page cycle)`);
      visited.add(no);
      const page = this.treePage(no, stack.length + 1, tree);
      stack.push({ page, next: 0 });
    };
    enter(tree.root);
    let last: Uint8Array | null = null;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return;
      const { page } = top;
      if (top.next >= page.count) {
        stack.pop();
        continue;
      }
      const i = top.next++;
      if (page.flags & P_BRANCH) {
        enter(childOf(page, i, this.pageSize));
        continue;
      }
      const node = nodeAt(page, i, this.pageSize);
      if (last !== null && compareKeys(last, node.key) >= 0)
        throw new HatDatabaseError('corrupt', `page ${page.no}: keys out of order`);
      last = node.key;
      yield [node.key, this.leafValue(page, node)];
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    closeSync(this.fd);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private lookup(tree: LmdbTree, key: Uint8Array): [number, Uint8Array] | null {
    if (tree.root === null) return null;
    let no = tree.root;
    // Each step goes one level down and the depth is checked, so this ends.
    for (let level = 1; ; level++) {
      const page = this.treePage(no, level, tree);
      if (page.flags & P_BRANCH) {
        // The last child whose separator key is <= key (the first separator is implicit).
        let lo = 1;
        let hi = page.count;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (compareKeys(nodeAt(page, mid, this.pageSize).key, key) <= 0) lo = mid + 1;
          else hi = mid;
        }
        no = childOf(page, lo - 1, this.pageSize);
        continue;
      }
      let lo = 0;
      let hi = page.count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const node = nodeAt(page, mid, this.pageSize);
        const c = compareKeys(node.key, key);
        if (c === 0) return [node.flags, this.leafValue(page, node)];
        if (c < 0) lo = mid + 1;
        else hi = mid;
      }
      return null;
    }
  }

  /** A branch or leaf page of `tree` at `level` (1 = root), its kind checked against the depth. */
  private treePage(no: number, level: number, tree: LmdbTree): Page {
    if (level > tree.depth || level > MAX_DEPTH)
      throw new HatDatabaseError('corrupt', `page ${no}: tree deeper than its depth ${tree.depth}`);
    const page = this.page(no);
    const want = level === tree.depth ? P_LEAF : P_BRANCH;
    if ((page.flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META | P_LEAF2)) !== want)
      throw new HatDatabaseError(
        'corrupt',
        `page ${no}: expected a ${want === P_LEAF ? 'leaf' : 'branch'} page at level ${level}`,
      );
    if (want === P_BRANCH && page.count === 0)
      throw new HatDatabaseError('corrupt', `page ${no}: empty branch page`);
    return page;
  }

  private cached(no: number): Page | undefined {
    const page = this.cache.get(no);
    if (page !== undefined) {
      this.cache.delete(no);
      this.cache.set(no, page);
    }
    return page;
  }

  private page(no: number): Page {
    const cached = this.cached(no);
    if (cached !== undefined) return cached;
    this.checkPageNo(no, 1);
    const bytes = new Uint8Array(this.pageSize);
    this.read(bytes, no * this.pageSize);
    this.pagesRead++;
    const view = new DataView(bytes.buffer);
    if (view.getBigUint64(0, true) !== BigInt(no))
      throw new HatDatabaseError('corrupt', `page ${no}: page header names another page`);
    const flags = view.getUint16(10, true);
    const lower = view.getUint16(12, true);
    const upper = view.getUint16(14, true);
    let count = 0;
    if (flags & (P_BRANCH | P_LEAF)) {
      if (lower < PAGE_HEADER || upper < lower || upper > this.pageSize || (lower & 1) !== 0)
        throw new HatDatabaseError('corrupt', `page ${no}: bad free-space bounds`);
      count = (lower - PAGE_HEADER) >>> 1;
    }
    const page = { no, bytes, view, flags, count };
    this.cache.set(no, page);
    if (this.cache.size > this.cachePages) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return page;
  }

  private leafValue(page: Page, node: Node): Uint8Array {
    if (node.flags & F_DUPDATA)
      throw new HatDatabaseError(
        'unsupported-version',
        `page ${page.no}: duplicate-sorted data (hat-event's databases have none)`,
      );
    if (node.size > this.maxValueBytes)
      throw new HatDatabaseError('corrupt', `page ${page.no}: value of ${node.size} bytes`);
    if ((node.flags & F_BIGDATA) === 0) {
      if (node.dataAt + node.size > this.pageSize)
        throw new HatDatabaseError('corrupt', `page ${page.no}: value runs past the page`);
      return page.bytes.slice(node.dataAt, node.dataAt + node.size);
    }
    if (node.dataAt + 8 > this.pageSize)
      throw new HatDatabaseError('corrupt', `page ${page.no}: overflow page number past the page`);
    const no = pageNumber(page.view.getBigUint64(node.dataAt, true), page.no);
    this.checkPageNo(no, 1);
    const head = new Uint8Array(PAGE_HEADER);
    this.read(head, no * this.pageSize);
    const hv = new DataView(head.buffer);
    if (hv.getBigUint64(0, true) !== BigInt(no) || (hv.getUint16(10, true) & P_OVERFLOW) === 0)
      throw new HatDatabaseError('corrupt', `page ${no}: expected an overflow page`);
    const pages = hv.getUint32(12, true);
    this.checkPageNo(no, pages);
    if (pages === 0 || node.size > pages * this.pageSize - PAGE_HEADER)
      throw new HatDatabaseError('corrupt', `page ${no}: value larger than its overflow pages`);
    const value = new Uint8Array(node.size);
    this.read(value, no * this.pageSize + PAGE_HEADER);
    this.pagesRead += pages;
    return value;
  }

  /** Pages `no .. no + n - 1` lie inside the snapshot and the file. */
  private checkPageNo(no: number, n: number): void {
    if (no < 2)
      throw new HatDatabaseError('corrupt', `page ${no}: a meta page where a data page belongs`);
    // Beyond the last page in use is a bad pointer; within it but beyond the file's end, the
    // file lost its tail.
    if (no + n > this.pagesInUse)
      throw new HatDatabaseError('corrupt', `page ${no + n - 1} is past the last page in use`);
    if (no + n > this.filePages)
      throw new HatDatabaseError('truncated', `page ${no + n - 1} is past the end of the file`);
  }

  private read(into: Uint8Array, position: number): void {
    if (this.closed) throw new HatDatabaseError('corrupt', 'database closed');
    readFully(this.fd, into, position, 'database');
  }
}

interface Meta {
  readonly txnId: bigint;
  readonly lastPage: number;
  readonly main: LmdbTree;
}

/** Meta page `no`, or `null` when it is not a valid format-1 meta page of this page size. */
function parseMeta(bytes: Uint8Array, no: number, pageSize: number): Meta | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = PAGE_HEADER;
  if (
    v.getBigUint64(0, true) !== BigInt(no) ||
    (v.getUint16(10, true) & P_META) === 0 ||
    v.getUint32(m, true) !== 0xbeefc0de ||
    (v.getUint32(m + 4, true) & 0xffff) !== 1 ||
    v.getUint32(m + 24, true) !== pageSize
  )
    return null;
  const lastPage = v.getBigUint64(m + 120, true);
  if (lastPage > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  try {
    return {
      txnId: v.getBigUint64(m + 128, true),
      lastPage: Number(lastPage),
      main: parseTree(v, m + 24 + DB_RECORD, 'main'),
    };
  } catch {
    return null;
  }
}

function parseTree(v: DataView, at: number, name: string): LmdbTree {
  const flags = v.getUint16(at + 4, true);
  const depth = v.getUint16(at + 6, true);
  const root = v.getBigUint64(at + 40, true);
  if (flags & MDB_DUPSORT)
    throw new HatDatabaseError(
      'unsupported-version',
      `${name}: a duplicate-sorted database (hat-event's databases have none)`,
    );
  if (depth > MAX_DEPTH || (root === P_INVALID) !== (depth === 0))
    throw new HatDatabaseError('corrupt', `${name}: bad tree record (depth ${depth})`);
  const count = (off: number): number => Number(v.getBigUint64(at + off, true));
  return {
    flags,
    depth,
    branchPages: count(8),
    leafPages: count(16),
    overflowPages: count(24),
    entries: count(32),
    root: root === P_INVALID ? null : pageNumber(root, -1),
  };
}

function pageNumber(n: bigint, from: number): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new HatDatabaseError('corrupt', `page ${from}: page number ${n} out of range`);
  return Number(n);
}

interface Node {
  readonly flags: number;
  readonly key: Uint8Array;
  /** Data size (leaf nodes). */
  readonly size: number;
  /** Offset of the data in the page. */
  readonly dataAt: number;
}

function nodeAt(page: Page, i: number, pageSize: number): Node {
  const { view, no } = page;
  const ptr = view.getUint16(PAGE_HEADER + 2 * i, true);
  if (ptr < PAGE_HEADER + 2 * page.count || ptr + NODE_HEADER > pageSize)
    throw new HatDatabaseError('corrupt', `page ${no}: node ${i} outside the page`);
  const size = view.getUint16(ptr, true) + view.getUint16(ptr + 2, true) * 0x10000;
  const flags = view.getUint16(ptr + 4, true);
  const ksize = view.getUint16(ptr + 6, true);
  const keyAt = ptr + NODE_HEADER;
  if (keyAt + ksize > pageSize)
    throw new HatDatabaseError('corrupt', `page ${no}: key of node ${i} runs past the page`);
  return { flags, key: page.bytes.subarray(keyAt, keyAt + ksize), size, dataAt: keyAt + ksize };
}

function childOf(page: Page, i: number, pageSize: number): number {
  const ptr = page.view.getUint16(PAGE_HEADER + 2 * i, true);
  if (ptr < PAGE_HEADER + 2 * page.count || ptr + NODE_HEADER > pageSize)
    throw new HatDatabaseError('corrupt', `page ${page.no}: node ${i} outside the page`);
  const v = page.view;
  // 48-bit page number: mn_lo | mn_hi << 16 | mn_flags << 32.
  return (
    v.getUint16(ptr, true) +
    v.getUint16(ptr + 2, true) * 0x10000 +
    v.getUint16(ptr + 4, true) * 0x100000000
  );
}

/** liblmdb's default key order (`mdb_cmp_memn`): bytes, then length. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function readFully(fd: number, into: Uint8Array, position: number, what: string): void {
  let done = 0;
  while (done < into.length) {
    const bytesRead = readSync(fd, into, done, into.length - done, position + done);
    if (bytesRead === 0)
      throw new HatDatabaseError('truncated', `${what}: file ends at byte ${position + done}`);
    done += bytesRead;
  }
}
