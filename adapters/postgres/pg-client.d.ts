// pg exports its lib/ files; importing the client alone leaves pg-pool and the
// native binding out of the bundle. Same class as `pg.Client`.
declare module 'pg/lib/client.js' {
  import type { Client } from 'pg';
  const ClientClass: typeof Client;
  export default ClientClass;
}
