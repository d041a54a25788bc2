// msgpackr three ways: records with shared structures and its native string add-on
// (msgpackr-extract), the same without the add-on, and plain maps with the add-on. The ESM
// entry loads the add-on; the CommonJS build is a second copy of msgpackr, loaded with the
// add-on turned off by msgpackr's own switch.
import { createRequire } from 'node:module';
import { Packr, isNativeAccelerationEnabled } from 'msgpackr';

export interface MsgpackrPeer {
  readonly name: string;
  pack(v: unknown): Uint8Array;
  unpack(b: Uint8Array): unknown;
}

function loadWithoutAddOn(): { Packr: typeof Packr; native: boolean } {
  const key = 'MSGPACKR_NATIVE_ACCELERATION_DISABLED';
  const saved = process.env[key];
  process.env[key] = 'true';
  try {
    const m = createRequire(import.meta.url)('msgpackr') as {
      Packr: typeof Packr;
      isNativeAccelerationEnabled: boolean;
    };
    return { Packr: m.Packr, native: m.isNativeAccelerationEnabled };
  } finally {
    if (saved === undefined) delete process.env[key];
    else process.env[key] = saved;
  }
}

export function msgpackrPeers(): MsgpackrPeer[] {
  if (!isNativeAccelerationEnabled)
    throw new Error('msgpackr: the native add-on (msgpackr-extract) did not load');
  const js = loadWithoutAddOn();
  if (js.native) throw new Error('msgpackr: could not load a copy without the native add-on');
  const make = (name: string, p: Packr): MsgpackrPeer => ({
    name,
    pack: (v) => p.pack(v),
    unpack: (b) => p.unpack(b),
  });
  return [
    make('msgpackr records+shared structures, native', new Packr({ structures: [] })),
    make('msgpackr records+shared structures, JS', new js.Packr({ structures: [] })),
    make('msgpackr maps, native', new Packr({ useRecords: false })),
  ];
}
