// A reference point, not a codec: the simplest dynamic codec, a walk over the type tree for
// every value (as hat-sbs's Python Repository does), with each named type's body resolved once.
// It skips every check and error path the Repository has (wrong JS types, unknown choice
// entries, depth, strict lengths), so it is faster than a real interpreter would be. The
// benchmark runs it to show what "the Repository is N times slower than generated code" means:
// this is how slow a Repository that interprets the schema is.
import type { SbsType } from 'hat-open-ts/schema';
import {
  decodeWith,
  encodeWith,
  type Repository,
  type SbsReader,
  type SbsWriter,
} from '../../../runtime/sbs/index.js';
import { optionalEntries, SchemaIndex, type RefType } from 'hat-open-ts/schema';

type Obj = Record<string, unknown>;

export interface InterpretedCodec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export function interpreter(repo: Repository): (name: string) => InterpretedCodec {
  const index = new SchemaIndex(repo.schema);
  const bodies = new Map<RefType, SbsType>();
  const body = (t: RefType): SbsType => {
    let b = bodies.get(t);
    if (b === undefined) bodies.set(t, (b = index.body(t)));
    return b;
  };
  const choices = new Map<SbsType, SbsType>();
  const asChoice = (t: SbsType & { kind: 'Optional' }): SbsType => {
    let c = choices.get(t);
    if (c === undefined)
      choices.set(t, (c = { kind: 'Choice', entries: optionalEntries(t.value) }));
    return c;
  };

  const write = (w: SbsWriter, t: SbsType, v: unknown): void => {
    switch (t.kind) {
      case 'None':
        return;
      case 'Boolean':
        return w.boolean(v as boolean);
      case 'Integer':
        return w.integer(v as number);
      case 'Float':
        return w.float(v as number);
      case 'String':
        return w.string(v as string);
      case 'Bytes':
        return w.bytes(v as Uint8Array);
      case 'Array':
        for (const x of w.array(v as unknown[])) write(w, t.element, x);
        return;
      case 'Record':
        for (const e of t.entries) write(w, e.type, (v as Obj)[e.name]);
        return;
      case 'Choice': {
        const c = v as { type: string; value: unknown };
        const i = t.entries.findIndex((e) => e.name === c.type);
        w.count(i);
        return write(w, (t.entries[i] as { type: SbsType }).type, c.value);
      }
      case 'Optional':
        if (t.form === 'choice') return write(w, asChoice(t), v);
        if (v === null || v === undefined) return w.count(0);
        w.count(1);
        return write(w, t.value, v);
      case 'Ref':
        return write(w, body(t), v);
      case 'Param':
        throw new Error('unreachable: a parameter outside a generic instantiation');
    }
  };

  const read = (r: SbsReader, t: SbsType): unknown => {
    switch (t.kind) {
      case 'None':
        return null;
      case 'Boolean':
        return r.boolean();
      case 'Integer':
        return r.integer();
      case 'Float':
        return r.float();
      case 'String':
        return r.string();
      case 'Bytes':
        return r.bytes();
      case 'Array': {
        const n = r.count(0);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(read(r, t.element));
        return out;
      }
      case 'Record': {
        const o: Obj = {};
        for (const e of t.entries) o[e.name] = read(r, e.type);
        return o;
      }
      case 'Choice': {
        const e = t.entries[r.choice(t.entries.length)] as { name: string; type: SbsType };
        return { type: e.name, value: read(r, e.type) };
      }
      case 'Optional':
        if (t.form === 'choice') return read(r, asChoice(t));
        return r.choice(2) === 0 ? null : read(r, t.value);
      case 'Ref':
        return read(r, body(t));
      case 'Param':
        throw new Error('unreachable: a parameter outside a generic instantiation');
    }
  };

  return (name) => {
    const [module, type] = name.split('.') as [string, string];
    const t: RefType = { kind: 'Ref', module, name: type, args: [] };
    return {
      encode: (value) => encodeWith(name, (w, v) => write(w, t, v), value),
      decode: (bytes) => decodeWith(name, (r) => read(r, t), bytes),
    };
  };
}
