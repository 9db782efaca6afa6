// Load processes for bench/relay.js, run as children so they don't share the bench's thread.
//   send <port> <bytes>  connect, send an 8-byte length then <bytes> in 1 MiB writes
//                        (respecting backpressure), wait for the sink's one-byte ack, close;
//                        print {"ms":…} (connect → ack). No FIN before the ack: the minimal
//                        relay does not support half-close.
//   http <port>          tiny keep-alive HTTP upstream: reads the body, answers 200 "ok"
import net from 'node:net';
import http from 'node:http';

const [mode, portText, bytesText] = process.argv.slice(2);
const port = Number(portText);

if (mode === 'send') {
  const total = Number(bytesText);
  const block = Buffer.alloc(1024 * 1024, 0x61);
  const start = process.hrtime.bigint();
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  s.on('error', (err) => {
    console.error(`sender: ${err.message}`);
    process.exit(1);
  });
  s.once('data', () => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ ms }));
    s.destroy();
  });
  s.once('connect', () => {
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(total));
    s.write(header);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(block.length, total - sent);
        sent += n;
        if (!s.write(n === block.length ? block : block.subarray(0, n))) return void s.once('drain', pump);
      }
    };
    pump();
  });
} else if (mode === 'http') {
  const body = Buffer.from('ok\n');
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => console.log('listening'));
} else {
  console.error('usage: relay-load.js send <port> <bytes> | http <port>');
  process.exit(2);
}
