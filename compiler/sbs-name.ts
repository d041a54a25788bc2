/** An SBS name (module, type, type parameter, entry); code generation relies on this form. */
export const NAME = /[A-Za-z][A-Za-z0-9_]*/;
