// One error hierarchy for the three protocols: the shared classes are one class whichever
// entry they are imported from, every class has a stable `code`, and `name` (log output) is
// what it was before the classes were shared.
import { describe, expect, it } from 'vitest';
import * as chatter from '../../runtime/chatter/index.js';
import * as eventer from '../../runtime/eventer/index.js';
import * as juggler from '../../runtime/juggler/index.js';
import * as shared from '../../runtime/errors.js';

describe('shared error classes', () => {
  it('are one class from every protocol entry', () => {
    expect(chatter.ConnectionClosedError).toBe(shared.ConnectionClosedError);
    expect(juggler.ConnectionClosedError).toBe(shared.ConnectionClosedError);
    expect(eventer.ConnectionClosedError).toBe(shared.ConnectionClosedError);
    expect(chatter.ProtocolError).toBe(juggler.ProtocolError);
    expect(chatter.PingTimeoutError).toBe(juggler.PingTimeoutError);
    expect(chatter.BufferLimitError).toBe(juggler.BufferLimitError);
    expect(chatter.HatError).toBe(juggler.HatError);
    expect(eventer.HatError).toBe(juggler.HatError);
  });

  it('extend HatError, not a protocol root', () => {
    const e = new chatter.ConnectionClosedError();
    expect(e).toBeInstanceOf(shared.HatError);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(chatter.ChatterError);
    expect(e).not.toBeInstanceOf(juggler.JugglerBaseError);
    expect(new chatter.FrameTooLargeError(10, 5)).toBeInstanceOf(juggler.ProtocolError);
  });

  it('keep the cause a closed connection gives', () => {
    const cause = new Error('reset');
    expect(new shared.ConnectionClosedError('closed', { cause }).cause).toBe(cause);
  });

  it('carry what a buffer limit eviction measured', () => {
    const e = new juggler.BufferLimitError(600, 2100, 2000);
    expect([e.buffered, e.total, e.limit]).toEqual([600, 2100, 2000]);
    expect(e.message).toContain('maxBufferedBytes (2000 bytes)');
  });
});

describe('protocol roots', () => {
  it('extend HatError', () => {
    expect(new chatter.ChatterError('x')).toBeInstanceOf(shared.HatError);
    expect(new juggler.JugglerBaseError('x')).toBeInstanceOf(shared.HatError);
    expect(new eventer.EventerError('x')).toBeInstanceOf(shared.HatError);
    expect(new eventer.EventerValueError('x')).toBeInstanceOf(eventer.EventerError);
    expect(new juggler.PatchError('x')).toBeInstanceOf(juggler.JugglerBaseError);
  });

  it('keep JugglerError as the same class as JugglerRequestError', () => {
    expect(juggler.JugglerError).toBe(juggler.JugglerRequestError);
    const e = new juggler.JugglerRequestError({ reason: 'no' });
    expect(e).toBeInstanceOf(juggler.JugglerError);
    expect(e.name).toBe('JugglerError');
    expect(e.code).toBe('request-failed');
    expect(e.data).toEqual({ reason: 'no' });
  });
});

describe('name and code', () => {
  const errors: [shared.HatError, string, string][] = [
    [new shared.ConnectionClosedError(), 'ConnectionClosedError', 'connection-closed'],
    [new shared.ProtocolError('x'), 'ProtocolError', 'protocol'],
    [new shared.PingTimeoutError(), 'PingTimeoutError', 'ping-timeout'],
    [new shared.BufferLimitError(1, 2, 1), 'BufferLimitError', 'buffer-limit'],
    [new chatter.ChatterError('x'), 'ChatterError', 'chatter'],
    [new chatter.FrameTooLargeError(10, 5), 'FrameTooLargeError', 'frame-too-large'],
    [new chatter.ReplyTimeoutError(5), 'ReplyTimeoutError', 'reply-timeout'],
    [new chatter.UnexpectedTypeError('a', ['b']), 'UnexpectedTypeError', 'unexpected-type'],
    [new juggler.JugglerBaseError('x'), 'JugglerBaseError', 'juggler'],
    [new juggler.JugglerRequestError('x'), 'JugglerError', 'request-failed'],
    [new juggler.ConnectError('x'), 'ConnectError', 'connect'],
    [new juggler.PatchError('x'), 'PatchError', 'patch'],
    [new juggler.HtpasswdError('x'), 'HtpasswdError', 'htpasswd'],
    [new juggler.QueueOverflowError('x'), 'QueueOverflowError', 'queue-overflow'],
    [new eventer.EventerError('x'), 'EventerError', 'eventer'],
    [new eventer.EventerInitError('x'), 'EventerInitError', 'init-refused'],
    [new eventer.EventerProtocolError('x'), 'EventerProtocolError', 'eventer-protocol'],
    [new eventer.InvalidQueryTypeError(['a*']), 'InvalidQueryTypeError', 'invalid-query-type'],
    [new eventer.EventerValueError('x'), 'EventerValueError', 'eventer-value'],
  ];

  it.each(errors)('%s', (error, name, code) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
  });

  it('codes are distinct', () => {
    expect(new Set(errors.map(([, , code]) => code)).size).toBe(errors.length);
  });
});
