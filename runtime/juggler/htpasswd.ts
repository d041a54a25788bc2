import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { apr1, apr1Salt } from './apr1.js';
import { HtpasswdError } from './errors.js';

type HashKind = 'apr1' | 'bcrypt' | 'sha';

interface Entry {
  kind: HashKind;
  hash: string;
  /** Kind and work factor: entries of one group take the same time to check. */
  group: string;
}

/** The bcrypt cost (`$2b$NN$`) is part of the group; apr1 and {SHA} have a fixed cost. */
function groupOf(kind: HashKind, hash: string): string {
  return kind === 'bcrypt' ? `bcrypt:${hash.slice(4, 6)}` : kind;
}

function hashKind(hash: string): HashKind | null {
  if (apr1Salt(hash) !== null) return 'apr1';
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return 'bcrypt';
  if (/^\{SHA\}[A-Za-z0-9+/]{27}=$/.test(hash)) return 'sha';
  return null;
}

function equalStrings(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

async function check(entry: Entry, password: string): Promise<boolean> {
  switch (entry.kind) {
    case 'apr1':
      return equalStrings(apr1(password, apr1Salt(entry.hash) as string), entry.hash);
    case 'bcrypt':
      return bcrypt.compare(password, entry.hash);
    case 'sha':
      return equalStrings(
        '{SHA}' + createHash('sha1').update(password, 'utf8').digest('base64'),
        entry.hash,
      );
  }
}

/**
 * Users and password hashes of an Apache htpasswd file. Accepts `$apr1$`
 * (what hat accepts), bcrypt (`$2a$`/`$2b$`/`$2y$`) and `{SHA}`; any other
 * hash is rejected when loading, like hat rejects non-apr1 hashes.
 */
export class Htpasswd {
  private readonly entries = new Map<string, Entry>();
  /** The first entry of each group (kind + cost), hashed against by every check (see verify). */
  private readonly decoys = new Map<string, Entry>();
  /** user -> SHA-256 of the last verified password, so bcrypt/apr1 run once per user. */
  private readonly verified = new Map<string, Buffer>();

  static async load(file: string): Promise<Htpasswd> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new HtpasswdError(`cannot read htpasswd file: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return Htpasswd.parse(text);
  }

  static parse(text: string): Htpasswd {
    const result = new Htpasswd();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HtpasswdError(`htpasswd line ${i + 1}: expected user:hash`);
      const hash = line.slice(colon + 1);
      const kind = hashKind(hash);
      if (kind === null)
        throw new HtpasswdError(`htpasswd line ${i + 1}: unsupported password encoding`);
      const entry = { kind, hash, group: groupOf(kind, hash) };
      if (!result.decoys.has(entry.group)) result.decoys.set(entry.group, entry);
      result.entries.set(line.slice(0, colon), entry);
    });
    return result;
  }

  /**
   * Whether `password` is `user`'s. Unless the password is the one last
   * verified for that user (cached), every call, for a known user of any kind
   * or an unknown user, computes exactly one hash of each kind and cost in the
   * file, in the same order: answering unknown users at once (as hat does), or
   * hashing only the user's own kind, would tell from the response time which
   * user names exist.
   */
  async verify(user: string, password: string): Promise<boolean> {
    const entry = this.entries.get(user);
    if (entry) {
      const cached = this.verified.get(user);
      if (cached && timingSafeEqual(cached, sha256(password))) return true;
    }
    let ok = false;
    for (const [group, decoy] of this.decoys) {
      if (entry?.group === group) ok = await check(entry, password);
      else await check(decoy, password);
    }
    if (ok) this.verified.set(user, sha256(password));
    return ok;
  }

  /** Checks an HTTP `Authorization` header value (Basic scheme). */
  async verifyAuthorization(header: string | undefined): Promise<boolean> {
    if (!header) return false;
    const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header);
    if (!match) return false;
    const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return this.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
}
