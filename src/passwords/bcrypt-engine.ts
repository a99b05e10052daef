// hash-wasm's bcrypt, imported by name so the bundler keeps only it out of
// hash-wasm's many algorithms; loaded on first use by bcrypt.ts.
export { bcryptVerify } from 'hash-wasm';
