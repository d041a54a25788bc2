// Generated code must tree-shake: a bundle that uses one codec carries neither the other
// modules nor the unused codecs of the same module (codec objects are /*#__PURE__*/).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(root, '.tmp/treeshake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(source: string): Promise<string> {
  const entry = join(dir, `entry-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    // A browser bundle: it must not reach node: modules either (hat-open-ts/sbs resolves through
    // the workspace link to the built runtime, as it does for a user).
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

const MSG = `{ id: 1, first: 1, owner: true, token: true, last: true, data: { type: 'x', data: new Uint8Array() } }`;

describe('tree-shaking of generated code', () => {
  it('drops unused modules when importing through index.ts', async () => {
    const out = await bundle(
      `import { HatChatter } from '${root}/generated/index.js';\nconsole.log(HatChatter.Msg.encode(${MSG}));`,
    );
    expect(out).toContain("'HatChatter.Msg'");
    expect(out).not.toContain('HatEventer');
    expect(out).not.toContain('chevrotain');
    expect(out).not.toMatch(/["']node:/);
  });

  it('drops unused codecs of a module imported directly', async () => {
    const out = await bundle(
      `import { Msg } from '${root}/generated/HatChatter.js';\nconsole.log(Msg.encode(${MSG}));`,
    );
    expect(out).toContain("'HatChatter.Msg'");
    expect(out).not.toContain("'HatChatter.Ping'");
    expect(out).not.toContain("'HatChatter.Data'");
  });
});
