// One Lambda "instance": loads the bundle once (the cold start), then answers
// one invocation at a time over IPC, like Lambda's one-request-per-instance model.
import { invokeOnce, loadHandler, makeContext } from '../../dist/runtime.mjs';

const { LOCAL_LAMBDA_FILE: file, LOCAL_LAMBDA_EXPORT: exportName, LOCAL_LAMBDA_NAME: functionName } = process.env;
const timeoutMs = Number(process.env.LOCAL_LAMBDA_TIMEOUT_MS ?? 5000);

let handler;
try {
  handler = await loadHandler(file, exportName);
  process.send({ type: 'ready' });
} catch (err) {
  process.send({ type: 'init-error', errorType: err.errorType ?? 'Runtime.UnhandledInitError', errorMessage: err.message });
}

process.on('message', async (msg) => {
  if (msg.type !== 'invoke') return;
  const answer = await invokeOnce(handler, msg.event, makeContext({ functionName, timeoutMs }));
  process.send({ type: 'result', id: msg.id, ...answer });
});
process.on('disconnect', () => process.exit(0));
