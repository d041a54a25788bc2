// The generated TypeScript API, checked by the type checker (`npm run typecheck` covers
// test/): Choice unions narrow in a switch and support exhaustiveness checks, Optional is
// `T | null` where lossless and a tagged union where not, optional properties, bigint mode.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { compileSchema } from '../../compiler/index.js';
import { generateFiles } from '../../compiler/generate.js';
import type { Codec } from '../../runtime/sbs/index.js';
import { HatEventer } from '../../generated/index.js';
import type { Interop as NumberInterop } from '../golden/number/index.js';
import { Interop as BigintInterop } from '../golden/bigint/index.js';
import { repositoryFromText } from '../../compiler/index.js';

const root = join(import.meta.dirname, '../..');

/** Writes the code generated for `text` to a fresh directory for `use`, then removes it. */
async function withGenerated<T>(
  text: string,
  use: (dir: string, paths: string[]) => T | Promise<T>,
): Promise<T> {
  const files = await generateFiles(compileSchema([{ file: 'm.sbs', text }]), {
    runtimeImport: join(root, 'runtime/sbs/index.js'),
  });
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, '.tmp/generated-types-'));
  try {
    for (const f of files) writeFileSync(join(dir, f.path), f.content);
    return await use(
      dir,
      files.map((f) => join(dir, f.path)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The generated module M of `text`, imported. */
function importGenerated<T>(
  text: string,
  use: (m: Record<string, Codec<unknown>>) => T,
): Promise<T> {
  return withGenerated(text, async (dir) =>
    use((await import(join(dir, 'M.js'))) as Record<string, Codec<unknown>>),
  );
}

/** tsc --strict (the project's settings) on the code generated for `text`. */
function typeErrors(text: string): Promise<string[]> {
  return withGenerated(text, (_, paths) => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    const program = ts.createProgram(paths, { ...config?.options, noEmit: true });
    return ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  });
}

function describeInit(res: HatEventer.MsgInitRes): string {
  switch (res.type) {
    case 'success':
      return res.value.type;
    case 'error':
      return res.value;
    default: {
      const unreachable: never = res;
      return unreachable;
    }
  }
}

describe('generated types', () => {
  it('Choice is a discriminated union that narrows', () => {
    expect(describeInit({ type: 'error', value: 'denied' })).toBe('denied');
    expect(describeInit({ type: 'success', value: { type: 'operational' } })).toBe('operational');
    expectTypeOf<
      Extract<HatEventer.MsgInitRes, { type: 'error' }>['value']
    >().toEqualTypeOf<string>();
  });

  it('Optional of a non-null type is T | null and an optional property', () => {
    expectTypeOf<HatEventer.MsgInitReq['clientToken']>().toEqualTypeOf<string | null | undefined>();
    const req: HatEventer.MsgInitReq = {
      clientName: 'c',
      subscriptions: [['*']],
      persisted: false,
    };
    const decoded = HatEventer.MsgInitReq.decode(HatEventer.MsgInitReq.encode(req));
    expect(decoded).toEqual({ ...req, clientToken: null, serverId: null });
  });

  it('Optional(Optional(T)) stays lossless as a tagged union outside, T | null inside', () => {
    expectTypeOf<NumberInterop.OOI>().toEqualTypeOf<
      { type: 'none'; value?: null } | { type: 'value'; value: number | null }
    >();
  });

  it('generic definitions are generic types; concrete uses are specialised', () => {
    expectTypeOf<NumberInterop.P1>().toEqualTypeOf<NumberInterop.Pair<number, string>>();
    expectTypeOf<NumberInterop.M1>().toEqualTypeOf<NumberInterop.Entry<string, number>[]>();
  });

  it('a generic used with Optional from a generic body and directly gets two instances', async () => {
    // G's body decides Optional(x) for any x ('choice'); B's Optional(String) is nullable.
    const text =
      'module M\nH(a) = Record { v: a }\nG(x) = H(Optional(x))\nA = G(String)\nB = H(Optional(String))\n';
    await importGenerated(text, (m) => {
      const a = { v: { type: 'value', value: 'hi' } };
      expect(m.A?.decode(m.A.encode(a))).toEqual(a);
      expect(m.B?.decode(m.B.encode({ v: 'hi' }))).toEqual({ v: 'hi' });
    });
  });

  it('an omitted entry named like an Object.prototype member is absent, as in the Repository', async () => {
    const text =
      'module M\nR = Record { toString: Optional(String)  valueOf: None  constructor: Optional(Integer)  isPrototypeOf: Integer }\n';
    const repo = repositoryFromText([text]);
    await importGenerated(text, (m) => {
      const bytes = m.R?.encode({ isPrototypeOf: 1 });
      expect(bytes).toEqual(repo.encode('M.R', { isPrototypeOf: 1 }));
      expect(m.R?.decode(bytes ?? new Uint8Array())).toEqual({
        toString: null,
        valueOf: null,
        constructor: null,
        isPrototypeOf: 1,
      });
      const full = { toString: 'a', valueOf: null, constructor: 2, isPrototypeOf: 3 };
      expect(m.R?.decode(m.R.encode(full))).toEqual(full);
      expect(() => m.R?.encode({})).toThrow('M.R.isPrototypeOf: expected an integer');
    });
  });

  it('type-checks with names that shadow a global the output uses or an Object.prototype member', async () => {
    const text =
      'module M\nH(Uint8Array) = Record { b: Bytes  x: Uint8Array }\nU = H(String)\nG(globalThis) = Record { b: Bytes  x: globalThis }\nT = G(Integer)\nR = Record { toString: Optional(String)  constructor: Integer }\n';
    expect(await typeErrors(text)).toEqual([]);
  }, 60_000);

  // `P<null>` declares `n: {...} | { type: 'value'; value: null }`; the decoder of the instance
  // was typed with the shorthand `value?: null`, which is not assignable to it.
  it('type-checks generics instantiated with None', async () => {
    const text =
      'module M\nP(x) = Record { n: Optional(x) }\nT = P(None)\nR(x) = Array(Record { v: x  c: Choice { a: x  b: None } })\nU = R(None)\n';
    expect(await typeErrors(text)).toEqual([]);
  }, 60_000);

  it('--int bigint types Integer as bigint', () => {
    expectTypeOf<BigintInterop.I>().toEqualTypeOf<bigint>();
    expect(BigintInterop.I.decode(BigintInterop.I.encode(2n ** 100n))).toBe(2n ** 100n);
  });
});
