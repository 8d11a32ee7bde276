// Node socket.io reference server for tests/benchmarks/bench_fanout.py.
//
// Does the work the bundled Python server does on the measured paths, with stock
// socket.io 4 and better-sqlite3:
//   POST /api/auth/login  -> HS256 JWT (scrypt is skipped: logins are not measured)
//   handshake             -> verify the JWT, join rooms (category:1, role rooms, user:N)
//   sync                  -> ack {seq}; this socket's prevSeq chain starts there
//   scores:submit         -> validate, then in "sqlite" mode one IMMEDIATE transaction
//                            (replay check, upsert score, score_writes row, seq bump) on a
//                            WAL database with synchronous=FULL, ack after COMMIT, then one
//                            socket.emit per recipient with per-recipient masking (a judge
//                            gets only their own scores) and that socket's prevSeq;
//                            in "room" mode no database and one io.to(room).emit, no masking.
// Usage: node reference_server.js <port> <sqlite|room> <db path>
"use strict";

const http = require("http");
const crypto = require("crypto");
const { Server } = require("socket.io");

const [port, mode, dbPath] = [Number(process.argv[2] || 0), process.argv[3] || "sqlite", process.argv[4]];
const SECRET = crypto.randomBytes(32);

const USERS = {};
let nextId = 1;
for (const [name, role] of [
  ["judge1", "JUDGE"], ["judge2", "JUDGE"], ["judge3", "JUDGE"], ["judge4", "JUDGE"],
  ["judge5", "JUDGE"], ["tally1", "TALLY_MASTER"], ["auditor1", "AUDITOR"], ["board1", "BOARD"],
  ["organizer1", "ORGANIZER"], ["admin", "ADMIN"],
]) {
  USERS[name] = { id: nextId++, username: name, name, role };
}
const b64 = (buf) => Buffer.from(buf).toString("base64url");
function sign(claims) {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(JSON.stringify(claims));
  const mac = crypto.createHmac("sha256", SECRET).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${mac}`;
}
function verify(token) {
  const parts = String(token).split(".");
  if (parts.length !== 3) return null;
  const mac = crypto.createHmac("sha256", SECRET).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== mac.length || !crypto.timingSafeEqual(given, mac)) return null;
  const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString());
  return claims.exp > Date.now() / 1000 ? claims : null;
}

let db = null;
let seq = 0;
let stmts = null;
if (mode === "sqlite") {
  const Database = require("better-sqlite3");
  db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO meta VALUES ('seq', 0);
    CREATE TABLE IF NOT EXISTS scores (id INTEGER PRIMARY KEY, client_id TEXT, judge_id INTEGER,
      category_id INTEGER, contestant_id INTEGER, criterion_id INTEGER, score REAL, comment TEXT,
      version INTEGER NOT NULL DEFAULT 1, updated_at TEXT, seq INTEGER,
      UNIQUE (judge_id, category_id, contestant_id, criterion_id));
    CREATE TABLE IF NOT EXISTS score_writes (client_id TEXT PRIMARY KEY, judge_id INTEGER,
      content_hash TEXT, result TEXT, created_at TEXT);`);
  stmts = {
    replay: db.prepare("SELECT result, content_hash FROM score_writes WHERE client_id = ?"),
    bump: db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value"),
    upsert: db.prepare(`INSERT INTO scores (client_id, judge_id, category_id, contestant_id,
        criterion_id, score, comment, updated_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (judge_id, category_id, contestant_id, criterion_id) DO UPDATE SET
        client_id = excluded.client_id, score = excluded.score, comment = excluded.comment,
        version = version + 1, updated_at = excluded.updated_at, seq = excluded.seq
      RETURNING *`),
    write: db.prepare("INSERT INTO score_writes VALUES (?, ?, ?, ?, ?)"),
  };
  seq = db.prepare("SELECT value FROM meta WHERE key = 'seq'").get().value;
}

function submitInDb(user, p) {
  const digest = crypto.createHash("sha256").update(JSON.stringify([user.id, p.categoryId,
    p.contestantId, p.criterionId, p.score, p.comment ?? null])).digest("hex");
  const tx = db.transaction(() => {
    const stored = stmts.replay.get(p.clientId);
    if (stored) return { score: JSON.parse(stored.result), fresh: false };
    const s = stmts.bump.get().value;
    const now = new Date().toISOString();
    const row = stmts.upsert.get(p.clientId, user.id, p.categoryId, p.contestantId,
      p.criterionId, p.score, p.comment ?? null, now, s);
    const score = { seq: s, id: row.id, clientId: row.client_id, judgeId: row.judge_id,
      categoryId: row.category_id, contestantId: row.contestant_id, criterionId: row.criterion_id,
      score: row.score, comment: row.comment, version: row.version, updatedAt: row.updated_at };
    stmts.write.run(p.clientId, user.id, digest, JSON.stringify(score), now);
    seq = s;
    return { score, fresh: true };
  });
  return tx.immediate();
}

const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/api/auth/login") {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      const { username } = JSON.parse(body || "{}");
      const user = USERS[username];
      res.setHeader("content-type", "application/json");
      if (!user) { res.statusCode = 401; res.end("{}"); return; }
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const accessToken = sign({ sub: String(user.id), role: user.role, exp });
      res.end(JSON.stringify({ accessToken, refreshToken: "-", user }));
    });
    return;
  }
  res.statusCode = 404;
  res.end();
});
const io = new Server(server, { transports: ["websocket", "polling"], serveClient: false });

io.use((socket, next) => {
  const claims = verify(socket.handshake.auth && socket.handshake.auth.token);
  const user = claims && Object.values(USERS).find((u) => String(u.id) === claims.sub);
  if (!user || user.role !== claims.role) return next(new Error("Invalid token"));
  socket.data.user = user;
  socket.data.lastSeq = 0;
  next();
});

io.on("connection", (socket) => {
  const user = socket.data.user;
  socket.join([`user:${user.id}`, `role:${user.role}`, "category:1"]);
  socket.on("sync", (_payload, ack) => {
    socket.data.lastSeq = seq;
    ack({ ok: true, data: { seq, user } });
  });
  socket.on("scores:submit", (p, ack) => {
    if (typeof ack !== "function") return;
    if (!p || typeof p.clientId !== "string" || typeof p.score !== "number" || user.role !== "JUDGE") {
      ack({ ok: false, error: { code: "validation_error", message: "Invalid scores:submit payload" } });
      return;
    }
    if (mode === "room") {
      const s = ++seq;
      const score = { seq: s, clientId: p.clientId, judgeId: user.id, categoryId: p.categoryId,
        contestantId: p.contestantId, criterionId: p.criterionId, score: p.score, version: 1 };
      ack({ ok: true, data: score });
      io.to(`category:${p.categoryId}`).emit("scores:updated", score);
      return;
    }
    let result;
    try {
      result = submitInDb(user, p);
    } catch (err) {
      ack({ ok: false, error: { code: "internal", message: String(err) } });
      return;
    }
    ack({ ok: true, data: result.score });
    if (!result.fresh) return;
    const score = result.score;
    for (const other of io.sockets.adapter.rooms.get(`category:${score.categoryId}`) || []) {
      const sock = io.sockets.sockets.get(other);
      if (!sock) continue;
      const viewer = sock.data.user;
      if (viewer.role === "JUDGE" && viewer.id !== score.judgeId) continue; // masking
      const prevSeq = sock.data.lastSeq;
      if (score.seq > prevSeq) sock.data.lastSeq = score.seq;
      sock.emit("scores:updated", { ...score, prevSeq });
    }
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`reference listening on http://127.0.0.1:${server.address().port}`);
});
