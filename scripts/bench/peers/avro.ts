// avsc (Avro) schemas for the benchmark's messages, and the mapping between our values and
// avsc's: Bytes are Node Buffers, the Event payload an unwrapped union (null, the JSON string,
// or the binary record), integers `long` decoded to numbers.
import avro from 'avsc';
import type { HatEventer } from '../../../generated/index.js';

const timestamp = {
  type: 'record',
  name: 'Timestamp',
  fields: [
    { name: 's', type: 'long' },
    { name: 'us', type: 'long' },
  ],
};
const event = {
  type: 'record',
  name: 'Event',
  fields: [
    {
      name: 'id',
      type: {
        type: 'record',
        name: 'EventId',
        fields: [
          { name: 'server', type: 'long' },
          { name: 'session', type: 'long' },
          { name: 'instance', type: 'long' },
        ],
      },
    },
    { name: 'type', type: { type: 'array', items: 'string' } },
    { name: 'timestamp', type: timestamp },
    { name: 'sourceTimestamp', type: ['null', 'Timestamp'] },
    {
      name: 'payload',
      type: [
        'null',
        'string',
        {
          type: 'record',
          name: 'EventPayloadBinary',
          fields: [
            { name: 'type', type: 'string' },
            { name: 'data', type: 'bytes' },
          ],
        },
      ],
    },
  ],
};

export const avroTypes = {
  Event: avro.Type.forSchema(event as avro.Schema),
  Events: avro.Type.forSchema({ type: 'array', items: event } as avro.Schema),
  Tree: avro.Type.forSchema({
    type: 'record',
    name: 'Tree',
    fields: [
      { name: 'value', type: 'long' },
      { name: 'children', type: { type: 'array', items: 'Tree' } },
    ],
  } as avro.Schema),
  Ints: avro.Type.forSchema({ type: 'array', items: 'long' }),
  Blob: avro.Type.forSchema('bytes'),
  Msg: avro.Type.forSchema({
    type: 'record',
    name: 'Msg',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'first', type: 'long' },
      { name: 'owner', type: 'boolean' },
      { name: 'token', type: 'boolean' },
      { name: 'last', type: 'boolean' },
      {
        name: 'data',
        type: {
          type: 'record',
          name: 'Data',
          fields: [
            { name: 'type', type: 'string' },
            { name: 'data', type: 'bytes' },
          ],
        },
      },
    ],
  } as avro.Schema),
};

type AvroEvent = Omit<HatEventer.Event, 'payload'> & {
  payload: string | { type: string; data: Buffer } | null;
};

export function toAvroEvent(e: HatEventer.Event): AvroEvent {
  const p = e.payload;
  return {
    ...e,
    sourceTimestamp: e.sourceTimestamp ?? null,
    payload: !p
      ? null
      : p.type === 'json'
        ? p.value
        : { type: p.value.type, data: Buffer.from(p.value.data) },
  };
}

export function fromAvroEvent(e: AvroEvent): HatEventer.Event {
  const p = e.payload;
  return {
    ...e,
    payload:
      p === null
        ? null
        : typeof p === 'string'
          ? { type: 'json', value: p }
          : { type: 'binary', value: { type: p.type, data: p.data } },
  };
}
