// Project settings for sbs-gen, so `npx sbs-gen` alone (or `--watch`) does the project's
// generation: `sbs-gen.config.json`, or an `sbsGen` key in package.json. Flags override it.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

export const CONFIG_FILE = 'sbs-gen.config.json';
export const PACKAGE_KEY = 'sbsGen';

export interface GenConfig {
  /** Schema files and directories. */
  readonly inputs?: readonly string[];
  /** Output directory. */
  readonly out?: string;
  /** TS type of SBS Integer. */
  readonly int?: 'number' | 'bigint';
  /** Module specifier of the runtime in generated code. */
  readonly runtimeImport?: string;
  /** Python hat-sbs repository JSON to write too. */
  readonly json?: string;
}

export interface LoadedConfig {
  readonly config: GenConfig;
  /** Where it came from, for messages: `sbs-gen.config.json` or `package.json "sbsGen"`. */
  readonly source: string;
}

/** A config that cannot be used; `problems` holds one line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'SBS_GEN_CONFIG';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

const KEYS = ['inputs', 'out', 'int', 'runtimeImport', 'json'] as const;

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`]);
  }
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError([`${label}: not valid JSON (${(e as Error).message})`]);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * Checks a config value; paths in it are taken relative to `baseDir` (the config file's
 * folder) and returned relative to the working directory, as a user would type them.
 */
export function validateConfig(value: unknown, source: string, baseDir: string): GenConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError([`${source}: expected an object, got ${describe(value)}`]);
  const problems: string[] = [];
  const problem = (key: string, message: string): void => {
    problems.push(`${source}: "${key}": ${message}`);
  };
  const entries = value as Record<string, unknown>;
  const path = (p: string): string => {
    const abs = resolve(baseDir, p);
    const rel = relative(process.cwd(), abs);
    return rel === '' ? '.' : isAbsolute(rel) || rel.startsWith('..') ? abs : rel;
  };
  const config: { -readonly [K in keyof GenConfig]: GenConfig[K] } = {};
  for (const [key, v] of Object.entries(entries)) {
    switch (key) {
      case 'inputs':
        if (!Array.isArray(v) || v.length === 0)
          problem(key, `expected a non-empty array of paths, got ${describe(v)}`);
        else if (v.some((p) => typeof p !== 'string' || p === ''))
          problem(key, 'expected every entry to be a non-empty path string');
        else config.inputs = (v as string[]).map(path);
        break;
      case 'out':
      case 'json':
        if (typeof v !== 'string' || v === '')
          problem(key, `expected a path string, got ${describe(v)}`);
        else config[key] = path(v);
        break;
      case 'int':
        if (v !== 'number' && v !== 'bigint')
          problem(key, `expected "number" or "bigint", got ${describe(v)}`);
        else config.int = v;
        break;
      case 'runtimeImport':
        if (typeof v !== 'string' || v === '')
          problem(key, `expected a module specifier string, got ${describe(v)}`);
        else config.runtimeImport = v;
        break;
      default:
        problem(key, `unknown setting (known: ${KEYS.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * The config for a run in `cwd`: the file given with `--config` (a JSON file, or a
 * package.json whose `sbsGen` key holds it), else `sbs-gen.config.json`, else package.json's
 * `sbsGen` key. Undefined when there is none; ConfigError when there are two or one is bad.
 */
export async function loadConfig(
  cwd: string,
  explicit?: string,
): Promise<LoadedConfig | undefined> {
  if (explicit !== undefined) {
    const text = await readText(explicit);
    if (text === undefined) throw new ConfigError([`${explicit}: no such file`]);
    const json = parseJson(text, explicit);
    if (basename(explicit) === 'package.json') {
      const value = (json as Record<string, unknown> | null)?.[PACKAGE_KEY];
      if (value === undefined) throw new ConfigError([`${explicit}: has no "${PACKAGE_KEY}" key`]);
      const source = `${explicit} "${PACKAGE_KEY}"`;
      return { config: validateConfig(value, source, dirname(explicit)), source };
    }
    return { config: validateConfig(json, explicit, dirname(explicit)), source: explicit };
  }
  const fileText = await readText(join(cwd, CONFIG_FILE));
  const pkgText = await readText(join(cwd, 'package.json'));
  const pkgValue =
    pkgText === undefined
      ? undefined
      : (parseJson(pkgText, 'package.json') as Record<string, unknown> | null)?.[PACKAGE_KEY];
  if (fileText !== undefined && pkgValue !== undefined)
    throw new ConfigError([
      `both ${CONFIG_FILE} and package.json "${PACKAGE_KEY}" configure sbs-gen; keep one`,
    ]);
  if (fileText !== undefined)
    return {
      config: validateConfig(parseJson(fileText, CONFIG_FILE), CONFIG_FILE, cwd),
      source: CONFIG_FILE,
    };
  if (pkgValue !== undefined) {
    const source = `package.json "${PACKAGE_KEY}"`;
    return { config: validateConfig(pkgValue, source, cwd), source };
  }
  return undefined;
}
