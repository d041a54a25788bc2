// Counts the hash computations per kind and cost behind each answer: user names
// must not leak through which (and how many) hashes an answer needs.
import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apr1 } from '../../runtime/juggler/apr1.js';
import { Htpasswd } from '../../runtime/juggler/htpasswd.js';

const calls = vi.hoisted(() => [] as string[]);

vi.mock('bcryptjs', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof import('bcryptjs') }>()).default;
  const compare = (password: string, hash: string): Promise<boolean> => {
    calls.push(`bcrypt:${hash.slice(4, 6)}`);
    return real.compare(password, hash);
  };
  return { default: { ...real, compare } };
});

vi.mock('../../runtime/juggler/apr1.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../runtime/juggler/apr1.js')>();
  return {
    ...real,
    apr1: (password: string, salt: string): string => {
      calls.push('apr1');
      return real.apr1(password, salt);
    },
  };
});

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    createHash: (algorithm: string, options?: import('node:crypto').HashOptions) => {
      if (algorithm === 'sha1') calls.push('sha1');
      return real.createHash(algorithm, options);
    },
  };
});

const sha = (pw: string): string =>
  '{SHA}' + createHash('sha1').update(pw, 'utf8').digest('base64');

// bcrypt costs 4 and 5 (cheap for the test, still distinct work factors)
const file = [
  `b4:${bcrypt.hashSync('pw-b4', 4)}`,
  `b5:${bcrypt.hashSync('pw-b5', 5).replace(/^\$2b\$/, '$2y$')}`,
  `b4bis:${bcrypt.hashSync('pw-b4bis', 4).replace(/^\$2b\$/, '$2a$')}`,
  `ap:${apr1('pw-ap', 'saltsalt')}`,
  `sh:${sha('pw-sh')}`,
].join('\n');

/** Hash computations of one `verify` call, sorted. */
async function hashesOf(h: Htpasswd, user: string, password: string): Promise<string[]> {
  calls.length = 0;
  await h.verify(user, password);
  return [...calls].sort();
}

describe('htpasswd with mixed hash kinds', () => {
  let h: Htpasswd;
  beforeEach(() => {
    h = Htpasswd.parse(file);
  });

  it('computes one hash of each kind and cost for known and unknown users alike', async () => {
    const expected = ['apr1', 'bcrypt:04', 'bcrypt:05', 'sha1'];
    for (const user of ['b4', 'b5', 'b4bis', 'ap', 'sh', 'nobody', '', 'b4 '])
      expect(await hashesOf(h, user, 'wrong'), user).toEqual(expected);
    // a right password costs the same the first time
    for (const user of ['b4', 'b5', 'b4bis', 'ap', 'sh'])
      expect(await hashesOf(h, user, `pw-${user}`), user).toEqual(expected);
  });

  it('still accepts exactly the right passwords', async () => {
    for (const user of ['b4', 'b5', 'b4bis', 'ap', 'sh']) {
      expect(await h.verify(user, `pw-${user}`), user).toBe(true);
      expect(await h.verify(user, `pw-${user}x`), user).toBe(false);
      expect(await h.verify('nobody', `pw-${user}`), user).toBe(false);
    }
    // each user's own hash decides, not a decoy of another user of the same group
    expect(await h.verify('b4', 'pw-b4bis')).toBe(false);
  });

  it('a single-kind file costs one hash per check', async () => {
    const one = Htpasswd.parse(`ap:${apr1('pw-ap', 'saltsalt')}\nap2:${apr1('x', 'abcdefgh')}`);
    expect(await hashesOf(one, 'nobody', 'wrong')).toEqual(['apr1']);
    expect(await hashesOf(one, 'ap2', 'wrong')).toEqual(['apr1']);
  });
});
