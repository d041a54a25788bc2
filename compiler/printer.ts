// A small document printer in the manner of prettier's (Wadler's "prettier printer" with
// prettier's group/indent/ifBreak/conditional-group semantics): the generator builds the same
// documents prettier builds for the few TypeScript constructs it emits and prints them here,
// so its output is already formatted. Loading and running prettier cost about 60 % of a run
// and most of its memory; the subset below is what those constructs need.

export type Doc =
  string | readonly Doc[] | Group | Indent | Align | Line | IfBreak | IndentIfBreak | IfWillBreak;

export interface Group {
  readonly t: 'group';
  readonly contents: Doc;
  /** Set by a hard line inside (propagated) or by the builder. */
  break: boolean;
  readonly id?: symbol;
  /** Conditional group: tried in order, the last is printed broken. */
  readonly states?: readonly Doc[];
  /**
   * An object literal or object type: prettier keeps one broken when its source has a line
   * break after `{` (objectWrap "preserve"), so once printed broken it stays broken.
   */
  readonly sticky?: boolean;
}
interface Indent {
  readonly t: 'indent';
  readonly contents: Doc;
}
interface Align {
  readonly t: 'align';
  readonly n: number;
  readonly contents: Doc;
}
interface Line {
  readonly t: 'line';
  readonly soft: boolean;
  readonly hard: boolean;
}
interface IfBreak {
  readonly t: 'ifBreak';
  readonly breakContents: Doc;
  readonly flatContents: Doc;
  readonly groupId?: symbol;
}
interface IndentIfBreak {
  readonly t: 'indentIfBreak';
  readonly contents: Doc;
  readonly groupId: symbol;
}

/**
 * `then` if `test` will break (holds a hard line or a broken group), else `otherwise`: for
 * prettier's layouts that depend on `willBreak` of a part, decided when printing because
 * sticky groups (see Group) can become broken between print passes.
 */
interface IfWillBreak {
  readonly t: 'ifWillBreak';
  readonly test: Doc;
  readonly then: Doc;
  readonly otherwise: Doc;
}

export function ifWillBreak(test: Doc, then: Doc, otherwise: Doc): Doc {
  return { t: 'ifWillBreak', test, then, otherwise };
}

/** The branch an IfWillBreak takes now. */
function chosen(doc: IfWillBreak): Doc {
  return willBreak(doc.test) ? doc.then : doc.otherwise;
}

export const line: Doc = { t: 'line', soft: false, hard: false };
export const softline: Doc = { t: 'line', soft: true, hard: false };
export const hardline: Doc = { t: 'line', soft: false, hard: true };

export function group(
  contents: Doc,
  options: { break?: boolean; id?: symbol; sticky?: boolean } = {},
): Group {
  return {
    t: 'group',
    contents,
    break: options.break ?? false,
    ...(options.id ? { id: options.id } : {}),
    ...(options.sticky ? { sticky: true } : {}),
  };
}

/** prettier's conditionalGroup: the first state that fits flat, else the last one broken. */
export function conditionalGroup(states: readonly Doc[]): Group {
  return { t: 'group', contents: states[0] ?? '', break: false, states };
}

export function indent(contents: Doc): Doc {
  return { t: 'indent', contents };
}

export function align(n: number, contents: Doc): Doc {
  return { t: 'align', n, contents };
}

export function ifBreak(breakContents: Doc, flatContents: Doc = '', groupId?: symbol): Doc {
  return { t: 'ifBreak', breakContents, flatContents, ...(groupId ? { groupId } : {}) };
}

export function indentIfBreak(contents: Doc, groupId: symbol): Doc {
  return { t: 'indentIfBreak', contents, groupId };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(separator);
    out.push(d);
  });
  return out;
}

/** Whether a hard line (or an already broken group) is inside: prettier's willBreak. */
export function willBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (isArray(doc)) return doc.some(willBreak);
  switch (doc.t) {
    case 'group':
      return doc.break || willBreak(doc.contents);
    case 'line':
      return doc.hard;
    case 'ifBreak':
      return willBreak(doc.breakContents) || willBreak(doc.flatContents);
    case 'ifWillBreak':
      return willBreak(chosen(doc));
    default:
      return willBreak(doc.contents);
  }
}

function isArray(doc: Doc): doc is readonly Doc[] {
  return Array.isArray(doc);
}

/** Marks every group holding a hard line (or a broken group) as broken, as prettier does. */
function propagateBreaks(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (isArray(doc)) {
    let any = false;
    for (const d of doc) if (propagateBreaks(d)) any = true;
    return any;
  }
  switch (doc.t) {
    case 'line':
      return doc.hard;
    case 'group': {
      if (doc.states) {
        // Breaks do not propagate through conditional groups: their states say what breaks.
        for (const s of doc.states) propagateBreaks(s);
        return doc.break;
      }
      if (propagateBreaks(doc.contents)) doc.break = true;
      return doc.break;
    }
    case 'ifBreak': {
      const a = propagateBreaks(doc.breakContents);
      const b = propagateBreaks(doc.flatContents);
      return a || b;
    }
    case 'ifWillBreak':
      propagateBreaks(doc.test);
      return propagateBreaks(chosen(doc));
    default:
      return propagateBreaks(doc.contents);
  }
}

const BREAK = 1;
const FLAT = 2;
type Mode = typeof BREAK | typeof FLAT;

interface Command {
  readonly ind: string;
  readonly mode: Mode;
  readonly doc: Doc;
}

/** prettier's fits(): whether `next` (then the rest, up to its first line break) fits. */
function fits(
  next: Command,
  rest: readonly Command[],
  width: number,
  modes: Map<symbol, Mode>,
  stats: PrintStats,
): boolean {
  let restIdx = rest.length;
  const cmds: { mode: Mode; doc: Doc }[] = [next];
  let remaining = width;
  while (remaining >= 0) {
    const cmd = cmds.pop() ?? (restIdx === 0 ? undefined : rest[--restIdx]);
    if (cmd === undefined) return true;
    stats.steps++;
    const { mode, doc } = cmd;
    if (typeof doc === 'string') {
      remaining -= doc.length;
      continue;
    }
    if (isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) cmds.push({ mode, doc: doc[i] as Doc });
      continue;
    }
    switch (doc.t) {
      case 'indent':
      case 'align':
      case 'indentIfBreak':
        cmds.push({ mode, doc: doc.contents });
        break;
      case 'group': {
        const groupMode = doc.break ? BREAK : mode;
        const contents =
          doc.states && groupMode === BREAK ? (doc.states.at(-1) as Doc) : doc.contents;
        cmds.push({ mode: groupMode, doc: contents });
        break;
      }
      case 'ifBreak': {
        const groupMode = doc.groupId ? (modes.get(doc.groupId) ?? FLAT) : mode;
        cmds.push({ mode, doc: groupMode === BREAK ? doc.breakContents : doc.flatContents });
        break;
      }
      case 'line':
        if (mode === BREAK || doc.hard) return true;
        if (!doc.soft) remaining -= 1;
        break;
      case 'ifWillBreak':
        cmds.push({ mode, doc: chosen(doc) });
        break;
    }
  }
  return false;
}

/**
 * Prints a document at `width` columns with two-space indents, as prettier does; the text is
 * also what prettier prints for it again (prettier --check passes). A first prettier run can
 * differ from a second: an object that broke in the first keeps its line break in the second,
 * which can change the layout around it (a function's parameters, say). So objects printed
 * broken are marked broken (`sticky`) and the document is printed again until none changes.
 */
export function printDoc(doc: Doc, width: number, stats?: PrintStats): string {
  for (;;) {
    const broken: Group[] = [];
    const text = printOnce(doc, width, broken, stats ?? { steps: 0 });
    if (broken.length === 0) return text;
    for (const g of broken) g.break = true;
  }
}

/** Work done, for tests that check the printer's cost grows linearly with its input. */
export interface PrintStats {
  /** Document nodes visited, by printing and by measuring whether groups fit. */
  steps: number;
}

function printOnce(doc: Doc, width: number, broken: Group[], stats: PrintStats): string {
  propagateBreaks(doc);
  const modes = new Map<symbol, Mode>();
  const out: string[] = [];
  let pos = 0;
  const cmds: Command[] = [{ ind: '', mode: BREAK, doc }];
  const write = (s: string): void => void out.push(s);
  for (let cmd = cmds.pop(); cmd !== undefined; cmd = cmds.pop()) {
    stats.steps++;
    const { ind, mode, doc } = cmd;
    if (typeof doc === 'string') {
      write(doc);
      pos += doc.length;
      continue;
    }
    if (isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) cmds.push({ ind, mode, doc: doc[i] as Doc });
      continue;
    }
    switch (doc.t) {
      case 'indent':
        cmds.push({ ind: ind + '  ', mode, doc: doc.contents });
        break;
      case 'align':
        cmds.push({ ind: ind + ' '.repeat(doc.n), mode, doc: doc.contents });
        break;
      case 'group': {
        let next: Command;
        if (mode === FLAT) {
          next = { ind, mode: doc.break ? BREAK : FLAT, doc: doc.contents };
        } else {
          const flat: Command = { ind, mode: FLAT, doc: doc.contents };
          if (!doc.break && fits(flat, cmds, width - pos, modes, stats)) next = flat;
          else if (!doc.states) next = { ind, mode: BREAK, doc: doc.contents };
          else {
            next = { ind, mode: BREAK, doc: doc.states.at(-1) as Doc };
            if (!doc.break)
              for (let i = 1; i < doc.states.length - 1; i++) {
                const state: Command = { ind, mode: FLAT, doc: doc.states[i] as Doc };
                if (fits(state, cmds, width - pos, modes, stats)) {
                  next = state;
                  break;
                }
              }
          }
        }
        if (doc.sticky && !doc.break && next.mode === BREAK) broken.push(doc);
        cmds.push(next);
        if (doc.id) modes.set(doc.id, next.mode);
        break;
      }
      case 'ifBreak': {
        const groupMode = doc.groupId ? modes.get(doc.groupId) : mode;
        const contents = groupMode === BREAK ? doc.breakContents : doc.flatContents;
        cmds.push({ ind, mode, doc: contents });
        break;
      }
      case 'ifWillBreak':
        cmds.push({ ind, mode, doc: chosen(doc) });
        break;
      case 'indentIfBreak': {
        const groupMode = modes.get(doc.groupId);
        cmds.push({ ind: groupMode === BREAK ? ind + '  ' : ind, mode, doc: doc.contents });
        break;
      }
      case 'line':
        if (mode === FLAT && !doc.hard) {
          if (!doc.soft) {
            write(' ');
            pos += 1;
          }
          break;
        }
        // prettier trims trailing whitespace before each line break
        trimEnd(out);
        write('\n' + ind);
        pos = ind.length;
        break;
    }
  }
  trimEnd(out);
  return out.join('');
}

/** Drops trailing spaces of the output (prettier trims them before each line break). */
function trimEnd(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1] as string;
    const trimmed = last.replace(/[ \t]+$/, '');
    if (trimmed.length > 0) {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}

/** The document on one line (hard lines kept): source text any formatter reads the same. */
export function flatText(doc: Doc): string {
  const out: string[] = [];
  const walk = (d: Doc): void => {
    if (typeof d === 'string') out.push(d);
    else if (isArray(d)) for (const x of d) walk(x);
    else
      switch (d.t) {
        case 'line':
          out.push(d.hard ? '\n' : d.soft ? '' : ' ');
          break;
        case 'ifBreak':
          walk(d.flatContents);
          break;
        case 'group':
          walk(d.states ? (d.states[0] as Doc) : d.contents);
          break;
        case 'ifWillBreak':
          walk(chosen(d));
          break;
        default:
          walk(d.contents);
      }
  };
  walk(doc);
  return out.join('');
}
