import type { Schema, SbsType } from '../model.js';
import { findTypeDef, instantiate } from '../schema-utils.js';
import { typeToString } from '../schema-utils.js';

/**
 * Smallest number of bytes any value of a type encodes to. Decoders check array counts
 * against it so a hostile count fails before allocation. A reference cycle counts as 0,
 * which only weakens the check, never rejects valid input.
 */
export class MinSizes {
  private readonly memo = new Map<string, number>();

  constructor(private readonly schema: Schema) {}

  of(t: SbsType): number {
    switch (t.kind) {
      case 'None':
      case 'Param':
        return 0;
      case 'Boolean':
      case 'Integer':
      case 'String':
      case 'Bytes':
      case 'Array':
      case 'Optional':
        return 1;
      case 'Float':
        return 8;
      case 'Record':
        return t.entries.reduce((sum, e) => sum + this.of(e.type), 0);
      case 'Choice':
        return 1 + Math.min(...t.entries.map((e) => this.of(e.type)));
      case 'Ref': {
        const key = typeToString(t);
        const known = this.memo.get(key);
        if (known !== undefined) return known;
        this.memo.set(key, 0);
        const def = findTypeDef(this.schema, t.module, t.name);
        const size = def ? this.of(instantiate(def, t.args)) : 0;
        this.memo.set(key, size);
        return size;
      }
    }
  }
}
