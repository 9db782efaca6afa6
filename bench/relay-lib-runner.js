// Runs the library relay (dist/sources/net/relay.js) with a tap that does nothing: what the bench
// measures while the CLI (dist/cli/main.js) does not exist yet.
// Usage: node bench/relay-lib-runner.js <listenPort> <upstreamPort> [upstreamHost]
import { startRelay } from '../dist/sources/net/relay.js';

const [listenPort, upstreamPort, upstreamHost = '127.0.0.1'] = process.argv.slice(2);

const relay = await startRelay({
  port: Number(listenPort),
  bind: '127.0.0.1',
  to: { host: upstreamHost, port: Number(upstreamPort) },
  connectTimeoutMs: 10_000,
  onUpstreamError: 'close',
  onChunk() {},
  onOpen() {},
  onClose() {},
  onNotice(message) {
    process.stderr.write(`${message}\n`);
  },
});
console.log(`listening on ${relay.address}:${relay.port}`);
process.on('SIGTERM', () => relay.close().then(() => process.exit(0)));
