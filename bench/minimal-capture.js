// The ceiling for Node in the capture benchmark: accept one connection, write every chunk to
// a file with write(2) as it arrives (as nc does), exit. No framing, hashing or decoding.
import net from 'node:net';
import fs from 'node:fs';

const [port, file] = [Number(process.argv[2]), process.argv[3]];
const fd = fs.openSync(file, 'w');
const server = net.createServer((sock) => {
  server.close();
  sock.on('data', (d) => {
    for (let off = 0; off < d.length;) off += fs.writeSync(fd, d, off);
  });
  sock.on('end', () => fs.closeSync(fd));
}).listen(port, '127.0.0.1');
