// graphql-http's GraphQL-over-HTTP audit of one server, printed as JSON on stdout:
//   node audit.mjs http://127.0.0.1:PORT/graphql
// One object per audit: {id, name, status: "ok" | "notice" | "warn" | "error", reason?}.
// The responses are left out: they are not JSON, and the reason says what was wrong.
import { auditServer } from 'graphql-http';

const [url] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: node audit.mjs URL\n');
  process.exit(2);
}

const results = await auditServer({ url });
const summary = results.map(({ id, name, status, reason }) => ({ id, name, status, reason }));
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
