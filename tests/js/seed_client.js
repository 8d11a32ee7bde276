// The seed's own client setup (stock socket.io-client v4): `auth: {token}` only, no
// protocol field. Connects over websocket, then over polling, then with the default
// transports (polling upgraded to websocket); on each calls `sync` and the seed's
// `scores:request` with a bare category id, with acks. Also checks that a handshake
// without a token is refused with the seed's message. Prints one JSON object.
//
// usage: node seed_client.js URL ACCESS_TOKEN
'use strict';

const { io } = require('socket.io-client');

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node seed_client.js URL ACCESS_TOKEN');
  process.exit(2);
}

function run(name, options) {
  return new Promise((resolve) => {
    const result = { name, connected: false };
    const socket = io(url, { reconnection: false, timeout: 5000, forceNew: true, ...options });
    const finish = () => {
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.error = 'timeout';
      finish();
    }, 10000);
    socket.on('connect_error', (err) => {
      clearTimeout(timer);
      result.error = err && err.message;
      finish();
    });
    socket.on('connect', () => {
      result.connected = true;
      socket.timeout(5000).emit('sync', {}, (err, ack) => {
        if (err) {
          clearTimeout(timer);
          result.error = 'sync ack timeout';
          finish();
          return;
        }
        result.sync = {
          ok: ack && ack.ok,
          seq: ack && ack.data && ack.data.seq,
          user: ack && ack.data && ack.data.user,
          categoryIds: ack && ack.data && ack.data.categories.map((c) => c.id),
        };
        const categoryId = result.sync.categoryIds && result.sync.categoryIds[0];
        socket.timeout(5000).emit('scores:request', categoryId, (err2, ack2) => {
          clearTimeout(timer);
          result.transport = socket.io.engine.transport.name;
          if (err2) {
            result.error = 'scores:request ack timeout';
          } else {
            result.scoresRequest = { ok: ack2 && ack2.ok, categoryId: ack2 && ack2.data && ack2.data.categoryId };
          }
          finish();
        });
      });
    });
  });
}

(async () => {
  const out = {};
  out.websocket = await run('websocket', { auth: { token }, transports: ['websocket'] });
  out.polling = await run('polling', { auth: { token }, transports: ['polling'] });
  out.upgrade = await run('upgrade', { auth: { token }, transports: ['polling', 'websocket'] });
  out.missingToken = await run('missingToken', { auth: {}, transports: ['websocket'] });
  out.badToken = await run('badToken', { auth: { token: 'x.y.z' }, transports: ['polling'] });
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
})();
