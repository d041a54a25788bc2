// Typed messages: the chatter data type is the codec's qualified SBS name and the data is
// the value's SBS encoding.

import type { Codec } from '../sbs/index.js';
import type { Connection, SendOptions, WaitOptions } from './connection.js';
import type { Conversation, Data, Msg } from './conversation.js';
import { UnexpectedTypeError } from './errors.js';

/** The value type of a codec. */
export type ValueOf<C> = C extends Codec<infer T> ? T : never;

/** The codec-valued members of a generated module namespace (`import { HatEventer } from 'hat-open-ts/eventer'`). */
export type CodecsOf<NS> = { [K in keyof NS as NS[K] extends Codec<infer _T> ? K : never]: NS[K] };

/** A decoded message of a `CodecSet`: `key` is the codec's member name, usable as a discriminant. */
export type Decoded<M> = {
  [K in keyof M]: { key: K; type: string; value: ValueOf<M[K]> };
}[keyof M];

function dataOf(msg: Msg | Data): Data {
  return 'conv' in msg ? msg.data : msg;
}

/** `{type: codec.name, data: codec.encode(value)}`. */
export function toData<T>(codec: Codec<T>, value: T): Data {
  return { type: codec.name, data: codec.encode(value) };
}

/** Sends `value` as a `codec.name` message; a value the codec cannot encode rejects with `SbsEncodeError`. */
export function sendMsg<T>(
  conn: Connection,
  codec: Codec<T>,
  value: T,
  options?: SendOptions,
): Promise<Conversation> {
  let data: Data;
  try {
    data = toData(codec, value);
  } catch (e) {
    // Like `send`: a bad value rejects rather than throwing out of a promise-returning call.
    return Promise.reject(e);
  }
  return conn.send(data, options);
}

/** Decodes a message of the codec's type; `UnexpectedTypeError` for another type, `SbsDecodeError` for bad data. */
export function decodeMsg<T>(msg: Msg | Data, codec: Codec<T>): T {
  const data = dataOf(msg);
  if (data.type !== codec.name) throw new UnexpectedTypeError(data.type, [codec.name]);
  return codec.decode(data.data);
}

/** The decoded value if the message is of the codec's type, else `undefined`. */
export function matchMsg<T>(msg: Msg | Data, codec: Codec<T>): T | undefined {
  const data = dataOf(msg);
  return data.type === codec.name ? codec.decode(data.data) : undefined;
}

function isCodec(v: unknown): v is Codec<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<Record<keyof Codec<unknown>, unknown>>;
  return (
    typeof c.name === 'string' && typeof c.decode === 'function' && typeof c.encode === 'function'
  );
}

/** Codecs looked up by chatter data type (`Module.Type`), e.g. all messages of a protocol. */
export class CodecSet<M extends object> {
  private readonly byType = new Map<string, { key: string; codec: Codec<unknown> }>();

  constructor(readonly codecs: M) {
    for (const [key, codec] of Object.entries(codecs) as [string, unknown][])
      if (isCodec(codec)) this.byType.set(codec.name, { key, codec });
  }

  /** Every codec member of a generated module namespace. */
  static fromModule<NS extends object>(ns: NS): CodecSet<CodecsOf<NS>> {
    return new CodecSet(ns as CodecsOf<NS>);
  }

  /** Whether a data type belongs to the set. */
  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** Decodes by the message's type; `UnexpectedTypeError` for a type outside the set. */
  decode(msg: Msg | Data): Decoded<M> {
    const decoded = this.tryDecode(msg);
    if (decoded === undefined)
      throw new UnexpectedTypeError(dataOf(msg).type, [...this.byType.keys()]);
    return decoded;
  }

  /** Like `decode`, but `undefined` for a type outside the set. */
  tryDecode(msg: Msg | Data): Decoded<M> | undefined {
    const data = dataOf(msg);
    const entry = this.byType.get(data.type);
    if (entry === undefined) return undefined;
    return { key: entry.key, type: data.type, value: entry.codec.decode(data.data) } as Decoded<M>;
  }
}

/**
 * Sends a request (default `last = false`) and awaits the peer's next message in its
 * conversation, decoded with `response` (a codec or a set of codecs).
 */
export async function requestMsg<T, R>(
  conn: Connection,
  codec: Codec<T>,
  value: T,
  response: Codec<R>,
  options?: SendOptions & WaitOptions,
): Promise<R>;
export async function requestMsg<T, M extends object>(
  conn: Connection,
  codec: Codec<T>,
  value: T,
  response: CodecSet<M>,
  options?: SendOptions & WaitOptions,
): Promise<Decoded<M>>;
export async function requestMsg<T>(
  conn: Connection,
  codec: Codec<T>,
  value: T,
  response: Codec<unknown> | CodecSet<object>,
  options?: SendOptions & WaitOptions,
): Promise<unknown> {
  const reply = await conn.request(toData(codec, value), options);
  return response instanceof CodecSet ? response.decode(reply) : decodeMsg(reply, response);
}
