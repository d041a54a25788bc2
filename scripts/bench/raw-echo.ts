// Baseline for round-trip benchmarks: plain `net` sockets echoing 100 B with no framing or
// codec, in this process or across processes. On a small VM the cross-process figure is
// bounded by how fast an idle core wakes up, whatever the protocol; measuring it in the same
// run shows how much of a protocol's round-trip time is ours.
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

function echoServer(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((c) => c.on('data', (d) => c.write(d)));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function pingPong(port: number, ms: number): Promise<number> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const msg = Buffer.alloc(100, 1);
  let n = 0;
  const start = performance.now();
  await new Promise<void>((done) => {
    sock.on('data', () => {
      n++;
      if (performance.now() - start > ms) done();
      else sock.write(msg);
    });
    sock.write(msg);
  });
  sock.destroy();
  return n / ((performance.now() - start) / 1000);
}

/** Round trips/s of a raw TCP echo, the server in this process or a child process. */
export async function rawEchoRoundTrips(
  where: 'in-process' | 'child process',
  ms = 2000,
): Promise<number> {
  if (where === 'in-process') {
    const server = await echoServer();
    try {
      return await pingPong((server.address() as net.AddressInfo).port, ms);
    } finally {
      server.close();
    }
  }
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((r) => child.once('message', (m) => r(Number(m))));
    return await pingPong(port, ms);
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) {
  const server = await echoServer();
  process.send?.((server.address() as net.AddressInfo).port);
}
