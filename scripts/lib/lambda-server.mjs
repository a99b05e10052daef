// A local Lambda Invoke API, the way `sam local start-lambda` serves one:
// POST /2015-03-31/functions/{name}/invocations runs the built bundle in a
// worker process (one request per worker at a time, workers kept warm) and
// answers as Lambda does, with X-Amz-Function-Error on a thrown error.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url));

/**
 * @typedef {object} LocalFunction
 * @property {string} file absolute path of the bundle
 * @property {string} [exportName] default "handler"
 * @property {Record<string,string>} [env] the function's environment variables
 * @property {number} [timeoutMs] default 5000, as Cognito's limit
 */

/**
 * Starts the server on 127.0.0.1.
 * @param {{ functions: Record<string, LocalFunction>, port?: number, maxConcurrency?: number, onLog?: (line: string, fn: string) => void }} options
 * @example
 * const lambda = await startLambdaServer({ functions: { migrate: { file, env: { DATABASE_URL } } } })
 * // LambdaClient({ endpoint: lambda.url }) … await lambda.close()
 */
export async function startLambdaServer({ functions, port = 0, maxConcurrency = 10, onLog = () => {} }) {
  const pools = new Map();
  const stats = { invocations: 0, coldStarts: 0, errors: 0, maxWorkers: 0 };
  for (const [name, spec] of Object.entries(functions)) {
    pools.set(name, { name, spec: { exportName: 'handler', timeoutMs: 5000, env: {}, ...spec }, idle: [], all: new Set(), waiting: [] });
  }

  function spawnWorker(pool) {
    const child = fork(WORKER, [], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
        AWS_LAMBDA_FUNCTION_NAME: pool.name,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...pool.spec.env,
        LOCAL_LAMBDA_FILE: pool.spec.file,
        LOCAL_LAMBDA_EXPORT: pool.spec.exportName,
        LOCAL_LAMBDA_NAME: pool.name,
        LOCAL_LAMBDA_TIMEOUT_MS: String(pool.spec.timeoutMs),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          onLog(buffered.slice(0, nl), pool.name);
          buffered = buffered.slice(nl + 1);
        }
      });
    }
    const worker = { child, ready: null, pending: null };
    worker.ready = new Promise((resolve) => {
      child.on('message', (msg) => {
        if (msg.type === 'ready') resolve(null);
        else if (msg.type === 'init-error') resolve(msg);
        else if (msg.type === 'result' && worker.pending?.id === msg.id) worker.pending.resolve(msg);
      });
      child.on('exit', () => {
        resolve({ errorType: 'Runtime.ExitError', errorMessage: 'the function process exited during init' });
        worker.pending?.resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'the function process exited' });
        pool.all.delete(worker);
        pool.idle = pool.idle.filter((w) => w !== worker);
      });
    });
    pool.all.add(worker);
    stats.coldStarts++;
    stats.maxWorkers = Math.max(stats.maxWorkers, [...pools.values()].reduce((n, p) => n + p.all.size, 0));
    return worker;
  }

  async function acquire(pool) {
    const idle = pool.idle.pop();
    if (idle) return idle;
    if (pool.all.size < maxConcurrency) return spawnWorker(pool);
    return new Promise((resolve) => pool.waiting.push(resolve));
  }

  function release(pool, worker) {
    if (!pool.all.has(worker)) return;
    const next = pool.waiting.shift();
    if (next) next(worker);
    else pool.idle.push(worker);
  }

  let ids = 0;
  async function invoke(pool, event) {
    const worker = await acquire(pool);
    const initError = await worker.ready;
    if (initError) {
      worker.child.kill();
      return { ok: false, errorType: initError.errorType, errorMessage: initError.errorMessage };
    }
    const id = ++ids;
    const answer = await new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.child.kill('SIGKILL');
        resolve({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(pool.spec.timeoutMs / 1000).toFixed(2)} seconds` });
      }, pool.spec.timeoutMs);
      worker.pending = { id, resolve: (msg) => { clearTimeout(timer); resolve(msg); } };
      worker.child.send({ type: 'invoke', id, event });
    });
    worker.pending = null;
    release(pool, worker);
    return answer;
  }

  const server = createServer(async (req, res) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (req.method !== 'POST' || !match) {
      return send(res, 404, { 'x-amzn-ErrorType': 'UnknownOperationException' }, { message: `Unknown operation ${req.method} ${req.url}` });
    }
    const name = decodeURIComponent(match[1]).split(':function:').pop().split(':')[0];
    const pool = pools.get(name);
    if (!pool) {
      return send(res, 404, { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, { Type: 'User', message: `Function not found: arn:aws:lambda:local:000000000000:function:${name}` });
    }
    if (req.headers['x-amz-invocation-type'] === 'DryRun') return send(res, 204, {}, null);
    let event;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return send(res, 400, { 'x-amzn-ErrorType': 'InvalidRequestContentException' }, { Type: 'User', message: 'Could not parse request body into json' });
    }
    stats.invocations++;
    const answer = await invoke(pool, event);
    if (answer.ok) return send(res, 200, { 'X-Amz-Executed-Version': '$LATEST' }, answer.result ?? null);
    stats.errors++;
    return send(res, 200, { 'X-Amz-Executed-Version': '$LATEST', 'X-Amz-Function-Error': 'Unhandled' }, { errorType: answer.errorType, errorMessage: answer.errorMessage, trace: [] });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stats,
    /** Sets environment variables of a function for the workers started from now on (a setting known only after the server started). */
    setEnv(name, env) {
      Object.assign(pools.get(name).spec.env, env);
    },
    /** Workers alive now, per function. */
    workers: () => Object.fromEntries([...pools.values()].map((p) => [p.name, p.all.size])),
    /** Stops every worker and the server. */
    async close() {
      for (const pool of pools.values()) for (const w of pool.all) w.child.kill();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res, status, headers, body) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === null && status === 204 ? undefined : JSON.stringify(body));
}
