import { ProtocolError } from './errors.js';
import { isJsonObject, type JsonValue } from '../json-value.js';

export interface RequestMsg {
  type: 'request';
  id: JsonValue;
  name: string;
  data: JsonValue;
}

export interface ResponseMsg {
  type: 'response';
  id: JsonValue;
  data: JsonValue;
  success: boolean;
}

export interface StateMsg {
  type: 'state';
  diff: JsonValue;
}

export interface NotifyMsg {
  type: 'notify';
  name: string;
  data: JsonValue;
}

export type ServerMsg = ResponseMsg | StateMsg | NotifyMsg;

/** Validates a message received by a server; anything but a well-formed request is fatal. */
export function parseRequest(msg: unknown): RequestMsg {
  if (!isJsonObject(msg as JsonValue)) throw new ProtocolError('message is not an object');
  const m = msg as Record<string, JsonValue>;
  if (m['type'] !== 'request')
    throw new ProtocolError(`unsupported message type ${JSON.stringify(m['type'])}`);
  if (!('id' in m) || typeof m['name'] !== 'string' || !('data' in m)) {
    throw new ProtocolError('malformed request');
  }
  return m as unknown as RequestMsg;
}

/** Validates a message received by a client. */
export function parseServerMsg(msg: unknown): ServerMsg {
  if (!isJsonObject(msg as JsonValue)) throw new ProtocolError('message is not an object');
  const m = msg as Record<string, JsonValue>;
  switch (m['type']) {
    case 'response':
      if (!('id' in m) || typeof m['success'] !== 'boolean')
        throw new ProtocolError('malformed response');
      return {
        type: 'response',
        id: m['id'] as JsonValue,
        data: m['data'] ?? null,
        success: m['success'],
      };
    case 'state':
      if (!Array.isArray(m['diff'])) throw new ProtocolError('malformed state message');
      return { type: 'state', diff: m['diff'] };
    case 'notify':
      if (typeof m['name'] !== 'string') throw new ProtocolError('malformed notify message');
      return { type: 'notify', name: m['name'], data: m['data'] ?? null };
    default:
      throw new ProtocolError(`unsupported message type ${JSON.stringify(m['type'])}`);
  }
}
