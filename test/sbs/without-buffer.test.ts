// The SBS runtime bundled for a browser and run where there is no Node Buffer: the fast paths
// that use Buffer (Latin-1 string slices, uninitialized large arrays) must fall back to
// portable code with the same results, strictness included.
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

interface Runtime {
  codec: typeof import('../../runtime/sbs/index.js').codec;
  SbsDecodeError: typeof import('../../runtime/sbs/index.js').SbsDecodeError;
}

async function loadWithoutBuffer(): Promise<{ sbs: Runtime; hadBuffer: boolean }> {
  const out = await build({
    stdin: {
      contents:
        "export { codec } from './runtime/sbs/codec.ts';\n" +
        "export { SbsDecodeError } from './runtime/sbs/errors.ts';\n" +
        "export const hadBuffer = typeof globalThis.Buffer !== 'undefined';",
      resolveDir: new URL('../../', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'sbs',
    write: false,
  });
  const context = { TextDecoder, TextEncoder, DataView, Uint8Array, sbs: undefined as unknown };
  runInNewContext(out.outputFiles[0]?.text ?? '', context);
  const sbs = context.sbs as Runtime & { hadBuffer: boolean };
  return { sbs, hadBuffer: sbs.hadBuffer };
}

describe('SBS runtime without a Node Buffer', () => {
  it('decodes strings and large Bytes the same way, as strictly', async () => {
    const { sbs, hadBuffer } = await loadWithoutBuffer();
    expect(hadBuffer).toBe(false);
    const str = sbs.codec(
      'S',
      (w, v: string) => w.string(v),
      (r) => r.string(),
    );
    for (let n = 0; n < 40; n++) {
      const ascii = 'abcdefghijklmnopqrstuvwxyz0123456789{}[]'.slice(0, n);
      expect(str.decode(str.encode(ascii))).toBe(ascii);
      if (n === 0) continue;
      const accented = ascii.slice(0, n - 1) + 'é';
      expect(str.decode(str.encode(accented))).toBe(accented);
      const bad = str.encode(ascii);
      bad[bad.length - 1] = 0xff;
      expect(() => str.decode(bad)).toThrow(sbs.SbsDecodeError);
    }
    const bytes = sbs.codec(
      'B',
      (w, v: Uint8Array) => w.bytes(v),
      (r) => r.bytes(),
    );
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const back = bytes.decode(bytes.encode(big));
    expect(back.length).toBe(big.length);
    expect(back.every((b, i) => b === (i & 0xff))).toBe(true);
  });
});
