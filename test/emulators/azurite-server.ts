/**
 * A real Azurite Blob service (the Azure Storage emulator, CONTRIBUTING.md#testing-tiers) on loopback for the Blob
 * cloud-target tests: in memory, one private container, and a container SAS (read + list, 1 h)
 * for the product to use. Uploads go through @azure/storage-blob with the dev account key.
 * No vitest: other tiers may use it.
 *
 * Facts found by experiment against Azurite 3.35 (with --skipApiVersionCheck, so the SDK's newer
 * `sv=` is accepted):
 *   - `GET {blobEndpoint}/{container}?restype=container&comp=list&prefix=P` without a SAS on a
 *     private container → 403, `application/xml`, `<Error><Code>AuthorizationFailure</Code>…`.
 *   - With the SAS query parameters appended → 200, `application/xml`:
 *     zero matches:
 *       `<EnumerationResults ServiceEndpoint="http://127.0.0.1:PORT/devstoreaccount1"
 *        ContainerName="C"><Prefix>P</Prefix><Marker/><MaxResults>5000</MaxResults><Blobs/>
 *        <NextMarker/></EnumerationResults>`
 *     one match: `<Blobs><Blob><Name>P…</Name><Properties><Creation-Time>…<Last-Modified>…
 *       <Etag>…<Content-Length>…<Content-Type>…<BlobType>BlockBlob</BlobType>…</Properties>
 *       </Blob></Blobs>` — the blob name is at `EnumerationResults/Blobs/Blob/Name`
 *       (note `<Blobs/>` is an empty element when nothing matches).
 */
import path from 'node:path';
import {
  BlobServiceClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { freePort } from '../../controller/temporal/dev-server.js';
import { startLoopbackProcess } from './loopback-process.js';

/** A running Azurite Blob service with one private container. */
export interface AzuriteServer {
  /** `http://127.0.0.1:port/devstoreaccount1` */
  blobEndpoint: string;
  /** Name of the private container. */
  container: string;
  /** Container SAS (read + list, valid 1 h) split into its query parameters (sv, se, sr, sp, sig…). */
  sasQuery: Record<string, string>;
  /** Uploads a block blob with the given text. */
  upload(name: string, text: string): Promise<void>;
  stop(): Promise<void>;
}

/** Azurite's well-known development account (published in the Azurite README). */
const account = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** Starts Azurite Blob in memory on a free loopback port and creates a private container. */
export async function startAzurite(
  options: { container?: string; startTimeoutMs?: number } = {},
): Promise<AzuriteServer> {
  const port = await freePort();
  const container = options.container ?? 'jobnet-test';
  const executable = path.join(projectRoot, 'node_modules', '.bin', 'azurite-blob');
  const args = [
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--silent',
    '--skipApiVersionCheck',
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(port),
  ];
  const { stop } = await startLoopbackProcess('azurite-blob', executable, args, {
    port,
    ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
  });
  try {
    const blobEndpoint = `http://127.0.0.1:${port}/${account}`;
    const credential = new StorageSharedKeyCredential(account, accountKey);
    const containerClient = new BlobServiceClient(blobEndpoint, credential).getContainerClient(container);
    await containerClient.create(); // no access option: private
    const sas = generateBlobSASQueryParameters(
      {
        containerName: container,
        permissions: ContainerSASPermissions.parse('rl'),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + 3_600_000),
      },
      credential,
    );
    return {
      blobEndpoint,
      container,
      sasQuery: Object.fromEntries(new URLSearchParams(sas.toString())),
      async upload(name, text) {
        const body = Buffer.from(text, 'utf8');
        await containerClient.getBlockBlobClient(name).upload(body, body.length);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
