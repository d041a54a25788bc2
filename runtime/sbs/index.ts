export {
  SbsWriter,
  entryValue,
  isInheritedName,
  unknownEntry,
  type EncodeOptions,
} from './writer.js';
export { SbsReader, type DecodeOptions } from './reader.js';
export {
  SbsError,
  SbsDecodeError,
  SbsEncodeError,
  at,
  formatPath,
  type PathSegment,
  type SbsDecodeErrorCode,
} from './errors.js';
export { codec, encodeWith, decodeWith, type Codec, type ReadFn, type WriteFn } from './codec.js';
export {
  Repository,
  SbsUnknownTypeError,
  type IntegerMode,
  type RepositoryOptions,
} from './repository.js';
