// The ceiling for a Node relay: net + pipe() both ways, Node's defaults, nothing else.
// Usage: node bench/minimal-relay.js <listenPort> <upstreamPort> [upstreamHost]
import net from 'node:net';

const [listenPort, upstreamPort, upstreamHost = '127.0.0.1'] = process.argv.slice(2);

const server = net.createServer((client) => {
  const upstream = net.connect(Number(upstreamPort), upstreamHost);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(Number(listenPort), '127.0.0.1', () => console.log('listening'));
