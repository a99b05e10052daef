// hash-wasm's scrypt, imported by name so the bundler keeps only it out of
// hash-wasm's many algorithms; loaded on first use by scrypt.ts.
export { scrypt as wasmScrypt } from 'hash-wasm';
