// The one load generator of tests/benchmarks/bench_fanout.py, for every server measured.
//
// Speaks Engine.IO v4 / Socket.IO v5 over raw websockets (the `ws` package), so a
// delivery costs it one frame parse, not a socket.io-client stack: it has to stay far
// from being the bottleneck, and it reports its own CPU time to show that.
// Usage: node loadgen.js '<json config>'  -> prints one JSON line of results.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const WebSocket = require("ws");

const cfg = JSON.parse(process.argv[2]);
// several nodes of one cluster (bench_cluster.py): connection i goes to urls[i % n]
const URLS = cfg.urls || [cfg.url];
const SERVER_PIDS = cfg.serverPids || [cfg.serverPid];
const EVENT_PREFIX = '42["scores:updated"';

function connect(token, onEvent, node = 0) {
  return new Promise((resolve, reject) => {
    const url = URLS[node % URLS.length];
    const ws = new WebSocket(url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket", {
      perMessageDeflate: false,
    });
    const conn = { ws, acks: new Map(), nextId: 1, events: 0 };
    conn.call = (event, payload) =>
      new Promise((ok) => {
        const id = conn.nextId++;
        conn.acks.set(id, ok);
        ws.send(`42${id}` + JSON.stringify([event, payload]));
      });
    ws.on("message", (raw) => {
      const text = raw.toString();
      if (text.startsWith(EVENT_PREFIX)) {
        conn.events++;
        if (onEvent) onEvent(text);
      } else if (text === "2") {
        ws.send("3");
      } else if (text.startsWith("43")) {
        let i = 2;
        while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
        const id = Number(text.slice(2, i));
        const done = conn.acks.get(id);
        conn.acks.delete(id);
        if (done) done(JSON.parse(text.slice(i))[0]);
      } else if (text.startsWith("0")) {
        ws.send("40" + JSON.stringify({ token, protocol: 1 }));
      } else if (text.startsWith("40")) {
        resolve(conn);
      } else if (text.startsWith("44")) {
        reject(new Error("refused: " + text));
      }
    });
    ws.on("error", reject);
  });
}

let cellIndex = 0;
function payload(judgeIndex) {
  const cells = cfg.cells;
  const cell = cells[(cellIndex++ + judgeIndex * 7) % cells.length];
  return {
    clientId: crypto.randomUUID(),
    categoryId: cell.categoryId,
    contestantId: cell.contestantId,
    criterionId: cell.criterionId,
    score: (cellIndex % Math.max(1, Math.floor(cell.maxScore))) + 0.5,
  };
}

async function submit(judge, index) {
  const ack = await judge.call("scores:submit", payload(index));
  if (!ack || ack.ok !== true) throw new Error("submit refused: " + JSON.stringify(ack));
  return ack;
}

// CPU seconds the server processes used so far (only the measured phase is counted)
function serverCpu() {
  let total = 0;
  for (const pid of SERVER_PIDS) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += (Number(fields[11]) + Number(fields[12])) / cfg.clockTicks;
  }
  return total;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function subscribers(count, onEvent) {
  const subs = [];
  for (let i = 0; i < count; i++) {
    const sub = await connect(cfg.viewers[i % cfg.viewers.length], onEvent, i);
    await sub.call("sync", {});
    subs.push(sub);
  }
  return subs;
}

function close(conns) {
  for (const c of conns) c.ws.terminate();
}

async function fanout() {
  let received = 0;
  let lastAt = 0;
  const subs = await subscribers(cfg.subscribers, () => {
    received++;
    lastAt = performance.now();
  });
  const judge = await connect(cfg.judges[0]);
  await sleep(200);
  const cpu0 = process.cpuUsage();
  const server0 = serverCpu();
  const t0 = performance.now();
  let acked = 0;
  while (performance.now() - t0 < cfg.seconds * 1000) {
    await submit(judge, 0);
    acked++;
  }
  const expected = acked * subs.length;
  const deadline = performance.now() + 10000;
  while (received < expected && performance.now() < deadline) await sleep(5);
  const cpu = process.cpuUsage(cpu0);
  const serverCpuSeconds = serverCpu() - server0;
  const elapsed = (lastAt - t0) / 1000;
  close([...subs, judge]);
  return {
    acked,
    expected,
    received,
    deliveriesPerSecond: received / elapsed,
    elapsed,
    loadgenCpuSeconds: (cpu.user + cpu.system) / 1e6,
    serverCpuSeconds,
  };
}

async function latency() {
  const sent = new Map();
  const seen = new Map();
  const took = [];
  const subs = await subscribers(cfg.subscribers, (text) => {
    const at = performance.now();
    const m = /"clientId":"([^"]+)"/.exec(text);
    if (!m) return;
    const n = (seen.get(m[1]) || 0) + 1;
    seen.set(m[1], n);
    if (n === cfg.subscribers && sent.has(m[1])) took.push(at - sent.get(m[1]));
  });
  const judge = await connect(cfg.judges[0]);
  await sleep(200);
  const interval = 1000 / cfg.rate;
  const t0 = performance.now();
  for (let i = 0; i < cfg.rate * cfg.seconds; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    const p = payload(0);
    sent.set(p.clientId, performance.now());
    judge.call("scores:submit", p);
  }
  const deadline = performance.now() + 5000;
  while (took.length < sent.size && performance.now() < deadline) await sleep(5);
  close([...subs, judge]);
  return { samples: took.length, sent: sent.size, p50: pct(took, 50), p99: pct(took, 99), took };
}

async function throughput() {
  const judges = [];
  for (let i = 0; i < cfg.judgeSockets; i++) {
    judges.push(await connect(cfg.judges[i % cfg.judges.length], null, i));
  }
  await sleep(200);
  let acked = 0;
  const t0 = performance.now();
  const end = t0 + cfg.seconds * 1000;
  await Promise.all(
    judges.map(async (judge, index) => {
      while (performance.now() < end) {
        await submit(judge, index);
        acked++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  close(judges);
  return { acked, perSecond: acked / elapsed };
}

async function roundtrip() {
  const judge = await connect(cfg.judges[0]);
  const took = [];
  for (let i = 0; i < cfg.count; i++) {
    const t = performance.now();
    await submit(judge, 0);
    took.push(performance.now() - t);
  }
  close([judge]);
  return { count: took.length, p50: pct(took, 50), p99: pct(took, 99) };
}

const scenarios = { fanout, latency, throughput, roundtrip };
scenarios[cfg.scenario]()
  .then((result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  })
  .catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  });
