// The webhook benchmark's receiver: answers every POST 200 at once, and keeps, per delivery, when
// it arrived and how long after the change's commit (the body's `createdAt`). GET /stats gives
// {count, distinct, first, last, p50, p99} (ms since the epoch; delays in ms); GET /reset
// forgets. Listens on 127.0.0.1 only; prints "PORT <n>".
import http from "node:http";

let arrivals = [];
let ids = new Set();

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const server = http.createServer((req, res) => {
  if (req.method === "POST") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks));
        arrivals.push({ at: now, delay: now - Date.parse(body.createdAt) });
        ids.add(req.headers["touchpoint-delivery"]);
      } catch {
        arrivals.push({ at: now, delay: null });
      }
      res.writeHead(200).end("ok");
    });
    return;
  }
  if (req.url === "/reset") {
    arrivals = [];
    ids = new Set();
    res.writeHead(200).end("{}");
    return;
  }
  const delays = arrivals.map((a) => a.delay).filter((d) => d !== null).sort((a, b) => a - b);
  const stats = {
    count: arrivals.length,
    distinct: ids.size,
    first: arrivals.length ? arrivals[0].at : null,
    last: arrivals.length ? arrivals[arrivals.length - 1].at : null,
    p50: percentile(delays, 50),
    p99: percentile(delays, 99),
  };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
});

server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
