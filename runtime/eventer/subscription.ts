import type { EventType } from './event.js';
import { EventerValueError, InvalidQueryTypeError } from './errors.js';

/**
 * Segments a query type may have. The trie is walked recursively (match, union, intersection,
 * listing), one call per segment, so a longer one would reach the end of the stack; hat's
 * Python subscription meets its recursion limit (1000) at the same length.
 */
export const MAX_QUERY_TYPE_LENGTH = 1000;

/** `EventerValueError` for a query type the trie cannot take. */
export function checkQueryTypeLength(queryType: EventType): void {
  if (queryType.length > MAX_QUERY_TYPE_LENGTH)
    throw new EventerValueError(
      `query event type of ${queryType.length} segments is longer than ${MAX_QUERY_TYPE_LENGTH}`,
    );
}

/**
 * hat's `matches_query_type` for one query type: `?` matches exactly one segment, a final
 * `*` zero or more. As in hat, a `*` elsewhere is compared literally here (a `Subscription`
 * rejects it instead).
 */
export function matchesQueryType(eventType: EventType, queryType: EventType): boolean {
  const variable = queryType.length > 0 && queryType[queryType.length - 1] === '*';
  const n = variable ? queryType.length - 1 : queryType.length;
  if (eventType.length < n || (!variable && eventType.length > n)) return false;
  for (let i = 0; i < n; i++) {
    const q = queryType[i];
    if (q !== '?' && q !== eventType[i]) return false;
  }
  return true;
}

/** One trie level. `star`: a `*` ends a query type here, so every suffix matches. */
interface Node {
  leaf: boolean;
  star: boolean;
  children: Map<string, Node>;
}

function newNode(): Node {
  return { leaf: false, star: false, children: new Map() };
}

function add(root: Node, queryType: EventType): void {
  checkQueryTypeLength(queryType);
  let node = root;
  for (let i = 0; i < queryType.length; i++) {
    const segment = queryType[i] as string;
    if (segment === '*') {
      if (i !== queryType.length - 1) throw new InvalidQueryTypeError(queryType);
      markStar(node);
      return;
    }
    if (node.star) return; // already matches everything below
    let child = node.children.get(segment);
    if (child === undefined) {
      child = newNode();
      node.children.set(segment, child);
    }
    node = child;
  }
  if (!node.star) node.leaf = true;
}

// A `*` absorbs every sibling and the node's own end, as hat's subscription does.
function markStar(node: Node): void {
  node.star = true;
  node.leaf = false;
  node.children.clear();
}

function isEmpty(node: Node): boolean {
  return !node.leaf && !node.star && node.children.size === 0;
}

function clone(node: Node): Node {
  const out: Node = { leaf: node.leaf, star: node.star, children: new Map() };
  for (const [k, c] of node.children) out.children.set(k, clone(c));
  return out;
}

function mergeInto(target: Node, source: Node): void {
  if (target.star) return;
  if (source.star) {
    markStar(target);
    return;
  }
  target.leaf ||= source.leaf;
  for (const [k, c] of source.children) {
    const t = target.children.get(k);
    if (t === undefined) target.children.set(k, clone(c));
    else mergeInto(t, c);
  }
}

function matchNode(node: Node, type: EventType, i: number): boolean {
  if (node.star) return true;
  if (i === type.length) return node.leaf;
  const exact = node.children.get(type[i] as string);
  if (exact !== undefined && matchNode(exact, type, i + 1)) return true;
  const any = node.children.get('?');
  return any !== undefined && any !== exact && matchNode(any, type, i + 1);
}

function intersect(a: Node, b: Node): Node {
  if (a.star) return clone(b);
  if (b.star) return clone(a);
  const out = newNode();
  out.leaf = a.leaf && b.leaf;
  for (const [ka, ca] of a.children) {
    for (const [kb, cb] of b.children) {
      if (ka !== kb && ka !== '?' && kb !== '?') continue;
      const child = intersect(ca, cb);
      if (isEmpty(child)) continue;
      const key = ka === '?' ? kb : ka;
      const existing = out.children.get(key);
      if (existing === undefined) out.children.set(key, child);
      else mergeInto(existing, child);
    }
  }
  return out;
}

function disjoint(a: Node, b: Node): boolean {
  if ((a.star && !isEmpty(b)) || (b.star && !isEmpty(a))) return false;
  if (a.leaf && b.leaf) return false;
  for (const [ka, ca] of a.children)
    for (const [kb, cb] of b.children)
      if ((ka === kb || ka === '?' || kb === '?') && !disjoint(ca, cb)) return false;
  return true;
}

// Whether every type `a` matches is matched by one of `bs` (the nodes reached by the same prefix).
function subset(a: Node, bs: readonly Node[]): boolean {
  if (bs.some((b) => b.star)) return true;
  if (a.star) return false; // unbounded lengths, which no star-free node covers
  if (a.leaf && !bs.some((b) => b.leaf)) return false;
  for (const [k, child] of a.children) {
    const targets: Node[] = [];
    for (const b of bs) {
      // `?` stands for any segment, including ones no literal of `bs` names: only `?` covers it.
      if (k !== '?') {
        const exact = b.children.get(k);
        if (exact !== undefined) targets.push(exact);
      }
      const any = b.children.get('?');
      if (any !== undefined) targets.push(any);
    }
    if (!subset(child, targets)) return false;
  }
  return true;
}

function collect(node: Node, prefix: string[], out: string[][]): void {
  if (node.star) {
    out.push([...prefix, '*']);
    return;
  }
  if (node.leaf) out.push([...prefix]);
  for (const [k, c] of node.children) {
    prefix.push(k);
    collect(c, prefix, out);
    prefix.pop();
  }
}

/**
 * A set of query types as a trie: `matches` costs one walk down the event type however many
 * query types there are. Immutable; the set operations return new subscriptions.
 */
export class Subscription {
  private constructor(private readonly root: Node) {}

  /**
   * Throws `InvalidQueryTypeError` for a `*` that is not the last segment and
   * `EventerValueError` for a query type longer than `MAX_QUERY_TYPE_LENGTH` segments.
   */
  static of(queryTypes: Iterable<EventType>): Subscription {
    const root = newNode();
    for (const t of queryTypes) add(root, t);
    return new Subscription(root);
  }

  /** Matches every event type. */
  static all(): Subscription {
    return Subscription.of([['*']]);
  }

  matches(eventType: EventType): boolean {
    return matchNode(this.root, eventType, 0);
  }

  /** Matches every event type (a top-level `*`). */
  get matchesAll(): boolean {
    return this.root.star;
  }

  /** Matches nothing. */
  get isEmpty(): boolean {
    return isEmpty(this.root);
  }

  /** The query types after merging (`*` absorbs its siblings), hat's `get_query_types`. */
  queryTypes(): string[][] {
    const out: string[][] = [];
    collect(this.root, [], out);
    return out;
  }

  union(...others: Subscription[]): Subscription {
    const root = clone(this.root);
    for (const o of others) mergeInto(root, o.root);
    return new Subscription(root);
  }

  intersection(...others: Subscription[]): Subscription {
    let root = this.root;
    for (const o of others) root = intersect(root, o.root);
    return new Subscription(root === this.root ? clone(root) : root);
  }

  /** No event type matches both. */
  isDisjoint(other: Subscription): boolean {
    return disjoint(this.root, other.root);
  }

  /** Every event type this matches is matched by `other`. */
  isSubsetOf(other: Subscription): boolean {
    return subset(this.root, [other.root]);
  }
}
