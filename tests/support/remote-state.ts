/**
 * Reads an environment's remote state the way an operator investigating it
 * would: every version of the state object in the versioned bucket, and the
 * lock records in the DynamoDB table.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import type { EmulatorClients } from '../../tools/sandbox/aws-clients';
import type { BackendSettings } from '../../stacks/backend-settings';
import { stateKey } from '../../stacks/backend-settings';

export interface StateVersion {
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly lastModified: Date;
  readonly serial: number;
  readonly lineage: string;
  readonly resources: number;
}

/** Every stored version of `environment`'s state, oldest first. */
export async function stateVersions(clients: EmulatorClients, backend: BackendSettings, environment: string): Promise<StateVersion[]> {
  const s3 = clients.get('s3', backend.region);
  const key = stateKey(backend, environment);
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: backend.bucket, Prefix: key }));
  const versions = (listed.Versions ?? []).filter((v) => v.Key === key);
  const read = await Promise.all(
    versions.map(async (v) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: backend.bucket, Key: key, VersionId: v.VersionId }));
      const state = JSON.parse(await (object.Body as { transformToString(): Promise<string> }).transformToString()) as {
        serial: number;
        lineage: string;
        resources: unknown[];
      };
      return {
        versionId: v.VersionId ?? '',
        isLatest: v.IsLatest ?? false,
        lastModified: v.LastModified ?? new Date(0),
        serial: state.serial,
        lineage: state.lineage,
        resources: state.resources.length,
      };
    }),
  );
  // Versions written within the same second sort by serial; a real reordering would break the check on isLatest.
  return read.sort((a, b) => a.lastModified.getTime() - b.lastModified.getTime() || a.serial - b.serial);
}

export interface LockRecord {
  readonly id: string;
  readonly operation: string;
  readonly who: string;
  readonly path: string;
}

/** The lock held on `environment`'s state, if any (the digest record is not a lock). */
export async function heldLock(clients: EmulatorClients, backend: BackendSettings, environment: string): Promise<LockRecord | undefined> {
  const dynamodb = clients.get('dynamodb', backend.region);
  const items = (await dynamodb.send(new ScanCommand({ TableName: backend.lockTable }))).Items ?? [];
  const lockId = `${backend.bucket}/${stateKey(backend, environment)}`;
  const item = items.find((i) => i.LockID?.S === lockId && i.Info?.S);
  if (!item?.Info?.S) return undefined;
  const info = JSON.parse(item.Info.S) as { ID: string; Operation: string; Who: string; Path: string };
  return { id: info.ID, operation: info.Operation, who: info.Who, path: info.Path };
}
