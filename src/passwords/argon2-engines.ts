// The Argon2 engines, imported by name so the bundler keeps only these out of
// hash-wasm's many algorithms; loaded on first use by argon2.ts.
export { argon2d, argon2i, argon2id } from 'hash-wasm';
export { argon2d as nobleArgon2d, argon2i as nobleArgon2i, argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
