import type * as HatChatter from './gen/HatChatter.js';

/**
 * A conversation from the local point of view: `owner` is true when this side started it,
 * `firstId` is the id of its first message (in the owner's id sequence). Two conversations
 * with the same `firstId` and different owners are distinct.
 */
export interface Conversation {
  readonly owner: boolean;
  readonly firstId: number;
}

/** Chatter payload: `type` is by convention a qualified SBS type name `Module.Type`. */
export type Data = HatChatter.Data;

/** A received application message. */
export interface Msg {
  readonly data: Data;
  /** Pass as `send(reply, {conv: msg.conv})` to answer in the same conversation. */
  readonly conv: Conversation;
  /** True when this message opened the conversation (the peer owns it). */
  readonly first: boolean;
  /** The sender marked the conversation as finished. */
  readonly last: boolean;
  /** The sender passed the token (it is this side's turn). */
  readonly token: boolean;
}

/**
 * One `Map` key per conversation: a number for valid ids (>= 1), without string building.
 * A peer may send any `first`; 0 and negative ids get strings, so that `{owner: true, firstId: -5}`
 * cannot take a reply meant for `{owner: false, firstId: 5}`.
 */
export function conversationKey(conv: Conversation): number | string {
  const id = conv.firstId;
  if (id > 0) return conv.owner ? id : -id;
  return `${conv.owner ? 'o' : 'p'}${id}`;
}

export function sameConversation(a: Conversation, b: Conversation): boolean {
  return a.owner === b.owner && a.firstId === b.firstId;
}
