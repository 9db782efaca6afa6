// Load processes for bench/relay.js, run as children so they don't share the bench's thread.
//   send <port> <bytes> [POST] [binary]
//                        connect, send `PUT /upload.cab` (or a POST) with a <bytes> body in
//                        1 MiB writes (respecting backpressure), wait for the sink's answer, close;
//                        the body is "aaa…" (text to the decoder) unless `binary` (every byte
//                        value, NULs included);
//                        print {"ms":…} (connect → answer). HTTP so that the CLI relay sees a
//                        normal (if huge) level-2 upload. No FIN before the answer: the minimal
//                        relay does not support half-close.
//   http <port>          tiny keep-alive HTTP upstream: reads the body, answers 200 "ok"
import net from 'node:net';
import http from 'node:http';

const [mode, portText, bytesText, method = 'PUT', content = 'text'] = process.argv.slice(2);
const port = Number(portText);
const HOST = '127.0.0.1';

if (mode === 'send') {
  const total = Number(bytesText);
  const block = Buffer.alloc(1024 * 1024, 0x61);
  if (content === 'binary') for (let i = 0; i < block.length; i++) block[i] = (i * 7 + (i >> 9)) & 0xff;
  const start = process.hrtime.bigint();
  const s = net.connect({ port, host: HOST, allowHalfOpen: true });
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
    s.write(`${method === 'POST' ? 'POST /upload' : 'PUT /upload.cab'} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nContent-Type: ${method === 'POST' ? 'application/octet-stream' : 'application/vnd.ms-cab-compressed'}\r\nContent-Length: ${total}\r\n\r\n`);
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
  server.listen(port, HOST, () => console.log('listening'));
} else {
  console.error('usage: relay-load.js send <port> <bytes> [POST] [binary] | http <port>');
  process.exit(2);
}
