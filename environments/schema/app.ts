/** What runs on the instances: the port, the health path, the boot script and the image. */
import { z } from 'zod';
import { DEFAULT_IMAGE_ID } from '../../modules/compute';
import { base64Length, MAX_USER_DATA_BASE64, READINESS_SCRIPT_ALLOWANCE } from '../aws-limits';
import { ranged, type ItemReport } from './primitives';

const DEFAULT_USER_DATA = [
  '#!/bin/bash',
  'set -euo pipefail',
  'dnf install -y httpd',
  'echo ok > /var/www/html/health',
  'systemctl enable --now httpd',
  '',
].join('\n');

export const appSchema = z
  .strictObject({
    /** Port the app listens on; the load balancer forwards to it over HTTP. */
    port: ranged(z.number().int(), 1, 65535)
      .default(80)
      .meta({ description: 'Port the app listens on, 1–65535; the load balancer forwards HTTPS requests to it over HTTP.' }),
    /** Path the target group health-checks; must answer 200. */
    healthPath: z
      .string()
      .regex(/^\/\S*$/, 'must start with /')
      .default('/health')
      .meta({ description: 'Path the load balancer health-checks (and the readiness check polls); starts with /, must answer 200.' }),
    /** Boot script; the default installs httpd serving `ok` at /health. */
    userData: z
      .string()
      .default(DEFAULT_USER_DATA)
      .meta({
        description: `Boot script run by cloud-init; a #! shell script when lifecycle hooks are on. With the readiness script (${READINESS_SCRIPT_ALLOWANCE} bytes) it must encode to at most ${MAX_USER_DATA_BASE64} base64 characters. Default: installs httpd serving \`ok\` at /health.`,
      }),
    /** AMI ID (`ami-` + 8 or 17 hex digits) or `resolve:ssm:/parameter/name`. */
    imageId: z
      .string()
      .regex(/^(ami-([0-9a-f]{8}|[0-9a-f]{17})|resolve:ssm:\/[A-Za-z0-9_.\-/]+(:[A-Za-z0-9_.-]+)?)$/, 'is not an AMI ID (ami- and 8 or 17 lowercase hex digits) or a resolve:ssm:/parameter reference')
      .default(DEFAULT_IMAGE_ID)
      .meta({ description: 'AMI ID (`ami-` and 8 or 17 hex digits) or `resolve:ssm:/parameter/name`. Default: the latest Amazon Linux 2023 (x86_64), resolved by EC2 at launch.' }),
  })
  .superRefine((app, ctx) => checkUserDataSize(app, (message) => ctx.addIssue({ code: 'custom', path: ['userData'], message })))
  .prefault({})
  .meta({ description: 'The application on the instances: port, health path, boot script and image.' });

/**
 * EC2 counts user data after base64 encoding, and the fleet appends its
 * readiness script (and the health path it polls) when lifecycle hooks are on;
 * the allowance is counted either way, so turning hooks on never breaks it.
 */
function checkUserDataSize(app: { userData: string; healthPath: string }, report: ItemReport): void {
  const bytes = Buffer.byteLength(app.userData) + READINESS_SCRIPT_ALLOWANCE + Buffer.byteLength(app.healthPath);
  const encoded = base64Length(bytes);
  if (encoded > MAX_USER_DATA_BASE64) {
    report(
      `${Buffer.byteLength(app.userData)} bytes, plus ${READINESS_SCRIPT_ALLOWANCE} for the readiness script, encode to ${encoded} base64 characters; EC2 takes ${MAX_USER_DATA_BASE64} (16 KB)`,
    );
  }
}
