import * as HatEventer from './gen/HatEventer.js';
import {
  connect as chatterConnect,
  ConnectionClosedError,
  conversationKey,
  decodeMsg,
  noopLogger,
  sameConversation,
  sendMsg,
  toData,
  type AddressLike,
  type Connection,
  type ConnectOptions,
  type Conversation,
  type Data,
  type Logger,
  type Msg,
} from '../chatter/index.js';
import { Fifo } from '../fifo.js';
import { checkOption } from '../options.js';
import type { Codec } from '../sbs/index.js';
import {
  eventFromSbs,
  queryParamsToSbs,
  queryResultFromSbs,
  registerEventToSbs,
  statusFromSbs,
} from './convert.js';
import { CloseWatch } from './close-watch.js';
import {
  EventerError,
  EventerInitError,
  EventerProtocolError,
  EventerValueError,
} from './errors.js';
import type { Event, EventType, RegisterEvent } from './event.js';
import { queryParams, type QueryParamsInit, type QueryResult } from './query.js';
import type { Status } from './status.js';
import { decodeWide } from './wide-integers.js';

export interface ClientOptions extends ConnectOptions {
  readonly clientName: string;
  /** Checked by the server (hat-event accepts a client without token). */
  readonly clientToken?: string | null;
  /** Query types of the events to be notified about; default none. */
  readonly subscriptions?: readonly EventType[];
  /** Only events registered by this server id. */
  readonly serverId?: number | null;
  /** Notifications of persisted events (true) or of events as registered (false, default). */
  readonly persisted?: boolean;
  /** Awaited before the next message is processed. */
  readonly onStatus?: (status: Status, client: Client) => void | Promise<void>;
  /**
   * Events notifications, awaited before the next message is processed (and before the ack
   * the server asked for). Without it, notifications are queued for `for await (... of client)`.
   */
  readonly onEvents?: (events: Event[], client: Client) => void | Promise<void>;
  /**
   * Notifications held for iteration before reading pauses (backpressure). Default 1024.
   * `connect` rejects with `EventerValueError` for anything but a positive integer.
   */
  readonly eventQueueSize?: number;
}

export interface RegisterOptions {
  /** Wait for the server's answer (`Event[]`, or `null` when it failed). Default false. */
  readonly withResponse?: boolean;
}

interface Queued {
  readonly events: Event[];
  /** The notification's conversation when the server asked for an ack. */
  readonly ack: Conversation | null;
}

const MSG = {
  statusNotify: HatEventer.MsgStatusNotify.name,
  eventsNotify: HatEventer.MsgEventsNotify.name,
  registerRes: HatEventer.MsgRegisterRes.name,
  queryRes: HatEventer.MsgQueryRes.name,
};
const ACK = toData(HatEventer.MsgEventsAck, null);

interface Pending {
  resolve(msg: Msg): void;
  reject(error: unknown): void;
}

/**
 * Connects and initializes an Eventer session. Rejects with `EventerInitError` (the server's
 * message) when the server refuses, `EventerProtocolError` for an invalid init response, or
 * the socket error (e.g. `ECONNREFUSED`); the connection is closed in every such case.
 */
export async function connect(address: AddressLike, options: ClientOptions): Promise<Client> {
  // NaN would never leave room in the queue: the client would stall for good.
  if (options.eventQueueSize !== undefined)
    checkOption('eventQueueSize', options.eventQueueSize, 1, true, Infinity, EventerValueError);
  const conn = await chatterConnect(address, options);
  // The signal covers the init exchange too: a server that accepts but never answers would
  // otherwise hold `connect` for as long as it answers pings.
  const { signal } = options;
  const onAbort = (): void => void conn.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw signal.reason;
    const init: HatEventer.MsgInitReq = {
      clientName: options.clientName,
      clientToken: options.clientToken ?? null,
      subscriptions: (options.subscriptions ?? []).map((t) => [...t]),
      serverId: options.serverId ?? null,
      persisted: options.persisted ?? false,
    };
    const conv = await sendMsg(conn, HatEventer.MsgInitReq, init, { last: false });
    // As hat: the very first message must be the response, in the init conversation.
    const msg = await conn.receive();
    if (msg.data.type !== HatEventer.MsgInitRes.name || !sameConversation(msg.conv, conv))
      throw new EventerProtocolError('invalid init response');
    const res = decodeMsg(msg, HatEventer.MsgInitRes);
    if (res.type === 'error') throw new EventerInitError(res.value);
    return new Client(conn, statusFromSbs(res.value), options);
  } catch (e) {
    await conn.close();
    throw signal?.aborted ? signal.reason : e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * An initialized Eventer client connection. Iterating it yields the notified event lists
 * (when no `onEvents` was given) until the connection closes.
 */
export class Client implements AsyncIterable<Event[]>, AsyncDisposable {
  /** Resolves once the connection is closed and the receive loop has ended. */
  readonly closed: Promise<void>;
  private currentStatus: Status;
  private reason: Error | null = null;
  private readonly logger: Logger;
  private readonly onStatus: ClientOptions['onStatus'];
  private readonly onEvents: ClientOptions['onEvents'];
  private readonly queueSize: number;
  private readonly queue = new Fifo<Queued>();
  private readonly takers = new Fifo<(r: IteratorResult<Event[]>) => void>();
  private spaceWaiter: (() => void) | null = null;
  /** `register`/`query` calls waiting for their response, by conversation key. */
  private readonly pending = new Map<number | string, Pending>();
  /** The receive loop has stopped taking messages. */
  private stopped = false;
  private ended = false;

  /** Use `connect`. */
  constructor(
    /** The underlying Chatter connection. */
    readonly connection: Connection,
    status: Status,
    options: ClientOptions,
  ) {
    this.currentStatus = status;
    this.logger = options.logger ?? noopLogger;
    this.onStatus = options.onStatus;
    this.onEvents = options.onEvents;
    this.queueSize = options.eventQueueSize ?? 1024;
    this.closed = this.loop();
  }

  /** The server's status: from the init response, then from status notifications. */
  get status(): Status {
    return this.currentStatus;
  }

  get isOpen(): boolean {
    return this.connection.isOpen;
  }

  /** Why the client closed: `null` for `close()` or the peer closing; else the error (also logged). */
  get closeReason(): Error | null {
    return this.reason ?? this.connection.closeReason;
  }

  /**
   * Registers events. Without response the request is sent with `last = true` (the server
   * does not answer) and this resolves once it is queued; with response it resolves with the
   * registered events, or `null` when the server reports failure. Rejects with
   * `ConnectionClosedError` when the connection closes first.
   */
  register(
    events: readonly RegisterEvent[],
    options: { readonly withResponse: true },
  ): Promise<Event[] | null>;
  register(
    events: readonly RegisterEvent[],
    options?: { readonly withResponse?: false },
  ): Promise<void>;
  register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions,
  ): Promise<Event[] | null | void>;
  async register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions,
  ): Promise<Event[] | null | void> {
    const data = toData(HatEventer.MsgRegisterReq, events.map(registerEventToSbs));
    if (options?.withResponse !== true) {
      await this.connection.send(data, { last: true });
      return;
    }
    const reply = await this.request(data);
    return this.decodeReply(reply, HatEventer.MsgRegisterRes, (res) =>
      res.type === 'events' ? res.value.map(eventFromSbs) : null,
    );
  }

  /** Latest, timeseries or server query; omitted parameters take hat's defaults. */
  async query(params: QueryParamsInit): Promise<QueryResult> {
    const data = toData(HatEventer.MsgQueryReq, queryParamsToSbs(queryParams(params)));
    const reply = await this.request(data);
    return this.decodeReply(reply, HatEventer.MsgQueryRes, queryResultFromSbs);
  }

  /**
   * The response is handed over by the receive loop, as hat's client does, not by a reply wait
   * of the connection: so a call resolves only after `onEvents`/`onStatus` ran for every
   * message received before its response (the server notifies registered events before it
   * answers the register request).
   */
  private async request(data: Data): Promise<Msg> {
    const conv = await this.connection.send(data, { last: false });
    return new Promise((resolve, reject) => {
      if (this.stopped) reject(this.closedError());
      else this.pending.set(conversationKey(conv), { resolve, reject });
    });
  }

  private closedError(): ConnectionClosedError {
    const cause = this.closeReason;
    return new ConnectionClosedError('connection closed', cause ? { cause } : undefined);
  }

  // Conversion included: a reply whose JSON payload is not JSON closes the client as hat's
  // receive loop does, and as a notification carrying it would.
  private decodeReply<T, R>(reply: Msg, codec: Codec<T>, convert: (value: T) => R): R {
    try {
      if (reply.data.type !== codec.name)
        throw new EventerProtocolError(
          `unexpected ${reply.data.type} in reply, expected ${codec.name}`,
        );
      return convert(decodeWide(codec, reply.data.data));
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  private fail(e: unknown): void {
    const error = e instanceof Error ? e : new EventerError(String(e));
    if (this.reason === null && this.connection.isOpen) {
      this.reason = error;
      this.logger.error(`eventer client: ${error.message}, closing`, { error });
    }
    void this.connection.close();
  }

  private async loop(): Promise<void> {
    const conn = this.connection;
    const watch = new CloseWatch(conn.closed);
    try {
      for (;;) {
        const msg = conn.tryReceive() ?? (await conn.receive());
        const type = msg.data.type;
        if (type === MSG.eventsNotify) {
          const events = decodeWide(HatEventer.MsgEventsNotify, msg.data.data).map(eventFromSbs);
          const ack = msg.last ? null : msg.conv;
          if (this.onEvents !== undefined) {
            const r = this.onEvents(events, this);
            if (r instanceof Promise) await watch.race(r);
            this.acknowledge(ack);
          } else {
            const full = this.enqueue({ events, ack });
            // Not Promise.race with conn.closed, which keeps a reaction per stall until the
            // connection closes. Once closed, go on: notifications already received still
            // reach the iterator.
            if (full !== undefined) await watch.race(full).catch(() => {});
          }
        } else if (type === MSG.statusNotify) {
          this.currentStatus = statusFromSbs(HatEventer.MsgStatusNotify.decode(msg.data.data));
          if (this.onStatus !== undefined) {
            const r = this.onStatus(this.currentStatus, this);
            if (r instanceof Promise) await watch.race(r);
          }
        } else if (type === MSG.registerRes || type === MSG.queryRes) {
          const key = conversationKey(msg.conv);
          const call = this.pending.get(key);
          if (call !== undefined) {
            this.pending.delete(key);
            call.resolve(msg);
          } else {
            // A response nobody waits for (hat ignores these too).
            this.logger.debug('eventer client: unexpected response ignored', { type });
          }
        } else {
          throw new EventerProtocolError(`unexpected message type ${JSON.stringify(type)}`);
        }
      }
    } catch (e) {
      if (!(e instanceof ConnectionClosedError)) this.fail(e);
    } finally {
      this.stopped = true;
      const error = this.closedError();
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
      await conn.close();
      this.ended = true;
      for (const t of this.takers.drain()) t({ value: undefined, done: true });
    }
  }

  private enqueue(item: Queued): Promise<void> | void {
    const taker = this.takers.shift();
    if (taker !== undefined) {
      this.acknowledge(item.ack);
      taker({ value: item.events, done: false });
      return;
    }
    this.queue.push(item);
    if (this.queue.length < this.queueSize) return;
    return new Promise((resolve) => (this.spaceWaiter = resolve));
  }

  private acknowledge(conv: Conversation | null): void {
    if (conv !== null && this.connection.isOpen)
      void this.connection.send(ACK, { conv }).catch(() => {});
  }

  private take(): Queued | undefined {
    const item = this.queue.shift();
    if (item === undefined) return undefined;
    const waiter = this.spaceWaiter;
    if (waiter !== null && this.queue.length < this.queueSize) {
      this.spaceWaiter = null;
      waiter();
    }
    return item;
  }

  /**
   * Notified event lists in arrival order (each acknowledged, when the server asked, as it
   * is taken); ends when the connection closes. Only without `onEvents`.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Event[]> {
    if (this.onEvents !== undefined)
      throw new EventerError('events go to onEvents; iteration needs a client without it');
    const iterator: AsyncIterableIterator<Event[]> = {
      next: () => {
        const item = this.take();
        if (item !== undefined) {
          this.acknowledge(item.ack);
          return Promise.resolve({ value: item.events, done: false });
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.takers.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Closes the connection; pending `register`/`query` calls reject with `ConnectionClosedError`. */
  async close(): Promise<void> {
    await this.connection.close();
    await this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
