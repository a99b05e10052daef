// The verification worker beside the function: a second esbuild entry point, so
// `sam build` (template.yaml) and `npm run build` put verify-worker.mjs next to
// the handler, where src/passwords/pool.ts looks for it.
import '../../src/passwords/verify-worker.js';
