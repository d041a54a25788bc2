export { connect, type ConnectOptions } from './connect.js';
export { listen, Server, type ListenOptions } from './server.js';
export {
  Connection,
  type ConnectionInfo,
  type ConnectionOptions,
  type SendOptions,
  type WaitOptions,
} from './connection.js';
export {
  conversationKey,
  sameConversation,
  type Conversation,
  type Data,
  type Msg,
} from './conversation.js';
export { parseAddress, formatAddress, type Address, type AddressLike } from './address.js';
export { HatError } from '../errors.js';
export {
  ChatterError,
  ConnectionClosedError,
  ProtocolError,
  FrameTooLargeError,
  BufferLimitError,
  PingTimeoutError,
  ReplyTimeoutError,
  UnexpectedTypeError,
} from './errors.js';
export { FrameDecoder, frame, lengthSize } from './framing.js';
export {
  CodecSet,
  sendMsg,
  decodeMsg,
  matchMsg,
  requestMsg,
  toData,
  type CodecsOf,
  type Decoded,
  type ValueOf,
} from './typed.js';
export { noopLogger, type Logger, type LogFields } from '../logger.js';
export * as HatChatter from './gen/HatChatter.js';
