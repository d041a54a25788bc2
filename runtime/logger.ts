// The structured logger every runtime part accepts as its `logger` option. Quiet by default:
// libraries should not print unless asked to.

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const noop = (): void => {};

export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
