/**
 * `tsx scripts/cluster-namespace.ts ADDRESS NAMESPACE…`: registers each namespace on the cluster
 * at ADDRESS with the product's search attributes (controller/temporal/namespace-setup.ts), for
 * scripts/cluster.sh. Prints one line per namespace; exits 1 with the reason when one fails.
 */
import { ensureNamespace } from '../controller/temporal/namespace-setup.js';

const [address, ...namespaces] = process.argv.slice(2);
if (!address || namespaces.length === 0) {
  console.error('usage: tsx scripts/cluster-namespace.ts ADDRESS NAMESPACE…');
  process.exit(2);
}
try {
  for (const namespace of namespaces) {
    const result = await ensureNamespace({ address, namespace });
    const added =
      result.added.length > 0 ? `added search attributes ${result.added.join(', ')}` : 'search attributes present';
    console.log(`namespace ${namespace}: ${result.registered ? 'registered' : 'exists'}, ${added}`);
  }
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  console.error(`${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exit(1);
}
