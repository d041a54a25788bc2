import * as HatEventer from './gen/HatEventer.js';
import {
  ConnectionClosedError,
  listen as chatterListen,
  noopLogger,
  toData,
  type AddressLike,
  type Address,
  type Connection,
  type Conversation,
  type Data,
  type ListenOptions,
  type Logger,
  type Msg,
  type Server as ChatterServer,
} from '../chatter/index.js';
import {
  eventToSbs,
  queryParamsFromSbs,
  queryResultToSbs,
  registerEventFromSbs,
  statusToSbs,
} from './convert.js';
import { CloseWatch } from './close-watch.js';
import { Fifo } from '../fifo.js';
import { EventerError, EventerProtocolError, EventerValueError } from './errors.js';
import type { Event, RegisterEvent } from './event.js';
import type { QueryParams, QueryResult } from './query.js';
import { STATUSES, type Status } from './status.js';
import { checkQueryTypeLength, Subscription } from './subscription.js';
import { decodeMsgWide, decodeWide } from './wide-integers.js';

/** An initialized client connection, as the client described itself in `MsgInitReq`. */
export interface ConnectionInfo {
  /** 1, 2, ... per server, in order of arrival (a connection that fails init uses one too). */
  readonly id: number;
  readonly clientName: string;
  readonly clientToken: string | null;
  readonly subscription: Subscription;
  readonly serverId: number | null;
  readonly persisted: boolean;
}

export interface ServerOptions extends Omit<ListenOptions, 'onConnection'> {
  /** Initial status. Default `standby`. */
  readonly status?: Status;
  /**
   * Awaited before the init response; a throw (or rejection) refuses the client with
   * `MsgInitRes` error carrying the error's message (e.g. a token check).
   */
  readonly onConnected?: (info: ConnectionInfo) => void | Promise<void>;
  /**
   * After an initialized connection closed. Errors are logged. `close()` waits for calls
   * still running at most `closeTimeout` (so a callback may itself await `close()`).
   */
  readonly onDisconnected?: (info: ConnectionInfo) => void | Promise<void>;
  /**
   * Register requests (one at a time per connection). Return the registered events, or
   * `null` for failure. A throw closes that connection. Without it every request fails.
   */
  readonly onRegister?: (
    info: ConnectionInfo,
    events: RegisterEvent[],
  ) => Event[] | null | Promise<Event[] | null>;
  /**
   * Lets a connection's register requests overlap (for a store that commits in groups): the
   * next request is read while earlier ones still wait for `onRegister`'s promise, whose
   * synchronous part must therefore fix the events' ids; responses still go out in request
   * order, and a query waits for the registrations before it. Default false: one at a time.
   */
  readonly pipelineRegister?: boolean;
  /** Queries (one at a time per connection). A throw closes that connection. Without it results are empty. */
  readonly onQuery?: (
    info: ConnectionInfo,
    params: QueryParams,
  ) => QueryResult | Promise<QueryResult>;
  /**
   * Milliseconds to wait for a refused client to close before closing (default 500, as hat).
   * Also Chatter's graceful close timeout.
   */
  readonly closeTimeout?: number;
}

export interface NotifyOptions {
  /** Send with `last = false` and wait for every client's `MsgEventsAck`. Default false. */
  readonly withAck?: boolean;
  /** Milliseconds to wait for one client's ack before giving up on it (logged). Default: no limit. */
  readonly ackTimeout?: number;
}

/** The answer to a register request: the registered events, or failure (`null`). */
function registerResponse(result: readonly Event[] | null): Data {
  return toData(
    HatEventer.MsgRegisterRes,
    result === null
      ? { type: 'failure', value: null }
      : { type: 'events', value: result.map(eventToSbs) },
  );
}

/** A pipelined registration's result, to be answered in request order. */
interface PendingAnswer {
  readonly result: Event[] | null | Promise<Event[] | null>;
  /** The request asked for no response. */
  readonly last: boolean;
  readonly conv: Conversation;
}

interface Served {
  readonly info: ConnectionInfo;
  readonly conn: Connection;
  /** Equal for clients whose subscription and server id select the same events. */
  readonly selector: string;
}

const EMPTY_RESULT: QueryResult = { events: [], moreFollows: false };

/**
 * Events (a query counts as one) a connection's loop handles from what it already received
 * before it lets the event loop run. A client with many requests in flight delivers them in
 * one read; handled in one turn they would become one commit, whose responses all wait for
 * the last request while the client waits for them, idle: handing them to the store in parts
 * lets the store commit one part while the next is handled, the client get answers sooner,
 * and other connections in. Measured on LMDB (BENCHMARKS.md): single events 256 in flight
 * ~35k -> ~41k events/s, batches of 100 8 in flight ~88k -> ~105k events/s.
 */
const TURN_EVENTS = 128;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkStatus(status: Status): Status {
  if (!STATUSES.includes(status))
    throw new EventerValueError(`invalid status ${JSON.stringify(status)}`);
  return status;
}

/** Starts an Eventer server; resolves once listening (port 0 = any free port, see `address`). */
export async function listen(address: AddressLike, options: ServerOptions = {}): Promise<Server> {
  const server = new Server(options);
  const chatter = await chatterListen(address, {
    closeTimeout: 500,
    ...options,
    onConnection: (conn) => server.accept(conn),
  });
  server.attach(chatter);
  return server;
}

/** A listening Eventer server. */
export class Server implements AsyncDisposable {
  readonly closed: Promise<void>;
  private currentStatus: Status;
  private readonly logger: Logger;
  private readonly closeTimeout: number;
  private readonly served = new Map<Connection, Served>();
  /** The served whose subscription selects something: the only ones `notifyEvents` visits. */
  private readonly subscribed = new Map<Connection, Served>();
  private readonly loops = new Set<Promise<void>>();
  /** `onDisconnected` calls still running. */
  private readonly disconnecting = new Set<Promise<void>>();
  private nextId = 1;
  private chatter: ChatterServer | null = null;
  private closing = false;
  private resolveClosed!: () => void;

  /** Use `listen`. */
  constructor(private readonly options: ServerOptions) {
    this.currentStatus = checkStatus(options.status ?? 'standby');
    this.logger = options.logger ?? noopLogger;
    this.closeTimeout = options.closeTimeout ?? 500;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** @internal */
  attach(chatter: ChatterServer): void {
    this.chatter = chatter;
  }

  get address(): Address {
    if (this.chatter === null) throw new Error('server is not listening');
    return this.chatter.address;
  }

  get addresses(): Address[] {
    return this.chatter?.addresses ?? [];
  }

  get status(): Status {
    return this.currentStatus;
  }

  /** Initialized connections whose subscription selects some events (what a notify reaches). */
  get subscriberCount(): number {
    return this.subscribed.size;
  }

  /** Initialized connections, in order of initialization. */
  get connections(): ConnectionInfo[] {
    return [...this.served.values()].map((s) => s.info);
  }

  /** @internal Chatter's `onConnection`. */
  accept(conn: Connection): void {
    const id = this.nextId++;
    const loop = this.serve(conn, id);
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  /** Notifies every initialized client when the status changes (no-op when unchanged). */
  async setStatus(status: Status): Promise<void> {
    // Checked before it is kept: an unencodable status would fail every later init response.
    checkStatus(status);
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    const data = toData(HatEventer.MsgStatusNotify, statusToSbs(status));
    const sends = [...this.served.values()].map((s) =>
      s.conn.send(data).then(
        () => {},
        (e: unknown) =>
          this.logger.debug('eventer server: status notify not sent', { id: s.info.id, error: e }),
      ),
    );
    await Promise.all(sends);
  }

  /**
   * Sends each initialized client with the same `persisted` flag the events its subscription
   * (and server id, when it gave one) selects, in order; clients with nothing selected get
   * nothing. With `withAck`, resolves once every notified client acknowledged, closed, or ran
   * past `ackTimeout`; a client that closes ends only its own wait.
   */
  async notifyEvents(
    events: readonly Event[],
    persisted: boolean,
    options: NotifyOptions = {},
  ): Promise<void> {
    if (events.length === 0 || this.subscribed.size === 0) return;
    const withAck = options.withAck ?? false;
    let sbs: HatEventer.Event[] | null = null;
    let all: Data | null = null;
    const select = ({ subscription: sub, serverId: sid }: ConnectionInfo): Data | null => {
      const everything = sub.matchesAll && sid === null;
      const picked: number[] = [];
      if (!everything) {
        for (let i = 0; i < events.length; i++) {
          const e = events[i] as Event;
          if ((sid === null || sid === e.id.server) && sub.matches(e.type)) picked.push(i);
        }
        if (picked.length === 0) return null;
      }
      const converted = (sbs ??= events.map(eventToSbs));
      if (everything || picked.length === events.length)
        return (all ??= toData(HatEventer.MsgEventsNotify, converted));
      const selected = picked.map((i) => converted[i] as HatEventer.Event);
      return toData(HatEventer.MsgEventsNotify, selected);
    };
    // Matched and encoded once per distinct selector, however many clients share it.
    const selections = new Map<string, Data | null>();
    const waits: Promise<void>[] = [];
    for (const s of this.subscribed.values()) {
      const info = s.info;
      if (info.persisted !== persisted) continue;
      let data = selections.get(s.selector);
      if (data === undefined) {
        data = select(info);
        selections.set(s.selector, data);
      }
      if (data === null) continue;
      const sent = s.conn.send(data, { last: !withAck });
      if (withAck) waits.push(this.waitAck(s, sent, options.ackTimeout));
      else
        sent.catch((e: unknown) =>
          this.logger.debug('eventer server: events notify not sent', { id: info.id, error: e }),
        );
    }
    await Promise.all(waits);
  }

  private async waitAck(
    s: Served,
    sent: Promise<Conversation>,
    timeout: number | undefined,
  ): Promise<void> {
    try {
      const conv = await sent;
      const reply = await s.conn.waitReply(conv, timeout === undefined ? {} : { timeout });
      if (reply.data.type !== HatEventer.MsgEventsAck.name)
        this.logger.warn('eventer server: unexpected reply to events notify', {
          id: s.info.id,
          type: reply.data.type,
        });
    } catch (e) {
      if (e instanceof ConnectionClosedError)
        this.logger.debug('eventer server: client closed before acknowledging events', {
          id: s.info.id,
        });
      else this.logger.warn('eventer server: no events ack', { id: s.info.id, error: e });
    }
  }

  private async serve(conn: Connection, id: number): Promise<void> {
    let msg: Msg;
    try {
      msg = await conn.receive();
    } catch {
      return; // closed before init
    }
    let served: Served | undefined;
    const watch = new CloseWatch(conn.closed);
    try {
      const req = decodeMsgWide(msg, HatEventer.MsgInitReq);
      let info: ConnectionInfo;
      let selector: string;
      try {
        info = {
          id,
          clientName: req.clientName,
          clientToken: req.clientToken ?? null,
          subscription: Subscription.of(req.subscriptions),
          serverId: req.serverId ?? null,
          persisted: req.persisted,
        };
        // Here, so that a subscription the server cannot take refuses the client instead of
        // failing after the success response.
        selector = JSON.stringify([info.serverId, info.subscription.queryTypes()]);
      } catch (e) {
        await this.refuse(conn, msg, this.clientText(e, id));
        return;
      }
      try {
        const r = this.options.onConnected?.(info);
        if (r instanceof Promise) await watch.race(r);
      } catch (e) {
        // The application's own refusal (e.g. a token check): its text is meant for the client.
        await this.refuse(conn, msg, e instanceof Error ? e.message : String(e));
        return;
      }
      if (!conn.isOpen || this.closing) return;
      void conn
        .send(
          toData(HatEventer.MsgInitRes, {
            type: 'success',
            value: statusToSbs(this.currentStatus),
          }),
          {
            conv: msg.conv,
          },
        )
        .catch(() => {});
      served = { info, conn, selector };
      this.served.set(conn, served);
      if (!info.subscription.isEmpty) this.subscribed.set(conn, served);
      await this.loop(served, watch);
    } catch (e) {
      this.closedBy(id, e);
    } finally {
      await conn.close();
      if (served !== undefined) {
        this.served.delete(conn);
        this.subscribed.delete(conn);
        // Tracked apart from the loops: close() waits for it only up to closeTimeout, so that
        // neither a callback that never settles nor one that awaits close() itself hangs close().
        const done = this.disconnected(served.info);
        this.disconnecting.add(done);
        void done.finally(() => this.disconnecting.delete(done));
      }
    }
  }

  /** Logs what closed a connection, unless it was the connection closing. */
  private closedBy(id: number, e: unknown): void {
    if (!(e instanceof ConnectionClosedError))
      this.logger.error(`eventer server: connection ${id} closed: ${(e as Error).message}`, {
        id,
        error: e,
      });
  }

  private async disconnected(info: ConnectionInfo): Promise<void> {
    try {
      const r = this.options.onDisconnected?.(info);
      if (r instanceof Promise) await r;
    } catch (e) {
      this.logger.warn('eventer server: onDisconnected failed', { id: info.id, error: e });
    }
  }

  /**
   * What a client is told of an error of ours: the text of our own errors, which name what
   * was wrong with its input; for anything else (a bug, or a limit of the runtime such as the
   * stack) a fixed text, the detail going to the log only.
   */
  private clientText(e: unknown, id: number): string {
    if (e instanceof EventerError) return e.message;
    this.logger.error('eventer server: unexpected error in client init', { id, error: e });
    return 'internal server error';
  }

  private async refuse(conn: Connection, msg: Msg, text: string): Promise<void> {
    this.logger.info('eventer server: client refused', { error: text });
    await conn
      .send(toData(HatEventer.MsgInitRes, { type: 'error', value: text }), { conv: msg.conv })
      .catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      conn.closed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.closeTimeout))),
    ]);
    clearTimeout(timer);
  }

  private async loop(s: Served, watch: CloseWatch): Promise<void> {
    const { conn, info } = s;
    const { onRegister, onQuery } = this.options;
    // Registrations waiting for their result (pipelineRegister), answered in request order by
    // one drain at a time: a promise chain per request cost four promises and two closures.
    const answers = new Fifo<PendingAnswer>();
    let draining = false;
    let failed = false;
    let drained: Promise<void> = Promise.resolve();
    const drain = async (): Promise<void> => {
      draining = true;
      try {
        for (let a = answers.shift(); a !== undefined; a = answers.shift()) {
          const result = a.result instanceof Promise ? await a.result : a.result;
          if (a.last) continue;
          await conn.send(registerResponse(result), { conv: a.conv });
        }
      } finally {
        // Set in the same step as the last empty check: a request queued later starts a drain.
        draining = false;
      }
    };
    // A failed registration (or send) closes the connection; nothing after it is answered.
    const fail = (e: unknown): void => {
      failed = true;
      answers.drain();
      this.closedBy(info.id, e);
      void conn.close();
    };
    // Events handled since the loop last waited for the event loop.
    let handled = 0;
    for (;;) {
      let msg = conn.tryReceive();
      if (msg === undefined) {
        msg = await conn.receive();
        handled = 0;
      } else if (handled >= TURN_EVENTS) {
        await nextTurn();
        handled = 0;
      }
      const type = msg.data.type;
      if (type === HatEventer.MsgRegisterReq.name && this.options.pipelineRegister === true) {
        if (failed) continue; // closing: not stored, as it will not be answered
        const events = decodeWide(HatEventer.MsgRegisterReq, msg.data.data).map(
          registerEventFromSbs,
        );
        handled += events.length;
        const result = onRegister === undefined ? null : onRegister(info, events);
        // Awaited in turn by the drain; until then a rejection must not count as unhandled.
        if (result instanceof Promise) result.catch(() => {});
        answers.push({ result, last: msg.last, conv: msg.conv });
        if (!draining) drained = drain().catch(fail);
        // Bounds what one client can have waiting; a failure has closed the connection.
        if (answers.length >= 1024) await watch.race(drained);
        continue;
      }
      if (draining) await watch.race(drained);
      if (type === HatEventer.MsgRegisterReq.name) {
        const events = decodeWide(HatEventer.MsgRegisterReq, msg.data.data).map(
          registerEventFromSbs,
        );
        handled += events.length;
        let result: Event[] | null = null;
        if (onRegister !== undefined) {
          const r = onRegister(info, events);
          result = r instanceof Promise ? await watch.race(r) : r;
        }
        if (msg.last) continue;
        await conn.send(registerResponse(result), { conv: msg.conv });
      } else if (type === HatEventer.MsgQueryReq.name) {
        handled++;
        const params = queryParamsFromSbs(decodeWide(HatEventer.MsgQueryReq, msg.data.data));
        // Refused here, whatever the backend does with them: walking such a type recursively
        // would overflow the stack.
        if (params.type !== 'server' && params.eventTypes !== null)
          for (const t of params.eventTypes) checkQueryTypeLength(t);
        let result = EMPTY_RESULT;
        if (onQuery !== undefined) {
          const r = onQuery(info, params);
          result = r instanceof Promise ? await watch.race(r) : r;
        }
        await conn.send(toData(HatEventer.MsgQueryRes, queryResultToSbs(result)), {
          conv: msg.conv,
        });
      } else if (type === HatEventer.MsgEventsAck.name) {
        // An ack after its wait ended (timeout): nothing waits for it any more.
        this.logger.debug('eventer server: late events ack ignored', { id: info.id });
      } else {
        throw new EventerProtocolError(`unexpected message type ${JSON.stringify(type)}`);
      }
    }
  }

  /** Stops listening, closes every connection and resolves once all are closed. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      await this.chatter?.close();
      await Promise.all([...this.loops]);
      if (this.disconnecting.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const settled = await Promise.race([
          Promise.all([...this.disconnecting]).then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(resolve, this.closeTimeout, false))),
        ]);
        clearTimeout(timer);
        if (!settled)
          this.logger.warn('eventer server: closed without waiting longer for onDisconnected', {
            pending: this.disconnecting.size,
          });
      }
      this.resolveClosed();
    }
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
