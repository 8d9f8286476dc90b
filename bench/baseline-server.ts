/**
 * The baseline: a bare node:http server that only JSON.parses the body. What Strata's ingest costs
 * is measured against it.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ status: 'accepted', count: events.length }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : port}`);
});
