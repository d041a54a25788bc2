// SBS identifiers are [A-Za-z][A-Za-z0-9_]*; all of them are valid JS property names, but
// some cannot be binding or type names. Those get a trailing '_'. Every name the generator
// invents starts with '$', which SBS identifiers cannot contain, so nothing collides.

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if import in instanceof new null return super switch this throw ' +
    'true try typeof var void while with yield let static implements interface package private ' +
    'protected public await arguments eval ' +
    // names TypeScript refuses as type names
    'any unknown never object string number boolean bigint symbol undefined'
  ).split(' '),
);

/** The exported TS/JS name for an SBS type, module or type parameter name. */
export function safeName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

/** Import alias of another generated module. */
export function moduleAlias(module: string): string {
  return `$mod_${module}`;
}

export function fileNameOf(module: string): string {
  return `${module}.ts`;
}
